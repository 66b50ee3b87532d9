"""Actions on a task that people of Chinese OA suites expect besides deciding it (APR-2):
transfer (转交), comment (评论), urge (催办), copy (抄送). Pure."""

from __future__ import annotations

from datetime import timedelta

from oaflow.domain.errors import ForbiddenError, InputError
from oaflow.domain.labels import INSTANCE_STATES, TASK_STATES
from oaflow.domain.model import Decision, InstanceRecord, Message, TaskRecord, World
from oaflow.domain.states import Action, InstanceState
from oaflow.engine.added_signers import add_signer
from oaflow.engine.flow import Flow, refuse_going_back

URGE_INTERVAL = timedelta(hours=1)  # 催办 at most once an hour per task


def annotate(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord,
    action: Action,
    actor: str,
    people: tuple[str, ...] = (),
    note: str = "",
) -> Decision:
    refuse_going_back(world, instance, task)
    flow = Flow(world, instance, [task])
    if action is Action.ADD_SIGNER:  # note carries the position: before | after
        (login,) = people or ("",)
        node = world.definition.node(task.node_id)
        add_signer(flow, node, task, actor, login, note)
    else:
        _ACTIONS[action](flow, task, actor, people, note)
    return flow.decided()


def _transfer(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if not task.may_act(actor):
        raise ForbiddenError("transfer.not_your_task", task=task.id)
    _running(flow.instance)
    if len(people) != 1:
        raise InputError("transfer.one_person", count=len(people))
    (target,) = people
    user = flow.world.org.users.get(target)
    if user is None or not user.active:
        raise InputError("transfer.no_such_user", login=target)
    if target == actor:
        raise InputError("transfer.to_oneself", login=actor)
    before = flow.hand_over(task, target, Action.TRANSFER)  # only an open, not suspended task
    flow.record(
        "task_transferred", task.node_id, task, actor, before=before, after=target, note=note
    )


def move(world: World, instance: InstanceRecord, task: TaskRecord, admin: str, to: str) -> Decision:
    """An administrator moves an open task to another person (ORG-2), e.g. someone who left."""
    refuse_going_back(world, instance, task)  # the services checked that it is an administrator
    user = world.org.users.get(to)
    if user is None or not user.active:
        raise InputError("move.no_such_user", login=to)
    flow = Flow(world, instance, [task])
    before = flow.hand_over(task, to, Action.REASSIGN)
    flow.record(
        "task_reassigned", task.node_id, task, admin, before=before, after=to, by="administrator"
    )
    return flow.decided()


def _comment(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if not note.strip():
        raise InputError("comment.empty", task=task.id)
    if not _takes_part(flow.instance, task, actor):
        raise ForbiddenError("comment.not_taking_part", login=actor, task=task.id)
    flow.record("task_commented", task.node_id, task, actor, note=note)


def _urge(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if actor != flow.instance.initiator:
        raise ForbiddenError("urge.not_initiator", business_key=flow.instance.business_key)
    if not task.is_open:
        raise InputError("urge.task_closed", task=task.id, state=TASK_STATES[task.state])
    now, urged = flow.world.now, flow.tokens.urged
    last = urged.get(task.id or 0)
    if last is not None and now < last + URGE_INTERVAL:
        wait = last + URGE_INTERVAL - now
        minutes = int(wait.total_seconds() // 60) + 1
        raise InputError("urge.too_soon", task=task.id, minutes=minutes)
    urged[task.id or 0] = now
    people = (task.assignee,) if task.assignee else task.candidates
    _message(flow, task, "urge", people, note)
    flow.record("task_urged", task.node_id, task, actor, to=list(people), note=note)


def _copy(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if not _takes_part(flow.instance, task, actor):
        raise ForbiddenError("cc.not_taking_part", login=actor, task=task.id)
    if not people:
        raise InputError("cc.nobody", task=task.id)
    unknown = [p for p in people if p not in flow.world.org.users]
    if unknown:
        raise InputError("cc.unknown_users", logins=unknown)
    _message(flow, task, "cc", people, note)
    flow.record("task_copied", task.node_id, task, actor, to=list(people), note=note)


def _message(flow: Flow, task: TaskRecord, event: str, people: tuple[str, ...], note: str) -> None:
    instance, node = flow.instance, flow.world.definition.node(task.node_id)
    seq = instance.event_seq + len(flow.decision.events) + 1  # the history entry it belongs to
    flow.decision.messages.append(
        Message(
            key=f"{instance.business_key}/{task.id}/{event}/{seq}",
            event=event,
            recipients=people,
            task=task,
            data={
                "business_key": instance.business_key,
                "title": instance.title,
                "node_zh": node.name.zh,
                "node_en": node.name.en,
                "note": note,
            },
        )
    )


def _takes_part(instance: InstanceRecord, task: TaskRecord, login: str) -> bool:
    return (
        task.may_act(login)
        or login in (task.finished_by, instance.initiator)
        or (login in task.candidates)
    )


def _running(instance: InstanceRecord) -> None:
    if instance.state is not InstanceState.RUNNING:
        raise InputError(
            "transfer.instance_not_running",
            business_key=instance.business_key,
            state=INSTANCE_STATES[instance.state],
        )


_ACTIONS = {
    Action.TRANSFER: _transfer,
    Action.COMMENT: _comment,
    Action.URGE: _urge,
    Action.CC: _copy,
}
