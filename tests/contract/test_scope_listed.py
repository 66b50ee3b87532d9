"""The scope listed once per read (storage/scope_sql.listed): the reads that test a scope in
many statements — the review, the metrics, the trend, the forecasts — list its instances in
a temporary table first and test membership there. The list must be exactly the scope's
condition, on both databases, for every person of the demo organisation; it must not outlive
its read on a pooled connection (the next reader is somebody else); and the review of a head
made on the list must equal the review made with the condition itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, event, text

from oaflow.domain.clock import FixedClock
from oaflow.domain.periods import parse_period
from oaflow.domain.security import Scope
from oaflow.services import authz, demo_history, exception_analysis, forecast, metrics, review
from oaflow.services.app import App
from oaflow.storage.scope_sql import LISTED, Listed, listed, visible

from .driver import who


def seen(conn: Connection, scope: Scope) -> set[int]:
    condition, params = visible(scope, "i")
    rows = conn.execute(text(f"SELECT i.id FROM instances i WHERE {condition}"), params)
    return {row[0] for row in rows}


def left_in_list(conn: Connection) -> int:
    """The rows in the list's table on ``conn`` (0 when the connection has none)."""
    with conn.begin():
        if conn.dialect.name == "sqlite":
            named = "SELECT COUNT(*) FROM sqlite_temp_master WHERE name = :name"
            exists = conn.execute(text(named), {"name": LISTED}).scalar_one()
        else:
            named = "SELECT to_regclass(:name) IS NOT NULL"
            exists = conn.execute(text(named), {"name": f"pg_temp.{LISTED}"}).scalar_one()
        return conn.execute(text(f"SELECT COUNT(*) FROM {LISTED}")).scalar_one() if exists else 0


@pytest.fixture
def history(demo_app: App, clock: FixedClock) -> App:
    """Six weeks of the four processes (the demo's), ending on a working Monday morning."""
    clock.set(datetime.fromisoformat("2024-04-08T10:00+08:00"))
    demo_history.create(demo_app)
    return demo_app


def test_the_list_is_the_condition_for_everyone_and_never_outlives_its_read(history: App) -> None:
    app = history
    with app.db.read() as conn:
        logins = sorted(app.org(conn).users)
        every = {row[0] for row in conn.execute(text("SELECT id FROM instances"))}
    partial = 0
    with app.db.engine.connect() as conn:  # one connection, as a pool hands it on
        for login in logins:
            scope = authz.scope(who(app, login))
            with conn.begin():
                expected = seen(conn, scope)
                with listed(conn, scope) as kept:
                    assert isinstance(kept, Listed) or scope.everything
                    assert seen(conn, kept) == expected, login
            partial += 0 < len(expected) < len(every)
            if not scope.everything:  # (everything is not listed: no table made for it)
                assert left_in_list(conn) == 0  # the connection's next reader starts empty
    assert partial >= 5  # heads, leaders and staff see parts; the check can tell them apart
    a_failed_read_leaves_no_list_behind(app)


def a_failed_read_leaves_no_list_behind(app: App) -> None:
    """(On the same history: making one takes seconds.)"""
    head = authz.scope(who(app, "csd.head"))
    other = authz.scope(who(app, "fin.head"))  # sees fewer instances than csd.head
    with app.db.engine.connect() as conn:
        with conn.begin(), listed(conn, other):  # the table is there from now on
            pass
        with pytest.raises(ZeroDivisionError), conn.begin(), listed(conn, head):
            assert conn.execute(text(f"SELECT COUNT(*) FROM {LISTED}")).scalar_one() > 0
            _ = 1 / 0
        assert left_in_list(conn) == 0
        # a second listing inside the first would swap the list under it: refused
        with conn.begin(), listed(conn, head) as kept:
            with pytest.raises(RuntimeError), listed(conn, other):
                pass
            assert seen(conn, kept) == seen(conn, head)
        with conn.begin(), listed(conn, other) as kept:
            assert seen(conn, kept) == seen(conn, other)
            assert 0 < len(seen(conn, other)) < len(seen(conn, head))


def test_the_review_on_the_list_is_the_review_on_the_condition(history: App) -> None:
    app = history
    person = who(app, "csd.head")
    statements: list[str] = []

    def heard(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    event.listen(app.db.engine, "before_cursor_execute", heard)
    try:
        made = review.review(app, person, "2024-03")
    finally:
        event.remove(app.db.engine, "before_cursor_execute", heard)
    tested = [s for s in statements if "FROM tasks WHERE assignee" in s]  # the condition
    assert len(tested) == 1 and "INSERT INTO" in tested[0]  # tested once, to list
    assert sum(LISTED in s for s in statements) >= 20  # the parts' statements probe the list

    period = parse_period("2024-03", app.calendar.tz)
    scope = authz.scope(person)
    with app.db.read() as conn:  # the parts, with the condition tested in every statement
        assert metrics.metrics_on(app, conn, period, None, scope) == made.metrics
        assert metrics.trend_on(app, conn, period, None, scope) == made.trend
        window = (period.label, period.start, period.end)
        causes = exception_analysis.pareto_on(app, conn, window, None, None, scope)
        assert causes == made.causes
        urgent = forecast.most_urgent(app, conn, scope, None, review.AT_RISK_LISTED)
        assert (urgent.listed, urgent.total) == (made.at_risk, made.at_risk_total)
    assert made.totals.started > 0 and made.metrics.departments  # something was compared
