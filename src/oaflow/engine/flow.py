"""Moving an instance through its nodes: enter a node, leave it, return to an earlier one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from oaflow.domain.archive_names import archive_name
from oaflow.domain.calendar import add_calendar_hours
from oaflow.domain.definition import Node, NodeType
from oaflow.domain.errors import ConflictError, InputError
from oaflow.domain.measures import measure
from oaflow.domain.model import Decision, Event, InstanceRecord, TaskRecord, World
from oaflow.domain.states import Action, InstanceState, TaskState, next_instance_state, next_state
from oaflow.engine import policies, revise, signers
from oaflow.engine.assign import Party, context_of, in_department, resolve
from oaflow.engine.deputies import delegate_new_tasks
from oaflow.engine.graph import downstream, predecessors, upstream
from oaflow.engine.notices import notices_for
from oaflow.engine.plans import planned_completion, planned_start
from oaflow.engine.rules import choose_route
from oaflow.engine.service_nodes import calling_nodes, enter_service
from oaflow.engine.sla import next_check

MAX_AUTOMATIC_STEPS = 500


class Flow:
    """One decision in the making: the world, the instance and what has changed so far."""

    def __init__(
        self, world: World, instance: InstanceRecord, open_tasks: Iterable[TaskRecord] = ()
    ) -> None:
        self.world = world
        self.decision = Decision(instance, world.now)
        self.instance = instance
        self.tokens = instance.tokens
        self.first_seq = instance.event_seq + 1  # the history number of the first event
        self.known: list[TaskRecord] = []
        for task in open_tasks:  # the same task may come twice; keep the first object
            if task.id is None or all(k.id != task.id for k in self.known):
                self.known.append(task)
        self.open_tasks = [t for t in self.known if t.is_open]
        self._steps = 0

    def decided(self) -> Decision:
        """The decision as it is to be written: new tasks of absent people given to their
        deputies (ORG-3), and the notices its events call for (NTF-1)."""
        decision = self.decision
        if decision.events:  # the worker's checks may come late: the time never goes back
            now = self.world.now
            self.instance.changed_at = max(self.instance.changed_at or now, now)
        delegate_new_tasks(decision, self.world.delegations)
        decision.messages += notices_for(decision, self.world.definition, self.first_seq)
        return decision

    # -- events and bookkeeping -------------------------------------------------------
    def record(
        self,
        kind: str,
        node_id: str | None = None,
        task: TaskRecord | None = None,
        actor: str | None = None,
        **data: Any,
    ) -> None:
        self.decision.events.append(Event(kind, node_id, task, actor, dict(data)))

    def measured(self, task: TaskRecord) -> None:
        """Measure a task its person just finished (MTR-1): durations and lateness."""
        assert task.finished_at is not None
        found = measure(task.created_at, task.finished_at, task.due_at, self.world.calendar)
        task.work_seconds, task.span_seconds = found.work_seconds, found.span_seconds
        task.late_seconds = found.late_seconds

    def changed(self, task: TaskRecord) -> None:
        if task.id is not None and all(t is not task for t in self.decision.changed_tasks):
            self.decision.changed_tasks.append(task)

    # -- entering nodes ---------------------------------------------------------------
    def enter(self, node_id: str, came_from: str | None) -> None:
        self._steps += 1
        if self._steps > MAX_AUTOMATIC_STEPS:
            raise InputError("flow.endless_loop", node=node_id)
        if self.instance.state is not InstanceState.RUNNING:
            return
        node = self.world.definition.node(node_id)
        self.tokens.visit(node_id)
        _ENTER[node.type](self, node, came_from)

    def leave(self, node: Node) -> None:
        for target in node.next:
            self.enter(target, node.id)

    def decision_round(self, node_id: str, task: TaskRecord) -> list[TaskRecord]:
        """The tasks of ``task``'s round of a multi-instance node, in creation order."""
        tasks = [t for t in self.known if t.node_id == node_id and t.round == task.round]
        return sorted(tasks, key=lambda t: t.id or 0)

    def round_of(self, node_id: str) -> int:
        return self.tokens.visits.get(node_id, 0)

    def _enter_task(self, node: Node, came_from: str | None) -> None:
        party = policies.party_for(self, node)
        if party is None:  # passed by a policy (APR-3)
            self.leave(node)
            return
        if not node.mode:
            self.create_task(node, party)
            return
        for login in signers.first_signers(self, node, party):
            self.create_task(node, self.signer(login, party))

    def signer(self, login: str, party: Party) -> Party:
        """One approver of a multi-approver node, in their own department."""
        return Party(party.department or self.world.org.primary_department(login), login)

    def _enter_multi(self, node: Node, came_from: str | None) -> None:
        assert node.over is not None
        codes = node.over.evaluate(context_of(self.instance))
        if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
            raise InputError(
                "flow.departments_expected", node=node.id, value=repr(codes), over=node.over.text
            )
        if not codes:
            self.record("node_skipped", node.id, reason="empty department list")
            self.leave(node)
        for code in dict.fromkeys(codes):
            self.create_task(node, in_department(self.world.org, code, node.pick))

    def create_task(self, node: Node, party: Party) -> TaskRecord:
        """A task for ``party`` at ``node``: at work at once, or waiting (待启动) for its
        owner to start it (``trigger: manual``) or for its planned date."""
        now = self.world.now
        start = planned_start(node, self.instance.data, self.world.calendar)
        waits = node.trigger.kind == "manual" or (start is not None and start > now)
        task = TaskRecord(
            instance_id=self.instance.id or 0,
            node_id=node.id,
            round=self.round_of(node.id),
            state=TaskState.WAITING if waits else TaskState.PENDING,
            created_at=now,
            department=party.department,
            assignee=party.assignee,
            candidates=party.candidates,
            due_at=None if waits else self.due_time(node, now),
            dispatched_at=start if waits else None,  # a waiting task: when it will start
        )
        task.check_at = next_check(node, task, self.world.calendar)
        self.decision.new_tasks.append(task)
        self.open_tasks.append(task)
        who = party.assignee or ",".join(party.candidates)
        self.record("task_created", node.id, task, assignee=who, department=party.department)
        return task

    def due_time(self, node: Node, start: datetime) -> datetime | None:
        """The deadline of a task of ``node`` at work from ``start``: its time limit, or its
        planned date when it has none (a milestone)."""
        if node.due_by_plan:
            return planned_completion(node, self.instance.data, self.world.calendar)
        limit = node.time_limit
        if limit is None:
            return None
        if limit.basis == "calendar":
            return add_calendar_hours(start, limit.hours)
        return self.world.calendar.add_working_hours(start, limit.hours)

    def _enter_exclusive(self, node: Node, came_from: str | None) -> None:
        context = context_of(self.instance)
        target = choose_route(node, self.world.definition.decision_tables, context)
        self.record("routed", node.id, to=target)
        self.enter(target, node.id)

    def _enter_parallel(self, node: Node, came_from: str | None) -> None:
        self.record("forked", node.id, branches=list(node.next))
        self.leave(node)

    def _enter_join(self, node: Node, came_from: str | None) -> None:
        arrived = self.tokens.joins.setdefault(node.id, [])
        if came_from is not None and came_from not in arrived:
            arrived.append(came_from)
        expected = predecessors(self.world.definition, node.id)
        if set(arrived) >= expected:
            self.tokens.joins[node.id] = []
            self.record("joined", node.id, branches=sorted(expected))
            self.leave(node)

    def _enter_automatic(self, node: Node, came_from: str | None) -> None:
        if node.type is NodeType.SERVICE:  # calls another system / writes a ledger
            enter_service(self, node)
            return
        if node.type is NodeType.NOTIFY:
            self.record("copied", node.id, recipients=self._recipients(node))
        elif node.type is NodeType.ARCHIVE:
            self.record("archived", node.id, name=self._archive_name(node))
        self.leave(node)

    def _enter_initiate(self, node: Node, came_from: str | None) -> None:
        if revise.is_resubmission(self, node):  # 退回发起人: the initiator revises the form
            revise.ask_initiator(self, node)
            return
        self.record("initiated", node.id, actor=self.instance.initiator)
        self.leave(node)

    def _enter_end(self, node: Node, came_from: str | None) -> None:
        self.finish(Action.COMPLETE, node.id)

    def _recipients(self, node: Node) -> list[str]:
        people: list[str] = []
        for assignment in node.notify:
            party = resolve(assignment, node, self.instance, self.world.definition, self.world.org)
            people += [party.assignee] if party.assignee else list(party.candidates)
        return sorted(set(people))

    def _archive_name(self, node: Node) -> str:
        """The archive's name by its pattern (ARC-1; the store keeps names unique)."""
        local = self.world.now.astimezone(_zone(self.world.calendar.tz))
        instance, definition = self.instance, self.world.definition
        hidden = definition.sensitive_fields()
        return archive_name(
            node.archive_name, local, instance.title, instance.business_key, instance.data, hidden
        )

    # -- ending and returning ---------------------------------------------------------
    def finish(self, action: Action, node_id: str | None) -> None:
        """End the instance: completed, rejected or cancelled (``action``)."""
        state = next_instance_state(self.instance.state, action)
        self.cancel_tasks(self.open_tasks, reason=state.value)
        self.decision.calls_cancelled += calling_nodes(self.world.definition)
        self.instance.state = state
        self.instance.ended_at = self.world.now
        found = measure(self.instance.started_at, self.world.now, None, self.world.calendar)
        self.instance.work_seconds, self.instance.span_seconds = (
            found.work_seconds,
            found.span_seconds,
        )
        self.record(f"instance_{state.value}", node_id)

    def after_reject(self, node: Node) -> None:
        """``node`` was rejected: the instance ends, or goes back to the node's ``on_reject``."""
        if node.on_reject == "end":
            self.finish(Action.REJECT, node.id)
            return
        if node.on_reject not in upstream(self.world.definition, node.id):
            raise InputError("flow.on_reject_not_before", node=node.id, target=node.on_reject)
        self.return_to(node.on_reject, node.id)

    def start_task(self, node: Node, task: TaskRecord, action: Action, actor: str | None) -> None:
        """A waiting task starts (its owner's START, or its planned date's DISPATCH): its
        work, deadline and SLA clock begin now."""
        now = self.world.now
        task.state = next_state(task.state, action)
        task.created_at = task.dispatched_at = now
        if action is Action.START:  # started by its owner: received, and claimed if offered
            task.acked_at = now
            task.assignee = task.assignee or actor
        task.due_at = self.due_time(node, now)
        task.check_at = next_check(node, task, self.world.calendar)
        self.changed(task)
        kind = "task_started" if action is Action.START else "task_dispatched"
        self.record(
            kind, node.id, task, actor, due_at=task.due_at.isoformat() if task.due_at else None
        )

    def hand_over(self, task: TaskRecord, login: str, action: Action) -> str:
        """Give ``task`` to ``login`` (``action``: a transfer, or a reassignment by an
        administrator or an escalation): it waits for their acknowledgement, whose reminders
        start again. Returns who had it."""
        state = next_state(task.state, action)
        before = task.assignee or "、".join(task.candidates)
        task.assignee, task.candidates = login, ()
        task.state, task.acked_at, task.dispatched_at = state, None, self.world.now
        task.sla_fired = tuple(k for k in task.sla_fired if not k.startswith("ack"))
        node = self.world.definition.node(task.node_id)
        task.check_at = next_check(node, task, self.world.calendar)
        self.changed(task)
        return before

    def cancel_tasks(self, tasks: Iterable[TaskRecord], reason: str) -> None:
        for task in list(tasks):
            if not task.is_open:
                continue
            task.state = next_state(task.state, Action.CANCEL)
            task.finished_at, task.check_at = self.world.now, None
            self.changed(task)
            self.record("task_cancelled", task.node_id, task, reason=reason)
        self.open_tasks = [t for t in self.open_tasks if t.is_open]

    def return_to(self, target: str, from_node: str) -> None:
        """Go back to an upstream node: cancel the work downstream of it, then enter it again."""
        below = downstream(self.world.definition, target)
        self.cancel_tasks([t for t in self.open_tasks if t.node_id in below], reason="returned")
        self.decision.calls_cancelled += calling_nodes(self.world.definition, below)
        joins = self.tokens.joins
        for join_id, arrived in joins.items():
            joins[join_id] = [n for n in arrived if n not in below]
        self.record("returned_to", from_node, target=target)
        self.enter(target, None)


