"""The demo database with its history (`oaflow serve --demo`): six weeks of the four built-in
processes up to now, so that every page has something true to show — finished and running
instances, overdue and escalated tasks, an open exception, work in several inboxes — made
through the services, with every hash chain intact."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from oaflow.domain.clock import FixedClock, SystemClock, parse_instant
from oaflow.domain.errors import InputError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import InstanceState
from oaflow.services import (
    audit,
    demo_history,
    exception_views,
    messages,
    queries,
    setup,
    surveys,
    timers,
)
from oaflow.services.app import App
from oaflow.services.views import InstanceFilter

from .driver import COMPLAINT, Driver, who

HEADS = ("csd.head", "prd.head", "fin.head", "vp.market", "gm")
PROCESSES = {"new-product-launch", "customer-complaint", "annual-budget", "project-milestones"}
NOWS = {
    "now": None,  # the real time, as `oaflow serve --demo` runs it
    # the first working day after the Spring Festival, before work: the last six weeks
    # hold the holiday and two make-up Sundays
    "after-spring-festival": "2025-02-05T08:30",
    "make-up-saturday": "2024-10-12T11:00",  # a 调休 working Saturday after National Day
}


@pytest.fixture(params=list(NOWS))
def now(request: pytest.FixtureRequest, clock: FixedClock, db_url: str) -> datetime:
    """The instant the history ends at; ``clock`` (the app's) is set to it. The calendar's
    edge cases run on SQLite only: they are the same on PostgreSQL, and each history takes
    seconds to make (PostgreSQL makes the one of now)."""
    if request.param != "now" and db_url.startswith("postgresql"):
        pytest.skip("a calendar edge case: the same on both databases, run on SQLite")
    text = NOWS[request.param]
    at = SystemClock().now() if text is None else parse_instant(text)
    clock.set(at)
    return at


def test_every_page_has_something_true_to_show(app: App, now: datetime) -> None:
    history = demo_history.create(app)
    assert history.now == now and app.now() == now  # the app's own clock is back
    assert timers.next_due(app) is None or timers.next_due(app) > now  # nothing left due

    page = queries.instances(app, SYSTEM, InstanceFilter(limit=500))
    by_state: dict[InstanceState, set[str]] = {}
    for summary in page.items:
        by_state.setdefault(summary.state, set()).add(summary.process)
        assert summary.started_at <= now
    assert by_state[InstanceState.COMPLETED] == PROCESSES - {"project-milestones"}
    assert by_state[InstanceState.RUNNING] == PROCESSES
    assert (
        (history.finished, history.running)
        == (6, 8)
        == (
            len([i for i in page.items if i.state is InstanceState.COMPLETED]),
            len([i for i in page.items if i.state is InstanceState.RUNNING]),
        )
    )

    overdue = queries.instances(app, SYSTEM, InstanceFilter(overdue=True)).items
    assert {"project-milestones", "customer-complaint"} <= {i.process for i in overdue}
    open_exceptions = [e for e in exception_views.exceptions(app, SYSTEM) if e.state == "found"]
    assert {e.business_key for e in open_exceptions} >= {i.business_key for i in overdue}

    kinds = {
        entry.kind
        for summary in page.items
        for entry in queries.instance_detail(app, SYSTEM, summary.business_key).timeline
    }
    escalated = {"sla_ack_escalation", "sla_escalation", "sla_overdue", "sla_deadline_warning"}
    assert escalated | {"task_returned", "task_copied", "task_urged", "task_progress"} <= kinds

    for login in HEADS:
        assert queries.tasks_for(app, who(app, login)), f"{login} has nothing to do"
    late = [t for t in queries.tasks_for(app, who(app, "itd.head")) if t.node.id == "m2"]
    assert late[0].due_at is not None and late[0].due_at < now and late[0].progress == 70
    (handling,) = [t for t in queries.tasks_for(app, who(app, "prd.head")) if t.progress]
    assert handling.node.id == "handle" and handling.progress == 50  # after the return

    inbox = messages.notifications(app, who(app, "csd.head"))
    assert 0 < inbox.unread < len(inbox.items)  # the older ones were read

    verified = audit.verify(app, SYSTEM)
    assert verified.intact, verified.findings
    assert verified.instances == page.total

    # MTR: the demo data ends with a review of the simulated weeks
    review = history.review
    zone = ZoneInfo(app.calendar.tz)
    assert (review.period.first, review.period.last) == (
        history.first.astimezone(zone).date(),
        now.astimezone(zone).date(),
    )
    completed = [i for i in page.items if i.state is InstanceState.COMPLETED]
    assert sum(p.completed for p in review.processes) == len(completed)
    assert sum(p.started for p in review.processes) == page.total
    assert all(p.work.median is not None for p in review.processes if p.completed)

    # MTR-2: every finished instance's departments were asked; their heads answered all
    # but the budget's surveys, and the review counts their satisfaction
    asked = [s for i in completed for s in surveys.of_instance(app, SYSTEM, i.business_key)]
    assert {s.business_key for s in asked} == {i.business_key for i in completed}
    assert {s.process for s in asked if s.score is None} == {"annual-budget"}
    assert all(s.answered_by is not None for s in asked if s.score is not None)
    answered = sum(1 for s in asked if s.score is not None)
    assert sum(p.answered for p in review.processes) == answered > 0
    scored = [p.satisfaction for p in review.processes if p.satisfaction is not None]
    assert scored and all(1 <= score <= 5 for score in scored)


def test_a_database_with_instances_is_refused_and_left_as_it_is(
    app: App, clock: FixedClock
) -> None:
    clock.set(parse_instant("2024-06-14T16:00"))
    setup.init(app, demo=True)
    Driver(app).start("customer-complaint", "csd.staff", COMPLAINT)  # one is enough
    before = queries.instances(app, SYSTEM, InstanceFilter(limit=500))
    assert before.total == 1
    with pytest.raises(InputError) as refused:
        demo_history.create(app)
    assert refused.value.code == "demo.history_needs_new_database"
    assert queries.instances(app, SYSTEM, InstanceFilter(limit=500)) == before
