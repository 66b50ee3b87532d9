"""Return to the initiator for revision (退回发起人): when the flow comes back to the
initiate node (a rejection with ``on_reject: <the initiate node>``), the initiator gets a
task there to edit the form and resubmit it; completing it with fields updates the form
data, and the process goes on from the initiate node. The first pass stays automatic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oaflow.domain.definition import Node
from oaflow.domain.errors import InputError
from oaflow.domain.model import TaskRecord
from oaflow.engine.assign import Party

if TYPE_CHECKING:
    from oaflow.engine.flow import Flow


def is_resubmission(flow: Flow, node: Node) -> bool:
    """Whether the flow has come back to the initiate ``node`` (it was entered before)."""
    return flow.tokens.visits.get(node.id, 0) > 1


def ask_initiator(flow: Flow, node: Node) -> None:
    """Give the initiator a task at the initiate node: revise the form and resubmit."""
    instance = flow.instance
    flow.create_task(node, Party(instance.department, instance.initiator))


def take_revision(flow: Flow, task: TaskRecord, fields: Mapping[str, Any]) -> None:
    """The initiator resubmits: ``fields`` (form fields, valid as the form says) replace
    those of the form data."""
    from oaflow.domain.forms import STANDARD_FIELDS, check_values

    instance, definition = flow.instance, flow.world.definition
    form = [*STANDARD_FIELDS, *definition.form]
    known = {f.name for f in form}
    unknown = sorted(name for name in fields if name not in known)
    if unknown:
        raise InputError("revise.not_form_fields", names=unknown, known=sorted(known))
    department = fields.get("department", instance.department)
    if department != instance.department:
        raise InputError("revise.department_fixed", department=instance.department)
    problems = check_values(form, {**instance.data, **fields})
    if problems:
        raise InputError("revise.form_invalid", task=task.id, problems=list(problems))
    instance.data.update(fields)
    instance.title = str(instance.data.get("title") or instance.title)
    instance.priority = str(instance.data.get("priority") or instance.priority)
