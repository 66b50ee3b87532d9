"""Exception records (EXC-1..4): opening one, and each step of its closed loop.

Overdue tasks open one automatically (``engine/checks.py``); the initiating or the
responsible department may open one on a node that has a task ("or by hand", EXC-2). Then:
the responsible department submits its report (异常处理说明) within 4 working hours, the
initiating department records the coordination's resolution (handling plan, handler, new
deadline — the linked task's deadline and owner change with it), the handler marks it
resolved, the initiating department verifies, and only then it closes; a closed record can
be reopened with a reason. The steps and their order are ``domain/exception_loop.py``'s
table. Every step is one decision on the record's instance: the record, the task, the
history and the messages to the parties are written in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oaflow.domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from oaflow.domain.exception_loop import (
    REPORT_REMINDER_HOURS,
    STEP_LABELS,
    STEP_WORDS,
    ExceptionEvent,
    ExceptionRecord,
    ExceptionState,
    ExceptionStep,
    after,
    due_events,
    next_check,
    report_due,
)
from oaflow.domain.ids import KeyScope, key_scope
from oaflow.domain.model import (
    Decision,
    ExceptionOpening,
    InstanceRecord,
    Message,
    TaskRecord,
    World,
)
from oaflow.domain.states import Action
from oaflow.domain.text import Text
from oaflow.engine.flow import Flow, refuse_going_back
from oaflow.engine.sla import next_check as task_next_check
from oaflow.engine.sla import recipients

#: the codes of exception records: ABN, year, month and a number counting per month
EXCEPTION_KEY = "ABN{yyyy}{MM}{seq:02}"
SYSTEM = "system"
MAX_TEXT = 2000
CONFIRMED = Text("异常已上报", "exception reported")


def exception_scope(world: World) -> KeyScope:
    """The code pattern of an exception opened now (its number is given when it is written)."""
    return key_scope(EXCEPTION_KEY, world.now.astimezone(ZoneInfo(world.calendar.tz)))


def opening(
    world: World, task: TaskRecord, node_id: str, description: str, reporter: str = SYSTEM
) -> ExceptionOpening:
    """A record to open now on ``task``, with the clock of its report (EXC-2)."""
    due = report_due(world.now, world.calendar)
    remind = min(world.calendar.add_working_hours(world.now, REPORT_REMINDER_HOURS), due)
    return ExceptionOpening(
        task,
        node_id,
        description,
        exception_scope(world),
        reporter,
        report_due_at=due,
        check_at=remind,
    )


def open_by_hand(
    world: World,
    instance: InstanceRecord,
    tasks: Sequence[TaskRecord],
    node_id: str,
    actor: str,
    description: str,
    records: Sequence[ExceptionRecord] = (),
) -> Decision:
    """``actor`` reports an exception on ``node_id``'s latest task of ``instance``. When a
    timer found one on that task already and nobody has reported it yet, ``actor`` becomes
    its reporter (上报人) with their description: one record, not two. ``records``: the
    instance's exception records."""
    refuse_going_back(world, instance, None)
    description = _text(description, "exception.no_description")
    if node_id not in world.definition.nodes:
        nodes = list(world.definition.nodes)
        raise NotFoundError(
            "exception.no_such_node", business_key=instance.business_key, node=node_id, nodes=nodes
        )
    task = _latest_task(instance, tasks, node_id)
    departments = set(world.org.users[actor].departments)
    if not departments & {instance.department, task.department or ""}:
        raise ForbiddenError("exception.not_concerned", login=actor)
    flow = Flow(world, instance, [task])
    found = [r for r in records if r.task_id == task.id and r.is_open]
    if found:
        record = found[-1]
        if record.reporter != SYSTEM or record.state is not ExceptionState.FOUND:
            raise ConflictError("exception.already_open", code=record.code, node=node_id)
        record.reporter, record.reported_at, record.description = actor, world.now, description
        flow.decision.exception_changes.append(record)
        flow.record("exception_confirmed", node_id, task, actor, code=record.code, note=description)
        _tell(flow, record, task, CONFIRMED, description, actor)
        return flow.decided()
    flow.decision.exceptions.append(opening(world, task, node_id, description, actor))
    flow.changed(task)
    flow.record("exception_opened", node_id, task, actor, description=description)
    return flow.decided()


