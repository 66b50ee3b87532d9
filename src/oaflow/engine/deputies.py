"""Out-of-office delegation (ORG-3, 代理): new tasks of an absent person go to their deputy.

Applied to a decision's new tasks before they are written: a task for a user with a deputy
in force goes to the deputy and remembers the user (``on_behalf_of``); in a candidate group
absent members are replaced by their deputies. The ``task_created`` event says so.
"""

from __future__ import annotations

from oaflow.domain.model import Decision, TaskRecord
from oaflow.domain.org import Delegation


def delegate_new_tasks(decision: Decision, delegations: tuple[Delegation, ...]) -> None:
    """Give ``decision``'s new tasks to the deputies in ``delegations`` (those in force)."""
    if not delegations or not decision.new_tasks:
        return
    deputy_of = {d.user: d.deputy for d in delegations}
    for task in decision.new_tasks:
        replaced = _delegate(task, deputy_of)
        if replaced:
            _note_in_history(decision, task, replaced)


def _delegate(task: TaskRecord, deputy_of: dict[str, str]) -> dict[str, str]:
    """Change ``task``'s people; returns {original: deputy} for each one replaced."""
    if task.assignee is not None:
        deputy = deputy_of.get(task.assignee)
        if deputy is None or task.on_behalf_of is not None:
            return {}
        task.on_behalf_of, task.assignee = task.assignee, deputy
        return {task.on_behalf_of: deputy}
    replaced = {login: deputy_of[login] for login in task.candidates if login in deputy_of}
    if replaced:
        people = (replaced.get(login, login) for login in task.candidates)
        task.candidates = tuple(dict.fromkeys(people))
    return replaced


def _note_in_history(decision: Decision, task: TaskRecord, replaced: dict[str, str]) -> None:
    for event in decision.events:
        if event.kind == "task_created" and event.task is task:
            if task.assignee is not None:
                event.data["assignee"] = task.assignee
                event.data["on_behalf_of"] = task.on_behalf_of
            else:
                event.data["assignee"] = ",".join(task.candidates)
                event.data["deputies"] = dict(replaced)
