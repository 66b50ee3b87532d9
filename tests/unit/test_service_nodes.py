"""Service nodes in the engine (INT-2, ARC-2), pure: a node with a ``service`` opens a call
and the instance waits there (no task); the answer or an administrator's skip passes it; a
``ledger`` block writes its rows when the node passes; an instance that ends or goes back
cancels its call. No database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import ConflictError, InputError
from oaflow.domain.integration import LedgerEntry, accepted_reference, ledger_entries, payload_of
from oaflow.domain.loader import load_definition
from oaflow.domain.model import Decision, InstanceRecord, World
from oaflow.domain.states import Action, InstanceState
from oaflow.engine import calls
from oaflow.engine import runtime as engine
from oaflow.engine.runtime import Command
from oaflow.processes import demo_organisation

T0 = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)
DEFINITION = """
key: spend
name: {zh: 支出, en: Spending}
business_key: "SP{seq:03}"
form:
  - {name: amount, type: number, required: true}
  - {name: year, type: integer, required: true}
  - {name: note, type: string, sensitive: true}
nodes:
  - {id: apply, type: initiate, name: 申请, next: review}
  - {id: review, type: approval, name: 审批, assignee: {user: vp.admin}, next: sync}
  - {id: sync, type: service, name: 同步财务, service: finance.book, next: book}
  - id: book
    type: service
    name: 记账
    ledger: {name: spend, department: department, amount: amount, period: year}
    next: done
  - {id: done, type: end, name: 结束}
"""


@pytest.fixture(scope="module")
def definition() -> ProcessDefinition:
    return load_definition(DEFINITION)


@pytest.fixture
def world(definition: ProcessDefinition, calendar_cn) -> World:  # type: ignore[no-untyped-def]
    return World(definition, demo_organisation(), calendar_cn, T0)


def later(world: World, hours: int = 1) -> World:
    return World(world.definition, world.org, world.calendar, world.now + timedelta(hours=hours))


def new_instance() -> InstanceRecord:
    return InstanceRecord(
        business_key="SP001",
        definition_id=1,
        definition_key="spend",
        state=InstanceState.RUNNING,
        title="差旅",
        initiator="fin.head",
        department="fin",
        priority="normal",
        started_at=T0,
        data={
            "title": "差旅",
            "amount": 1200.5,
            "year": 2024,
            "note": "客户报价",
            "department": "fin",
        },
        id=1,
    )


def approved(world: World) -> tuple[InstanceRecord, Decision]:
    """Started and approved: the decision of the approval, which reaches the service node."""
    instance = new_instance()
    started = engine.start(world, instance)
    (task,) = started.new_tasks
    task.id = 7
    decision = engine.act(later(world), instance, task, Command(Action.APPROVE, "vp.admin"))
    return instance, decision


def test_the_instance_waits_at_the_service_node_with_one_call(world: World) -> None:
    instance, decision = approved(world)
    assert instance.state is InstanceState.RUNNING
    assert decision.new_tasks == []  # not a person's task
    (call,) = decision.service_calls
    assert (call.node_id, call.round, call.service) == ("sync", 1, "finance.book")
    assert call.idempotency_key == "SP001:sync:1"
    assert call.payload == {
        "process": "spend",
        "business_key": "SP001",
        "node": "sync",
        "data": {"amount": 1200.5, "year": 2024, "department": "fin"},  # no sensitive note
    }
    assert [e.kind for e in decision.events][-1] == "service_call_opened"
    assert decision.ledger_entries == []


def test_an_accepted_call_passes_the_node_and_writes_the_ledger(world: World) -> None:
    instance, _ = approved(world)
    decision = calls.answered(later(world, 2), instance, [], "sync", "FIN-9", 3)
    kinds = [e.kind for e in decision.events]
    assert kinds == ["service_called", "ledger_updated", "instance_completed"]
    assert decision.events[0].data == {"reference": "FIN-9", "attempts": 3}
    assert decision.ledger_entries == [
        LedgerEntry("spend", decision.ledger_entries[0].title, "fin", "2024", 1200.5, {}, "book")
    ]
    assert instance.state is InstanceState.COMPLETED


def test_a_skipped_call_passes_the_node_with_its_reason(world: World) -> None:
    instance, _ = approved(world)
    decision = calls.skipped(later(world, 2), instance, [], "sync", "admin", "系统停机")
    first = decision.events[0]
    assert (first.kind, first.actor, first.data) == (
        "service_skipped",
        "admin",
        {"reason": "系统停机"},
    )
    assert instance.state is InstanceState.COMPLETED and len(decision.ledger_entries) == 1


def test_an_incident_is_recorded_and_the_instance_keeps_waiting(world: World) -> None:
    instance, _ = approved(world)
    decision = calls.incident(later(world, 3), instance, "sync", "HTTP 503", 5)
    assert [(e.kind, e.data) for e in decision.events] == [
        ("service_incident", {"error": "HTTP 503", "attempts": 5})
    ]
    assert instance.state is InstanceState.RUNNING and decision.service_calls == []


def test_cancelling_the_instance_cancels_its_call(world: World) -> None:
    instance, _ = approved(world)
    decision = engine.cancel(later(world, 2), instance, [], "admin", "作废")
    assert decision.calls_cancelled == ["sync"]
    with pytest.raises(ConflictError):
        calls.answered(later(world, 3), instance, [], "sync", "late", 1)


def test_only_a_service_node_is_answered(world: World) -> None:
    instance, _ = approved(world)
    with pytest.raises(ConflictError):
        calls.answered(later(world, 2), instance, [], "review", "x", 1)


def test_the_contract_of_an_accepting_answer() -> None:
    assert accepted_reference({"accepted": True, "reference": "R1"}) == "R1"
    assert accepted_reference({"accepted": True}) == ""
    for garbage in ({"accepted": "yes"}, {"status": "ok"}, ["accepted"], "ok", None):
        assert accepted_reference(garbage) is None
    assert accepted_reference({"accepted": True, "reference": 5}) is None


def test_ledger_lists_must_line_up(definition: ProcessDefinition) -> None:
    spec = definition.node("book").ledger
    assert spec is not None
    context = {"department": ["mkt", "rnd"], "amount": [1, 2], "year": 2025}
    rows = ledger_entries(spec, context, "book")
    assert [(r.department, r.period, r.amount) for r in rows] == [
        ("mkt", "2025", 1.0),
        ("rnd", "2025", 2.0),
    ]
    with pytest.raises(InputError) as caught:
        ledger_entries(spec, {**context, "amount": [1]}, "book")
    assert caught.value.code == "ledger.lengths_differ"
    with pytest.raises(InputError):
        ledger_entries(spec, {**context, "amount": ["x", 2]}, "book")
    assert payload_of("p", "K", "n", {"a": 1, "s": 2}, frozenset({"s"}), ("a", "s")) == {
        "process": "p",
        "business_key": "K",
        "node": "n",
        "data": {"a": 1},
    }
