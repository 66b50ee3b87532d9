"""Actions on a task that people of Chinese OA suites expect besides deciding it (APR-2):
transfer (转交), comment (评论), urge (催办), copy (抄送). Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from oaflow.domain.errors import ForbiddenError, InputError
from oaflow.domain.model import Decision, InstanceRecord, Message, TaskRecord, World
from oaflow.domain.states import Action, InstanceState, next_state
from oaflow.engine.added_signers import add_signer
from oaflow.engine.flow import Flow

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
    decision = Decision(instance)
    flow = Flow(world, decision, [task])
    if action is Action.ADD_SIGNER:  # note carries the position: before | after
        (login,) = people or ("",)
        node = world.definition.node(task.node_id)
        add_signer(flow, node, task, actor, login, note)
        return decision
    _ACTIONS[action](flow, task, actor, people, note)
    return decision


def _transfer(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if not task.may_act(actor):
        raise ForbiddenError(f"task {task.id} is not yours to transfer", "only its assignee may")
    _running(flow.instance)
    if len(people) != 1:
        raise InputError("a task is transferred to exactly one person", "give one --to LOGIN")
    (target,) = people
    user = flow.world.org.users.get(target)
    if user is None or not user.active:
        raise InputError(
            f"cannot transfer to '{target}': no such active user",
            "transfer to an active colleague (see `oaflow org users`)",
        )
    if target == actor:
        raise InputError("a task cannot be transferred to oneself", "name another person")
    next_state(task.state, Action.TRANSFER)  # only an open, not suspended task
    before = flow.hand_over(task, target)
    flow.record(
        "task_transferred", task.node_id, task, actor, before=before, after=target, note=note
    )


def move(world: World, instance: InstanceRecord, task: TaskRecord, admin: str, to: str) -> Decision:
    """An administrator moves an open task to another person (ORG-2), e.g. someone who left."""
    if admin not in world.org.users_with_role("administrator"):
        raise ForbiddenError(f"{admin} is not an administrator", "ask an administrator")
    user = world.org.users.get(to)
    if user is None or not user.active:
        raise InputError(
            f"cannot move tasks to '{to}': no such active user", "see `oaflow org users`"
        )
    decision = Decision(instance)
    flow = Flow(world, decision, [task])
    before = flow.hand_over(task, to)
    flow.record(
        "task_reassigned", task.node_id, task, admin, before=before, after=to, by="administrator"
    )
    return decision


def _comment(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if not note.strip():
        raise InputError("a comment needs text", "pass --note '...'")
    if not _takes_part(flow.instance, task, actor):
        raise ForbiddenError(
            f"{actor} does not take part in task {task.id}",
            "the assignee, the person who finished it or the initiator may comment",
        )
    flow.record("task_commented", task.node_id, task, actor, note=note)


def _urge(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if actor != flow.instance.initiator:
        raise ForbiddenError(
            f"only the initiator of {flow.instance.business_key} may urge",
            "ask the initiator to urge the task",
        )
    if not task.is_open:
        raise InputError(
            f"task {task.id} is {task.state.value}; there is nothing to urge", "urge an open task"
        )
    now = flow.world.now
    urged = flow.instance.tokens.setdefault("urged", {})
    last = urged.get(str(task.id))
    if last and now < datetime.fromisoformat(last) + URGE_INTERVAL:
        wait = datetime.fromisoformat(last) + URGE_INTERVAL - now
        raise InputError(
            f"task {task.id} was urged less than an hour ago",
            f"urge again in {int(wait.total_seconds() // 60) + 1} minutes",
        )
    urged[str(task.id)] = now.isoformat()
    people = (task.assignee,) if task.assignee else task.candidates
    _message(flow, task, "urge", people, note)
    flow.record("task_urged", task.node_id, task, actor, to=list(people), note=note)


def _copy(flow: Flow, task: TaskRecord, actor: str, people: tuple[str, ...], note: str) -> None:
    if not _takes_part(flow.instance, task, actor):
        raise ForbiddenError(
            f"{actor} does not take part in task {task.id}",
            "the assignee or the initiator may copy others in",
        )
    unknown = [p for p in people if p not in flow.world.org.users]
    if not people or unknown:
        raise InputError(
            f"cannot copy to {', '.join(unknown) or 'nobody'}",
            "name existing users: --to login1 --to login2",
        )
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
                "task_id": task.id,
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
            f"instance {instance.business_key} is {instance.state.value}",
            "only tasks of running instances can be transferred",
        )


_ACTIONS = {
    Action.TRANSFER: _transfer,
    Action.COMMENT: _comment,
    Action.URGE: _urge,
    Action.CC: _copy,
}