def _latest_task(instance: InstanceRecord, tasks: Sequence[TaskRecord], node_id: str) -> TaskRecord:
    found = [t for t in tasks if t.node_id == node_id]
    if not found:
        raise InputError(
            "exception.node_not_reached", business_key=instance.business_key, node=node_id
        )
    return found[-1]


# -- the loop's steps ---------------------------------------------------------------------


def report(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord | None,
    record: ExceptionRecord,
    actor: str,
    *,
    category: str,
    cause: str,
    expected_at: datetime,
    resources: str,
    categories: Sequence[str],
) -> Decision:
    """The responsible department's report (异常处理说明): cause, expected resolution time,
    resources needed (EXC-2)."""
    flow = _begin(world, instance, task, record, ExceptionStep.REPORT)
    _responsible(world, record, task, actor)
    if category not in categories:
        raise InputError("exception.unknown_cause", cause=category, causes=list(categories))
    record.cause_category = category
    record.cause = _text(cause, "exception.no_cause")
    record.expected_at = _future(world, expected_at, "expected")
    record.resources = resources.strip()[:MAX_TEXT] or None
    record.explained_by, record.explained_at = actor, world.now
    zone = ZoneInfo(world.calendar.tz)
    detail = f"{category}：{record.cause}；{_local(record.expected_at, zone)}"
    if record.resources:
        detail += f"；{record.resources}"
    return _finish(flow, record, task, ExceptionStep.REPORT, actor, detail)


def coordinate(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord | None,
    record: ExceptionRecord,
    actor: str,
    *,
    plan: str,
    handler: str,
    deadline: datetime,
) -> Decision:
    """The coordination's resolution (EXC-3), recorded by the initiating department: the
    handling plan, the new owner and the new deadline. An open linked task takes both: its
    deadline moves, it goes to the new owner (who acknowledges it), its escalations start
    again from the new deadline."""
    flow = _begin(world, instance, task, record, ExceptionStep.COORDINATE)
    _initiating(world, instance, actor, ExceptionStep.COORDINATE, None)
    record.plan = _text(plan, "exception.no_plan")
    if handler not in world.org.users or not world.org.users[handler].active:
        raise InputError("exception.unknown_handler", login=handler)
    record.handler = handler
    record.planned_at = _future(world, deadline, "deadline")
    record.coordinated_by, record.coordinated_at = actor, world.now
    zone = ZoneInfo(world.calendar.tz)
    if task is not None and task.is_open:
        before = task.due_at
        task.due_at = record.planned_at
        # missed again, the node's escalation levels apply again from the new deadline
        task.sla_fired = tuple(k for k in task.sla_fired if not k.startswith("escalation"))
        if task.assignee != handler:
            was = flow.hand_over(task, handler, Action.REASSIGN)
            flow.record("task_reassigned", task.node_id, task, actor, before=was, after=handler)
        node = world.definition.node(task.node_id)
        task.check_at = task_next_check(node, task, world.calendar)
        flow.changed(task)
        flow.record(
            "deadline_moved",
            task.node_id,
            task,
            actor,
            code=record.code,
            before=before.isoformat() if before else None,
            after=record.planned_at.isoformat(),
        )
    name = world.org.user_name(handler, "zh")
    detail = f"{record.plan}；{name}；{_local(record.planned_at, zone)}"
    return _finish(flow, record, task, ExceptionStep.COORDINATE, actor, detail)


def resolve(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord | None,
    record: ExceptionRecord,
    actor: str,
    *,
    resolution: str,
) -> Decision:
    """The handler (or the responsible department) marks it resolved: it waits for the
    verification."""
    flow = _begin(world, instance, task, record, ExceptionStep.RESOLVE)
    if actor != record.handler:
        _responsible(world, record, task, actor)
    record.resolution = _text(resolution, "exception.no_resolution")
    record.resolved_by, record.resolved_at = actor, world.now
    return _finish(flow, record, task, ExceptionStep.RESOLVE, actor, record.resolution)


