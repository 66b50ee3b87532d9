"""The authorisation matrix (SEC-2) at the service layer, on SQLite and PostgreSQL: every use
case that takes an id × the principals × objects in and out of their scope → allowed, or
answered exactly like a missing object; every list holds no foreign rows.

Two complaints are started by 客户服务部 (csd.head): A is routed to 生产部 (prd), B to 物流部
(log). Who may see which follows the rules of domain/security.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import ForbiddenError, NotFoundError, OAFlowError
from oaflow.domain.security import Principal
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import exception_views, exceptions, messages, queries, runtime, timers
from oaflow.services.app import App
from oaflow.services.views import InstanceFilter

from .driver import COMPLAINT, Driver, who

#: principal -> (sees A, sees B)
SCOPE = {
    "prd.head": (True, False),  # own-department head of A's handling department
    "log.head": (False, True),  # the other department's head
    "sal.head": (False, False),  # a head not involved
    "prd.staff": (False, False),  # staff of A's department who took no part
    "csd.head": (True, True),  # the initiator
    "csd.staff": (False, False),  # staff of the initiating department, no part taken
    "vp.ops": (True, True),  # supervising leader of prd and log
    "vp.market": (True, True),  # supervising leader of the initiating department (csd)
    "vp.tech": (False, False),  # a supervising leader of other departments
    "gm": (True, True),  # general manager
    "admin": (True, True),  # administrator
    "auditor": (True, True),  # auditor
}


@pytest.fixture
def two_complaints(demo_app: App) -> dict[str, Any]:
    d = Driver(demo_app)
    a = d.start("customer-complaint", "csd.head", COMPLAINT)
    d.approve("csd.head", "triage")
    b = d.start("customer-complaint", "csd.head", {**COMPLAINT, "complaint_type": "logistics"})
    d.approve("csd.head", "triage")
    return {
        "keys": (a, b),
        "tasks": (d.task("prd.head", "handle"), d.task("log.head", "handle")),
    }


def outcome(call: Callable[[], object], missing: OAFlowError) -> str:
    """'allowed' (done, or refused for another reason than the scope: in scope, not theirs
    to do), or 'not_found' when the error is the very one of a missing object."""
    try:
        call()
    except NotFoundError as error:
        assert error.code == missing.code and dict(error.params) == dict(missing.params)
        return "not_found"
    except OAFlowError as error:
        assert error.kind in ("forbidden", "bad_input", "conflict"), error

    return "allowed"


def test_objects_outside_the_scope_are_answered_like_missing_ones(
    demo_app: App, two_complaints: dict[str, Any]
) -> None:
    keys, tasks = two_complaints["keys"], two_complaints["tasks"]

    cases: list[tuple[str, Callable[[Principal, int], object], Callable[[int], OAFlowError]]] = [
        (
            "task show",
            lambda p, i: queries.task_detail(demo_app, p, tasks[i]),
            lambda i: NotFoundError("task.not_found", task_id=tasks[i]),
        ),
        (
            "instance show",
            lambda p, i: queries.instance_detail(demo_app, p, keys[i]),
            lambda i: NotFoundError("instance.not_found", business_key=keys[i]),
        ),
        (
            "task comment",
            lambda p, i: runtime.annotate(demo_app, p, tasks[i], Action.COMMENT, note="看看"),
            lambda i: NotFoundError("task.not_found", task_id=tasks[i]),
        ),
        (
            "task ack",  # acting on someone else's task: forbidden when seen, else not found
            lambda p, i: runtime.act(demo_app, p, tasks[i], Command(Action.ACK, p.login)),
            lambda i: NotFoundError("task.not_found", task_id=tasks[i]),
        ),
        (
            "instance withdraw",
            lambda p, i: runtime.withdraw(demo_app, p, keys[i]),
            lambda i: NotFoundError("instance.not_found", business_key=keys[i]),
        ),
        (
            "exception open",
            lambda p, i: exceptions.open_exception(demo_app, p, keys[i], "handle", ""),
            lambda i: NotFoundError("instance.not_found", business_key=keys[i]),
        ),
    ]
    counts: Counter[str] = Counter()
    for login, visible in SCOPE.items():
        principal = who(demo_app, login)
        for name, call, missing in cases:
            for i in (0, 1):
                got = outcome(lambda: call(principal, i), missing(i))  # noqa: B023
                want = "allowed" if visible[i] else "not_found"
                assert got == want, f"{name} of {'AB'[i]} as {login}: {got}, not {want}"
                counts[got] += 1
    # a missing object gives the same answer as a foreign one
    nobody = who(demo_app, "sal.head")
    assert (
        outcome(
            lambda: queries.task_detail(demo_app, nobody, 999),
            NotFoundError("task.not_found", task_id=999),
        )
        == "not_found"
    )
    print(f"\nauthorisation matrix: {dict(counts)} over {len(SCOPE)} principals")
    assert counts["allowed"] > 0 and counts["not_found"] > 0


def test_lists_never_hold_foreign_rows(
    demo_app: App, clock: FixedClock, two_complaints: dict[str, Any]
) -> None:
    keys = two_complaints["keys"]
    timers.tick(demo_app, clock, parse_instant("2024-03-20T09:00"))  # both tasks overdue
    for login, visible in SCOPE.items():
        principal = who(demo_app, login)
        expected = {k for k, seen in zip(keys, visible, strict=True) if seen}
        page = queries.instances(demo_app, principal, InstanceFilter())
        assert {i.business_key for i in page.items} == expected, login
        assert page.total == len(expected)
        records = exception_views.exceptions(demo_app, principal)
        assert {r.business_key for r in records} == expected, login
        assert all(t.business_key in expected for t in queries.tasks_for(demo_app, principal))


def test_an_unknown_or_inactive_user_is_nobody(demo_app: App) -> None:
    with pytest.raises(NotFoundError) as raised:
        who(demo_app, "nobody")
    assert raised.value.code == "access.unknown_user"


def test_the_outbox_is_for_auditors_and_administrators(
    demo_app: App, two_complaints: dict[str, Any]
) -> None:
    for login in ("auditor", "admin"):
        assert messages.outbox(demo_app, who(demo_app, login))
    for login in ("gm", "prd.head", "csd.head"):
        with pytest.raises(ForbiddenError):
            messages.outbox(demo_app, who(demo_app, login))


def test_sensitive_fields_are_masked_for_readers_who_took_no_part(
    demo_app: App, two_complaints: dict[str, Any]
) -> None:
    task_a = two_complaints["tasks"][0]
    for login, may_read in [
        ("prd.head", True),  # holds the task
        ("csd.head", True),  # initiator
        ("gm", True),
        ("auditor", True),
        ("vp.ops", False),  # sees the instance, took no part
        ("admin", False),
    ]:
        form = queries.task_detail(demo_app, who(demo_app, login), task_a).form
        phone = next(f for f in form if f.name == "phone")
        assert phone.sensitive
        assert phone.masked is not may_read, login
        assert (phone.value == COMPLAINT["phone"]) is may_read, login