def refuse_going_back(world: World, instance: InstanceRecord, task: TaskRecord | None) -> None:
    """A person's command must not come from before the last recorded change of its task
    or its instance (a simulated clock set back, clocks of nodes far apart): its history
    would go back in time."""
    last = instance.changed_at
    if task is not None:
        # a waiting task's dispatched_at is when it is planned to start, not a change
        dispatched = None if task.state.value == "waiting" else task.dispatched_at
        for at in (task.created_at, task.acked_at, dispatched, task.finished_at):
            if at is not None and (last is None or at > last):
                last = at
    if last is None or world.now >= last:
        return
    zone = _zone(world.calendar.tz)
    when = {"last": _local(last, zone), "now": _local(world.now, zone)}
    if task is None:
        raise ConflictError(
            "instance.before_last_change", business_key=instance.business_key, **when
        )
    raise ConflictError("task.before_last_change", task=task.id, **when)


def _local(at: datetime, zone: Any) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


_ENTER = {
    NodeType.INITIATE: Flow._enter_initiate,
    NodeType.APPROVAL: Flow._enter_task,
    NodeType.CONFIRM: Flow._enter_task,
    NodeType.HANDLE: Flow._enter_task,
    NodeType.FEEDBACK: Flow._enter_task,
    NodeType.MILESTONE: Flow._enter_task,
    NodeType.MULTI_INSTANCE: Flow._enter_multi,
    NodeType.EXCLUSIVE: Flow._enter_exclusive,
    NodeType.PARALLEL: Flow._enter_parallel,
    NodeType.JOIN: Flow._enter_join,
    NodeType.SERVICE: Flow._enter_automatic,
    NodeType.NOTIFY: Flow._enter_automatic,
    NodeType.ARCHIVE: Flow._enter_automatic,
    NodeType.END: Flow._enter_end,
}