def verify(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord | None,
    record: ExceptionRecord,
    actor: str,
    *,
    passed: bool,
    result: str,
) -> Decision:
    """The initiating department verifies the resolution (EXC-4): passed, the record closes
    and the result goes to all parties; failed, it is handled again."""
    step = ExceptionStep.VERIFY if passed else ExceptionStep.REJECT
    flow = _begin(world, instance, task, record, step)
    _initiating(world, instance, actor, step, task)
    record.verification = _text(result, "exception.no_verification")
    record.verified_by, record.verified_at = actor, world.now
    if not passed:
        record.resolved_at = record.resolved_by = None
    return _finish(flow, record, task, step, actor, record.verification)


def reopen(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord | None,
    record: ExceptionRecord,
    actor: str,
    *,
    reason: str,
) -> Decision:
    """A closed record opens again, with a reason: it is coordinated or resolved anew."""
    flow = _begin(world, instance, task, record, ExceptionStep.REOPEN)
    _initiating(world, instance, actor, ExceptionStep.REOPEN, task)
    record.reopen_reason = _text(reason, "exception.no_reason")
    record.reopened += 1
    record.resolved_at = record.resolved_by = record.verified_at = record.verified_by = None
    record.verification = None
    return _finish(flow, record, task, ExceptionStep.REOPEN, actor, record.reopen_reason)


def check(
    world: World, instance: InstanceRecord, task: TaskRecord | None, record: ExceptionRecord
) -> Decision:
    """Handle the due events of the record's clock, once each, and reschedule it: the
    reminder of a report not submitted, its escalation at the deadline, a handling past its
    planned completion."""
    flow = Flow(world, instance, [task] if task is not None else [])
    if record.is_open:
        for event in due_events(record, world.calendar, world.now):
            record.sla_fired = (*record.sla_fired, event.key)
            _fire(flow, record, task, event)
    record.check_at = next_check(record, world.calendar) if record.is_open else None
    flow.decision.exception_changes.append(record)
    return flow.decided()


def _fire(
    flow: Flow, record: ExceptionRecord, task: TaskRecord | None, event: ExceptionEvent
) -> None:
    org, instance = flow.world.org, flow.instance
    if event.kind == "exception_report_reminder":
        names: tuple[str, ...] = ("responsible", "responsible_head")
    elif event.kind == "exception_report_overdue":
        names = ("responsible_head", "responsible_leader", "initiator_head", "initiator")
    else:
        names = ("responsible_head", "initiator_head")
    people = _people(names, record, task, instance, org)
    if event.kind == "exception_update":  # the handling is past its planned completion
        people = tuple(dict.fromkeys((record.handler or "", *people)))
        zh, en = "处理已超过计划完成时间", "the handling is past its planned completion"
    else:
        zone = ZoneInfo(flow.world.calendar.tz)
        due = _local(record.report_due_at, zone) if record.report_due_at else ""
        zh = f"异常处理说明应于 {due} 前提交"
        en = f"the exception report is due by {due}"
    flow.record(event.kind, record.node_id, task, None, code=record.code, key=event.key)
    flow.decision.messages.append(
        _message(flow, record, task, event.kind, people, f"{event.key}", zh, en)
    )


# -- the pieces ---------------------------------------------------------------------------


def _begin(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord | None,
    record: ExceptionRecord,
    step: ExceptionStep,
) -> Flow:
    refuse_going_back(world, instance, None)
    after(record.state, step, record.code)  # refused before anything is looked at
    return Flow(world, instance, [task] if task is not None else [])


def _finish(
    flow: Flow,
    record: ExceptionRecord,
    task: TaskRecord | None,
    step: ExceptionStep,
    actor: str,
    detail: str,
) -> Decision:
    record.state = after(record.state, step, record.code)
    record.check_at = next_check(record, flow.world.calendar)
    flow.decision.exception_changes.append(record)
    flow.record(
        f"exception_{step.value}", record.node_id, task, actor, code=record.code, note=detail
    )
    _tell(flow, record, task, STEP_LABELS[step], detail, actor)
    return flow.decided()


