"""The metrics' daily roll-up (docs/adr/0015) on SQLite and PostgreSQL: the metrics, the
trend and the forecasts of the crafted history of test_metrics.py are the same whether its
days were rolled up or not; once they are, a month is read from the roll-up and not from
the tasks; a day written into afterwards is noticed and tallied from the tasks again; the
worker's sweep rolls up each day after it ends, once; a caller who sees part of the
instances gets the same as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from oaflow.domain.clock import FixedClock
from oaflow.services import forecast, metric_days, metrics, timers
from oaflow.services.app import App
from oaflow.storage import rollup_repo
from oaflow.storage.metrics_sql import Window
from oaflow.storage.tables import rollup_days, rollup_tallies

from .driver import COMPLAINT, Driver, who
from .metrics_history import COMPLAINT_KEY, SHANGHAI, at, crafted_history, steps


@pytest.fixture
def history(demo_app: App, clock: FixedClock) -> tuple[App, dict[str, str]]:
    return demo_app, crafted_history(demo_app, clock)


@pytest.fixture
def fact_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[datetime, datetime]]:
    """The windows the tasks were read for (to tally them on the spot)."""
    seen: list[tuple[datetime, datetime]] = []
    real = rollup_repo.task_facts

    def spy(conn: Any, window: Window, zone: Any) -> Iterator[Any]:
        seen.append((window.start, window.end))
        return real(conn, window, zone)

    monkeypatch.setattr(rollup_repo, "task_facts", spy)
    return seen


def looks(app: App) -> dict[str, Any]:
    """What the roll-up feeds: a month's and a quarter's metrics as admin and as a head,
    the trend, and the forecasts of the running instances."""
    admin = who(app, "admin")
    return {
        "march": metrics.metrics(app, admin, "2024-03"),
        "range": metrics.metrics(app, admin, "2024-03-04..2024-03-18", COMPLAINT_KEY),
        "quarter": metrics.metrics(app, admin, "2024-Q1"),
        "head": metrics.metrics(app, who(app, "prd.head"), "2024-03"),
        "trend": metrics.trend(app, admin, "2024-04"),
        "forecasts": forecast.forecasts(app, admin),
    }


def kept_days(app: App) -> list[date]:
    with app.db.read() as conn:
        rows = conn.execute(select(rollup_days.c.day).order_by(rollup_days.c.day))
        return [date.fromisoformat(day) for (day,) in rows]


def test_rolled_up_or_not_the_metrics_are_the_same(
    history: tuple[App, dict[str, str]],
    clock: FixedClock,
    fact_reads: list[tuple[datetime, datetime]],
) -> None:
    app, _ = history  # the clock stands on Mon 2024-04-01 11:00
    before = looks(app)
    assert before["march"].nodes and before["forecasts"]  # something to compare
    rolled = metric_days.roll_up_all(app, clock.now())
    # from the first finished task (03-01) to the last day that has ended (03-31)
    assert rolled == 31 and kept_days(app)[0] == date(2024, 3, 1)
    assert kept_days(app)[-1] == date(2024, 3, 31)
    with app.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(rollup_tallies)).scalar()
    fact_reads.clear()
    after = looks(app)
    assert after == before
    # March came from the roll-up: the tasks were read for the head (a scope of its own),
    # for the days not kept (02-xx of the quarter, April), never for March as admin
    march = (
        datetime(2024, 3, 1, tzinfo=SHANGHAI),
        datetime(2024, 4, 1, tzinfo=SHANGHAI),
    )
    admin_reads = [r for r in fact_reads if r != march]
    assert len(admin_reads) == len(fact_reads) - 1  # the head's March only
    assert not any(start < march[1] and end > march[0] for start, end in admin_reads)

    # a day written into afterwards (here: 03-05, a complaint worked that day, its clock set
    # back) no longer matches its count: its month is tallied from the tasks again
    late = Driver(app)
    at(clock, "03-05 09:00")
    key = late.start(COMPLAINT_KEY, "csd.head", COMPLAINT)
    steps(late, clock, key, [("03-05 10:00", "triage"), ("03-05 11:00", "handle")])
    fact_reads.clear()
    march_now = metrics.metrics(app, who(app, "admin"), "2024-03")
    assert march in fact_reads
    triage = {n.node: n for n in march_now.nodes}["triage"]
    assert triage.tasks == 5 + 1  # A-E, and the new one
    # rolled up again, afresh: read from the roll-up, and the same figures
    at(clock, "04-01 11:00")
    assert metric_days.roll_up_all(app, clock.now(), again=True) == 31
    fact_reads.clear()
    assert metrics.metrics(app, who(app, "admin"), "2024-03") == march_now
    assert march not in fact_reads


def test_the_sweep_rolls_up_each_day_once_after_it_ends(demo_app: App, clock: FixedClock) -> None:
    d = Driver(demo_app)
    at(clock, "03-01 09:00")
    assert metric_days.next_due(demo_app) is None  # nothing has happened yet
    key = d.start(COMPLAINT_KEY, "csd.head", COMPLAINT)
    steps(d, clock, key, [("03-01 10:00", "triage")])
    # the first day can be rolled up five minutes after it ends
    first_due = datetime(2024, 3, 2, 0, 5, tzinfo=SHANGHAI)
    assert metric_days.next_due(demo_app) == first_due
    assert not metric_days.fire_one(demo_app, first_due - timedelta(seconds=1))
    assert kept_days(demo_app) == []
    # the worker's replay to 03-04 noon: 03-01, 03-02 and 03-03 rolled up, each once
    timers.tick(demo_app, clock, datetime(2024, 3, 4, 12, 0, tzinfo=SHANGHAI))
    assert kept_days(demo_app) == [date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)]
    metric_days.fire_one(demo_app, clock.now())  # nothing more is due: nothing changes
    assert len(kept_days(demo_app)) == 3
    with demo_app.db.read() as conn:
        assert rollup_repo.read_mark(conn) == ("Asia/Shanghai", date(2024, 3, 3))
        span = (date(2024, 3, 1), date(2024, 3, 3), "Asia/Shanghai")
        finished = rollup_repo.stored_days(conn, *span, "tasks")
        ended = rollup_repo.stored_days(conn, *span, "instances")
        tallies: dict[Any, Any] = {}
        rollup_repo.add_tallies(conn, date(2024, 3, 1), date(2024, 3, 1), ["node"], None, tallies)
    # one task finished (triage) the first day, no instance ended; nothing the next two
    assert finished == {date(2024, 3, 1): 1, date(2024, 3, 2): 0, date(2024, 3, 3): 0}
    assert ended == {date(2024, 3, 1): 0, date(2024, 3, 2): 0, date(2024, 3, 3): 0}
    (triage,) = tallies.values()
    assert triage.count == 1 and triage.work.count == 1 and triage.visits == 1
    assert metric_days.next_due(demo_app) == datetime(2024, 3, 5, 0, 5, tzinfo=SHANGHAI)
