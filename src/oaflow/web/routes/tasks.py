"""The task page: what the handler needs (the form, earlier work, what to submit) and every
action of the approvals (acknowledge, progress, complete with deliverables, approve, reject,
return, transfer, add signer, urge, copy, comment). An action that cannot be taken shows
the page again with why, next to the form it came from; nothing is changed then."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError as InvalidBody

from oaflow.api.schemas import MAX_ID, AddSigner, Note, People, Progress, Return, Transfer
from oaflow.domain.errors import OAFlowError
from oaflow.domain.forms import check_values, from_form_text
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import deliverables, organisation, queries, runtime
from oaflow.services.views import FieldSpec, TaskDetail
from oaflow.web import render
from oaflow.web.formdata import field_errors, spec_fields
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: the actions a form may ask for, and the word that says each was done
ACTIONS = {
    "ack": "ack",
    "start": "start_task",
    "progress": "report_progress",
    "complete": "complete",
    "approve": "approve",
    "reject": "reject",
    "return": "return",
    "transfer": "transfer",
    "add-signer": "add_signer",
    "urge": "urge",
    "copy": "copy",
    "comment": "comment",
}


@router.get("/tasks/{task_id}")
def show(request: Request, task_id: TaskId, app: TheApp, viewer: Seen) -> Response:
    detail = queries.task_detail(app, viewer.principal, task_id)
    return _page(request, app, viewer, detail)


def _page(
    request: Request,
    app: Any,
    viewer: Viewer,
    detail: TaskDetail,
    status: int = 200,
    error: str = "",
    failed: str = "",
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    task_id = detail.task.id
    files = deliverables.files_of_task(app, viewer.principal, task_id)
    people = organisation.users(app, viewer.principal)
    return render.page(
        request,
        app,
        viewer,
        "task.html",
        status=status,
        d=detail,
        t=detail.task,
        files=files,
        people=[p for p in people if p.active and p.login != viewer.login],
        error=error,
        failed=failed,
        errors=errors or {},
        sent=sent or {},
    )


@router.post("/tasks/{task_id}/{action}")
async def act(
    request: Request, task_id: TaskId, action: str, app: TheApp, viewer: Seen
) -> Response:
    if action not in ACTIONS:
        return render.error_page(request, app, 404, render.word("not_found", viewer.lang))
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    lists = {k: [str(v) for v in form.getlist(k) if isinstance(v, str)] for k in form}
    try:
        _apply(app, viewer, task_id, action, values, lists)
    except InvalidBody as invalid:
        detail = queries.task_detail(app, viewer.principal, task_id)
        message = "; ".join(_said(e, viewer.lang) for e in invalid.errors())
        return _page(request, app, viewer, detail, 422, message, action, sent=values)
    except FieldsInvalid as invalid:
        detail = queries.task_detail(app, viewer.principal, task_id)
        message = render.word("fix_fields", viewer.lang)
        return _page(
            request, app, viewer, detail, 422, message, action, invalid.errors, sent=values
        )
    except OAFlowError as error:
        if error.kind == "not_found":
            raise
        detail = queries.task_detail(app, viewer.principal, task_id)
        message = error.text(viewer.lang, app.calendar.tz)
        status = 409 if error.kind == "conflict" else 422
        return _page(request, app, viewer, detail, status, message, action, sent=values)
    flash = render.word(
        "done_message", viewer.lang, action=render.word(ACTIONS[action], viewer.lang)
    )
    return RedirectResponse(f"/tasks/{task_id}?" + urlencode({"flash": flash}), status_code=303)


class FieldsInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _apply(
    app: Any,
    viewer: Viewer,
    task_id: int,
    action: str,
    values: dict[str, str],
    lists: dict[str, list[str]],
) -> None:
    who, login = viewer.principal, viewer.login
    note = values.get("note", "")
    if action in ("ack", "start"):
        verb = Action.ACK if action == "ack" else Action.START
        runtime.act(app, who, task_id, Command(verb, login))
    elif action == "progress":
        body = Progress.model_validate(
            {
                "percent": _int(values.get("percent", "")),
                "note": note,
                "waiting": values.get("waiting") == "on",
            }
        )
        command = Command(
            Action.PROGRESS, login, progress=body.percent, note=body.note, waiting=body.waiting
        )
        runtime.act(app, who, task_id, command)
    elif action == "complete":
        Note.model_validate({"note": note})
        detail = queries.task_detail(app, who, task_id)
        outputs = _outputs(detail.output_fields, lists, viewer.lang)
        files = {
            name: values[f"deliverable.{name}"]
            for name in detail.required_deliverables
            if values.get(f"deliverable.{name}")
        }
        command = Command(Action.COMPLETE, login, note=note, outputs=outputs, deliverables=files)
        runtime.act(app, who, task_id, command)
    elif action in ("approve", "reject"):
        Note.model_validate({"note": note})
        verb = Action.APPROVE if action == "approve" else Action.REJECT
        runtime.act(app, who, task_id, Command(verb, login, note=note))
    elif action == "return":
        back = Return.model_validate({"to": values.get("to", ""), "note": note})
        command = Command(Action.RETURN, login, note=back.note, target=back.to)
        runtime.act(app, who, task_id, command)
    elif action == "transfer":
        moved = Transfer.model_validate({"to": values.get("to", ""), "note": note})
        runtime.annotate(app, who, task_id, Action.TRANSFER, (moved.to,), moved.note)
    elif action == "add-signer":
        added = AddSigner.model_validate(
            {"to": values.get("to", ""), "position": values.get("position", "after")}
        )
        runtime.annotate(app, who, task_id, Action.ADD_SIGNER, (added.to,), added.position)
    elif action == "copy":
        copied = People.model_validate({"to": lists.get("to", []), "note": note})
        runtime.annotate(app, who, task_id, Action.CC, tuple(copied.to), copied.note)
    else:  # urge, comment
        Note.model_validate({"note": note})
        verb = Action.URGE if action == "urge" else Action.COMMENT
        runtime.annotate(app, who, task_id, verb, (), note)


def _outputs(
    fields: tuple[FieldSpec, ...], lists: dict[str, list[str]], lang: str
) -> dict[str, object]:
    """The outputs filled in the completion form, typed by their fields; every problem is
    shown next to its field and nothing is submitted."""
    domain_fields = spec_fields(fields)
    outputs = {f.name: from_form_text(f, lists.get(f"out.{f.name}", [])) for f in domain_fields}
    outputs = {k: v for k, v in outputs.items() if v is not None}
    problems = check_values(domain_fields, outputs)
    if problems:
        raise FieldsInvalid(field_errors(problems, lang))
    return outputs


def _int(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        return text


def _said(error: Any, lang: str) -> str:
    """A refused value (by the API's input models), in the viewer's language."""
    place = ".".join(str(p) for p in error.get("loc", ()))
    said = render.word("invalid_value", lang) if lang == "zh" else str(error.get("msg", ""))
    return f"{place}: {said}" if place else said
