"""The checks of a migration between versions (VER-4), pure: definitions from YAML text,
an instance and its tasks made up, no database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import InputError
from oaflow.domain.loader import load_definition
from oaflow.domain.model import AddedSigner, InstanceRecord, TaskRecord, Tokens
from oaflow.domain.states import InstanceState, TaskState
from oaflow.engine import migrate
from oaflow.engine.migrate import Labels

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)


def definition(nodes: str, form: str = "") -> ProcessDefinition:
    return load_definition(
        f"""
key: p
name: {{zh: 流程, en: Process}}
business_key: "P{{seq:03}}"
form:
  - {{name: amount, type: number, required: true}}
{form}
nodes:
{nodes}
"""
    )


def node(id_: str, type_: str, to: str = "", extra: str = "") -> str:
    nxt = f", next: {to}" if to else ""
    user = ", assignee: {user: a}" if type_ in ("approval", "handle", "confirm") else ""
    return f"  - {{id: {id_}, type: {type_}, name: {{zh: {id_}}}{user}{nxt}{extra}}}\n"


LINE = (
    node("apply", "initiate", "review")
    + node("review", "approval", "work")
    + node("work", "handle", "done")
    + node("done", "end")
)


def instance(
    visits: dict[str, int], data: dict[str, Any] | None = None, **tokens: Any
) -> InstanceRecord:
    return InstanceRecord(
        business_key="P001",
        definition_id=1,
        definition_key="p",
        state=InstanceState.RUNNING,
        title="t",
        initiator="i",
        department="d",
        priority="normal",
        started_at=T0,
        data={"amount": 1} if data is None else data,
        tokens=Tokens(visits=dict(visits), **tokens),
        id=1,
    )


def task(node_id: str, state: TaskState = TaskState.PENDING, id_: int = 1) -> TaskRecord:
    return TaskRecord(instance_id=1, node_id=node_id, round=1, state=state, created_at=T0, id=id_)


def codes(plan: migrate.Plan) -> list[str]:
    return [p.code for p in plan.problems]


AT_REVIEW = {"apply": 1, "review": 1}


def test_a_renamed_node_is_mapped_and_the_instance_moves() -> None:
    v1 = definition(LINE)
    v2 = definition(LINE.replace("review", "check"))
    rec, tasks = instance(AT_REVIEW), [task("review")]
    plan = migrate.plan(v1, v2, {"review": "check"}, rec, tasks)
    assert plan.safe and plan.moves == (("review", "check"),)
    labels = Labels(1, "V1.0-x", 2, "V1.1-x")
    moved, event = migrate.migrate(plan, rec, tasks, labels, "admin", T0)
    assert [t.node_id for t in moved] == ["check"]
    assert (rec.definition_id, rec.tokens.visits) == (2, {"apply": 1, "check": 1})
    assert event.kind == "migrated" and event.actor == "admin"
    assert event.data == {
        "from": "V1.0-x",
        "to": "V1.1-x",
        "map": {"review": "check"},
        "fields_added": [],
    }


def test_without_the_mapping_the_open_task_lands_nowhere() -> None:
    v1 = definition(LINE)
    v2 = definition(LINE.replace("review", "check"))
    plan = migrate.plan(v1, v2, {}, instance(AT_REVIEW), [task("review")])
    assert codes(plan) == ["migration.task_lands_nowhere"]  # its visit is not said again
    assert "review" in plan.problems[0].text("en")
    with pytest.raises(InputError, match="cannot be migrated"):
        migrate.migrate(plan, instance(AT_REVIEW), [], Labels(1, "a", 2, "b"), "admin", T0)


def test_a_task_moves_only_to_a_node_of_its_kind_and_mode() -> None:
    v1 = definition(LINE)
    to_handle = migrate.plan(v1, v1, {"review": "work"}, instance(AT_REVIEW), [task("review")])
    assert "migration.task_kind_changes" in codes(to_handle)
    assert "approval or confirmation" in to_handle.problems[0].text("en")
    confirm = definition(LINE.replace("review, type: approval", "review, type: confirm"))
    assert migrate.plan(v1, confirm, {}, instance(AT_REVIEW), [task("review")]).safe
    all_sign = definition(
        LINE.replace(
            "assignee: {user: a}, next: work", "assignee: {users: [a, b]}, mode: all, next: work"
        )
    )
    assert all_sign.node("review").mode == "all"
    changed = migrate.plan(v1, all_sign, {}, instance(AT_REVIEW), [task("review")])
    assert codes(changed) == ["migration.task_mode_changes"]


def test_records_of_a_node_the_target_lacks_are_each_named() -> None:
    v1 = definition(LINE)
    v2 = definition(
        node("apply", "initiate", "work") + node("work", "handle", "done") + node("done", "end")
    )
    signer = AddedSigner("b", "after", None)
    rec = instance(
        {"apply": 1, "review": 2, "work": 1},
        added_signers={"review": [signer]},
        sequence={"review": ["c"]},
    )
    tasks = [task("review", TaskState.APPROVED, 1), task("work", id_=2)]
    plan = migrate.plan(v1, v2, {}, rec, tasks)
    assert codes(plan) == ["migration.token_lands_nowhere"]
    text = plan.problems[0].text("en")
    for part in ("visits", "finished tasks", "signers still in sequence", "added signers"):
        assert part in text


def test_two_reached_nodes_may_not_land_on_one() -> None:
    v1 = definition(LINE)
    rec = instance({"apply": 1, "review": 1, "work": 1})
    tasks = [task("review", TaskState.APPROVED, 1), task("work", id_=2)]
    plan = migrate.plan(v1, v1, {"review": "work"}, rec, tasks)
    assert "migration.nodes_merge" in codes(plan)


PARALLEL = (
    node("apply", "initiate", "fork")
    + node("fork", "parallel", "[a, b]")
    + node("a", "handle", "join")
    + node("b", "handle", "join")
    + node("join", "join", "done")
    + node("done", "end")
)


def test_a_join_may_not_wait_for_a_branch_nothing_brings() -> None:
    v1 = definition(PARALLEL)
    v2 = definition(
        PARALLEL.replace("next: [a, b]", "next: [a, b, c]") + node("c", "handle", "join")
    )
    rec = instance({"apply": 1, "fork": 1, "a": 1, "b": 1, "join": 1}, joins={"join": ["a"]})
    tasks = [task("a", TaskState.DONE, 1), task("b", id_=2)]
    assert migrate.plan(v1, v1, {}, rec, tasks).safe
    plan = migrate.plan(v1, v2, {}, rec, tasks)
    assert codes(plan) == ["migration.join_waits_forever"]
    assert "c (c)" in plan.problems[0].text("en")


def test_a_branch_that_arrived_must_still_lead_to_its_join() -> None:
    v1 = definition(PARALLEL)
    v2 = definition(
        PARALLEL.replace(
            "id: a, type: handle, name: {zh: a}, assignee: {user: a}, next: join",
            "id: a, type: handle, name: {zh: a}, assignee: {user: a}, next: done",
        )
    )
    rec = instance({"apply": 1, "fork": 1, "a": 1, "b": 1, "join": 1}, joins={"join": ["a"]})
    plan = migrate.plan(v1, v2, {}, rec, [task("a", TaskState.DONE, 1), task("b", id_=2)])
    assert "migration.join_branch_elsewhere" in codes(plan)


def test_the_data_must_fit_the_target_form() -> None:
    v1 = definition(LINE)
    v2 = definition(
        LINE,
        "  - {name: supplier, type: string, required: true}\n"
        "  - {name: level, type: enum, values: [a, b]}\n"
        "  - {name: note, type: text}",
    )
    rec = instance(AT_REVIEW, {"amount": "many", "level": "z"})
    plan = migrate.plan(v1, v2, {}, rec, [task("review")])
    assert codes(plan) == ["migration.form_problem"] * 3
    said = " ".join(p.text("en") for p in plan.problems)
    assert "amount" in said and "supplier" in said and "level" in said
    fits = instance(AT_REVIEW, {"amount": 1, "supplier": "s", "level": "a"})
    plan = migrate.plan(v1, v2, {}, fits, [task("review")])
    assert plan.safe and plan.added_fields == ("note",)  # added empty when it moves


def test_the_mapping_names_nodes_of_the_two_versions() -> None:
    v1 = definition(LINE)
    v2 = definition(LINE.replace("review", "check"))
    problems = migrate.mapping_problems(v1, v2, {"reveiw": "check", "review": "chek"})
    assert [p.code for p in problems] == [
        "migration.map_unknown_old",
        "migration.map_unknown_new",
    ]
    said = [p.text("en") for p in problems]
    assert "did you mean `review`?" in said[0] and "did you mean `check`?" in said[1]
    assert migrate.parse_entries(["review=check", " work = work "]) == {
        "review": "check",
        "work": "work",
    }
    for bad in (["review"], ["=check"], ["review=check", "review=work"]):
        with pytest.raises(InputError):
            migrate.parse_entries(bad)


def test_every_kind_of_node_has_a_name() -> None:
    v1 = definition(PARALLEL + node("m", "milestone"))
    assert {migrate.kind_of(n) for n in v1.nodes.values()} <= migrate.KINDS.keys()


CALLING = (
    node("apply", "initiate", "sync")
    + node("sync", "service", "work", ", service: finance.sync")
    + node("work", "handle", "done")
    + node("done", "end")
)


def test_a_node_waiting_for_another_system_lands_on_a_service_node() -> None:
    v1 = definition(CALLING)
    renamed = definition(CALLING.replace("sync", "push").replace("finance.push", "finance.sync"))
    rec = instance({"apply": 1, "sync": 1})
    assert migrate.plan(v1, renamed, {"sync": "push"}, rec, [], ["sync"]).safe
    nowhere = migrate.plan(v1, renamed, {}, rec, [], ["sync"])
    assert codes(nowhere) == ["migration.call_lands_nowhere"]  # its visit is not said again
    to_work = migrate.plan(
        v1, v1, {"sync": "work"}, instance({"apply": 1, "sync": 1}), [], ["sync"]
    )
    assert codes(to_work) == ["migration.call_not_a_service"]
