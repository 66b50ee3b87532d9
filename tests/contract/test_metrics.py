"""The metrics (MTR-1..3) against a crafted history whose right answers are worked out by
hand below, on SQLite and PostgreSQL.

The business calendar works 09:00-12:00 and 13:30-18:00 (7.5 hours a day) in Shanghai; March
2024 has no holidays. Six complaints (quality: handled by 生产部 prd; the rest by 客户服务部
csd), all by csd.head:

- A  Fri 03-01 09:00: triage 10:00, handle 11:00, review 12:00, reply 14:30. Ends after
  4 working hours (09-12, 13:30-14:30), 5.5 calendar hours.
- B  Mon 03-04 09:00: triage 09:30, handle 10:30, review REJECTS at 11:00 (back to handle),
  handle again 14:00 (1.5 working hours: 11-12, 13:30-14:00; 3 calendar), review 15:00,
  reply 16:00. 5.5 working hours, 7 calendar.
- C  Tue 03-05 09:00: triage 11:00; handle, created 11:00 with 48 working hours, is due
  Wed 03-13 15:30 and done Thu 03-14 15:30: 7.5 working hours (one day) late, 55.5 working
  hours long (220.5 calendar); an exception is opened on it. Review 17:00, reply Fri 03-15
  10:00. 61 working hours (8 days and 1 hour), 241 calendar hours.
- D  Mon 03-18 09:00: triage 10:00, handle 11:00, review RETURNS it to handle at 11:30,
  handle again 12:00, review 14:30, reply 15:30. 5 working hours, 6.5 calendar.
- E  Wed 03-20 09:00: triage 10:00, then handle stays open (running).
- F  Fri 03-29 17:00: everything on Mon 04-01 from 09:30: completed in April.
"""

from __future__ import annotations

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import InputError, NotFoundError
from oaflow.services import metrics
from oaflow.services.app import App

from .driver import who
from .metrics_history import COMPLAINT_KEY, crafted_history

HOUR = 3600


@pytest.fixture
def history(demo_app: App, clock: FixedClock) -> tuple[App, dict[str, str]]:
    return demo_app, crafted_history(demo_app, clock)


def hours(value: float | int | None) -> float | None:
    return None if value is None else value / HOUR


def test_the_metrics_of_a_crafted_history(history: tuple[App, dict[str, str]]) -> None:
    """One history (built once per database: the suite is lean), several looks at it."""
    app, _ = history
    march = metrics.metrics(app, who(app, "admin"), "2024-03")
    per_process(march)
    per_node(march)
    per_department(march)
    bottlenecks(march)
    scope_period_and_bad_input(app)


def per_process(march: metrics.Metrics) -> None:
    (complaint,) = march.processes
    assert complaint.key == COMPLAINT_KEY and complaint.name.zh == "客户投诉"
    assert (complaint.started, complaint.running, complaint.completed) == (6, 1, 4)
    # working hours A 4, D 5, B 5.5, C 61: nearest-rank median = 2nd, p90 = 4th
    assert complaint.work.count == 4
    assert hours(complaint.work.average) == pytest.approx((4 + 5 + 5.5 + 61) / 4)
    assert (hours(complaint.work.median), hours(complaint.work.p90)) == (5, 61)
    # calendar hours A 5.5, D 6.5, B 7, C 241
    assert (hours(complaint.span.median), hours(complaint.span.p90)) == (6.5, 241)
    assert complaint.first_pass_rate == 2 / 4  # B was rejected, D returned
    assert complaint.exception_rate == 1 / 4  # C
    assert complaint.on_time_rate == 3 / 4  # C's handle was late
    assert (complaint.satisfaction, complaint.answered, complaint.asked) == (4.0, 3, 4)


def per_node(march: metrics.Metrics) -> None:
    nodes = {n.node: n for n in march.nodes}
    handle = nodes["handle"]
    assert handle.name.zh == "原因分析与处理" and handle.limit_hours == 48
    # A 1, B 1 and 1.5, C 55.5, D 1 and 0.5 (E's is open, F's in April)
    assert handle.tasks == 6
    assert hours(handle.work.average) == pytest.approx(60.5 / 6)
    assert (hours(handle.work.median), hours(handle.work.p90)) == (1, 55.5)
    assert (hours(handle.span.median), hours(handle.span.p90)) == (1, 220.5)
    assert handle.first_pass_rate == 2 / 4  # A and C at once; B and D twice
    assert handle.on_time_rate == 5 / 6 and handle.exception_rate == 1 / 6
    assert (handle.late, handle.late_instances, handle.late_days) == (1, 1, 1.0)
    review = nodes["review"]
    assert review.tasks == 6 and review.first_pass_rate == 2 / 4  # B rejected, D returned
    assert review.on_time_rate == 1.0 and review.late == 0
    triage = nodes["triage"]
    assert triage.tasks == 5 and triage.first_pass_rate == 1.0  # A-E (F's in April)
    # triage took A 1, B 0.5, C 2, D 1, E 1 working hours
    assert (hours(triage.work.median), hours(triage.work.p90)) == (1, 2)


def per_department(march: metrics.Metrics) -> None:
    departments = {d.code: d for d in march.departments}
    prd = departments["prd"]
    assert prd.name.zh == "生产部"
    # handle tasks created in March: A, B twice, C, D twice, E; E's still open
    assert (prd.received, prd.done, prd.still_open) == (7, 6, 1)
    assert prd.first_pass_rate == 2 / 4 and prd.on_time_rate == 5 / 6
    assert prd.exception_rate == 1 / 6
    assert (prd.satisfaction, prd.answered) == (4.0, 1)
    csd = departments["csd"]
    assert (csd.satisfaction, csd.answered) == (4.0, 2)  # 5 and 3
    # triage A-F, review A B B C D D, reply A-D received; F's triage still open at the end
    assert (csd.received, csd.done, csd.still_open) == (16, 15, 1)
    # visits: triage 5, review 4, reply 4; review passed at once only in A and C
    assert csd.first_pass_rate == 11 / 13 and csd.on_time_rate == 1.0


def bottlenecks(march: metrics.Metrics) -> None:
    (first,) = march.bottlenecks
    assert first.place == 1 and first.node.node == "handle"
    assert first.sentence.zh == "原因分析与处理 平均超时 1.0 天（1 个实例）"
    assert first.sentence.en == "Find the cause and resolve averages 1.0 days late over 1 instance"


def scope_period_and_bad_input(app: App) -> None:
    april = metrics.metrics(app, who(app, "admin"), "2024-04")
    (complaint,) = april.processes
    assert (complaint.started, complaint.completed) == (0, 1)  # F
    # log.head took no part in any of them: nothing to count
    assert metrics.metrics(app, who(app, "log.head"), "2024-Q1").processes == ()
    quarter = metrics.metrics(app, who(app, "prd.head"), "2024-Q1", COMPLAINT_KEY)
    assert quarter.processes[0].completed == 4
    for period, process, code in (
        ("2024-13", None, "report.bad_period"),
        ("2024-03-10..2024-03-01", None, "report.bad_range"),
        ("2024-03", "no-such-process", "analysis.unknown_process"),
    ):
        with pytest.raises((InputError, NotFoundError)) as bad:
            metrics.metrics(app, who(app, "admin"), period, process)
        assert bad.value.code == code and (period in bad.value.text("zh") or process)
        assert bad.value.text("zh") != bad.value.text("en") and bad.value.hint("zh")