def _tell(
    flow: Flow,
    record: ExceptionRecord,
    task: TaskRecord | None,
    label: Text,
    detail: str,
    actor: str,
) -> None:
    """A step's news to every party of the record but its actor (results go to all
    parties, EXC-4)."""
    names = ("initiator", "initiator_head", "responsible", "responsible_head")
    people = _people(names, record, task, flow.instance, flow.world.org)
    everyone = (*people, record.reporter, record.handler, record.explained_by)
    told = tuple(dict.fromkeys(p for p in everyone if p and p not in (SYSTEM, actor)))
    key = f"{record.version}/{label.en.replace(' ', '_')}"
    message = _message(
        flow,
        record,
        task,
        "exception_update",
        told,
        key,
        f"{label.zh}：{detail}",
        f"{label.en}: {detail}",
    )
    message.data["actor"] = actor
    flow.decision.messages.append(message)


def _message(
    flow: Flow,
    record: ExceptionRecord,
    task: TaskRecord | None,
    event: str,
    people: tuple[str, ...],
    key: str,
    note_zh: str,
    note_en: str,
) -> Message:
    instance, definition = flow.instance, flow.world.definition
    node = definition.nodes.get(record.node_id)
    data: dict[str, Any] = {
        "business_key": instance.business_key,
        "title": instance.title,
        "process_zh": definition.name.zh,
        "process_en": definition.name.en,
        "code": record.code,
        "note_zh": note_zh,
        "note_en": note_en,
        "node_zh": node.name.zh if node else record.node_id,
        "node_en": node.name.en if node else record.node_id,
        "department": record.department,
    }
    return Message(key=f"{record.code}/{key}", event=event, recipients=people, task=task, data=data)


def _people(
    names: tuple[str, ...],
    record: ExceptionRecord,
    task: TaskRecord | None,
    instance: InstanceRecord,
    org: Any,
) -> tuple[str, ...]:
    if task is None:  # a record without its task: its department stands for it
        head = org.head_of(record.department or "")
        found = [instance.initiator, org.head_of(instance.department), head]
        return tuple(dict.fromkeys(p for p in found if p))
    return recipients(names, task, instance, org)


def _responsible(
    world: World, record: ExceptionRecord, task: TaskRecord | None, actor: str
) -> None:
    """The responsible department's members, and the task's owner, report and resolve."""
    if task is not None and actor == task.assignee:
        return
    user = world.org.users.get(actor)
    if user is None or (record.department or "") not in user.departments:
        department = world.org.departments.get(record.department or "")
        raise ForbiddenError(
            "exception.not_responsible",
            login=actor,
            code=record.code,
            department=department.name if department else record.department or "",
        )


def _initiating(
    world: World,
    instance: InstanceRecord,
    actor: str,
    step: ExceptionStep,
    task: TaskRecord | None,
) -> None:
    """The initiating department coordinates, verifies and reopens (EXC-3, EXC-4); whoever
    the process names in ``exception_verifiers`` verifies and reopens too (``task``: the
    record's task, which the names are relative to; None for the coordination)."""
    user = world.org.users.get(actor)
    if user is not None and instance.department in user.departments:
        return
    if task is not None and actor in verifiers(world, instance, task):
        return
    department = world.org.departments.get(instance.department)
    raise ForbiddenError(
        "exception.not_initiating",
        login=actor,
        step=STEP_WORDS[step],
        department=department.name if department else instance.department,
    )


def verifiers(world: World, instance: InstanceRecord, task: TaskRecord) -> tuple[str, ...]:
    """The people the process names to verify its exception records (besides the
    initiating department)."""
    return recipients(world.definition.exception_verifiers, task, instance, world.org)


def _text(value: str, code: str) -> str:
    value = value.strip()
    if not value:
        raise InputError(code)
    return value[:MAX_TEXT]


def _future(world: World, at: datetime, name: str) -> datetime:
    if at <= world.now:
        zone = ZoneInfo(world.calendar.tz)
        raise InputError(
            "exception.time_past", field=name, at=_local(at, zone), now=_local(world.now, zone)
        )
    return at


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
