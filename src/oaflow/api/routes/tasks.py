"""Tasks: one's inbox (待办) with filters, sorting and paging, one task with what its
handler needs, every action on it, and batch approval (RUN-3..5, APR-1..4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from oaflow.api.answers import typed
from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, Responses, language
from oaflow.api.schemas import (
    MAX_ID,
    AddSigner,
    Batch,
    Complete,
    Note,
    People,
    Progress,
    Return,
    Transfer,
)
from oaflow.domain.security import Principal
from oaflow.domain.states import Action, TaskState
from oaflow.engine.runtime import Command
from oaflow.services import queries, runtime
from oaflow.services.app import App
from oaflow.services.batch import BatchItem
from oaflow.services.views import InboxFilter, Sla, TaskDetail, TaskPage

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=COMMON)
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=TaskPage)
def inbox(
    app: TheApp,
    who: Who,
    process: str | None = None,
    state: TaskState | None = None,
    sla: Sla | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: Literal["due", "created", "priority"] = "due",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """One's open tasks (those one's deputy holds for one too), filtered, sorted, one page."""
    wanted = InboxFilter(process, state, sla, q=q, sort=sort, offset=offset, limit=limit)
    return typed(queries.inbox(app, who, wanted))


@router.get("/{task_id}", response_model=TaskDetail, responses=ONE)
def show(task_id: TaskId, app: TheApp, who: Who) -> Response:
    """One task: the form and earlier work it needs (sensitive fields masked unless the
    caller may read them), what it needs to finish, where it may be returned to."""
    return typed(queries.task_detail(app, who, task_id))


def _act(app: App, who: Principal, task_id: int, command: Command) -> Response:
    runtime.act(app, who, task_id, command)
    return typed(queries.task_detail(app, who, task_id))


ACTION: Responses = {**ONE, **CHANGE}


@router.post("/{task_id}/start", response_model=TaskDetail, responses=ACTION)
def start(task_id: TaskId, app: TheApp, who: Who) -> Response:
    """Start a task waiting for its owner (待启动)."""
    return _act(app, who, task_id, Command(Action.START, who.login))


@router.post("/{task_id}/ack", response_model=TaskDetail, responses=ACTION)
def ack(task_id: TaskId, app: TheApp, who: Who) -> Response:
    """Acknowledge a dispatched task (确认接收)."""
    return _act(app, who, task_id, Command(Action.ACK, who.login))


@router.post("/{task_id}/progress", response_model=TaskDetail, responses=ACTION)
def progress(task_id: TaskId, body: Progress, app: TheApp, who: Who) -> Response:
    """Report progress (percentage and note); ``waiting`` stops the SLA clock."""
    command = Command(
        Action.PROGRESS, who.login, progress=body.percent, note=body.note, waiting=body.waiting
    )
    return _act(app, who, task_id, command)


@router.post("/{task_id}/complete", response_model=TaskDetail, responses=ACTION)
def complete(task_id: TaskId, body: Complete, app: TheApp, who: Who) -> Response:
    """Finish a task with its required outputs and deliverables."""
    command = Command(
        Action.COMPLETE,
        who.login,
        note=body.note,
        outputs=body.fields,
        deliverables=body.deliverables,
    )
    return _act(app, who, task_id, command)


@router.post("/{task_id}/approve", response_model=TaskDetail, responses=ACTION)
def approve(task_id: TaskId, body: Note, app: TheApp, who: Who) -> Response:
    """Approve (审批通过); the process moves on by itself."""
    return _act(app, who, task_id, Command(Action.APPROVE, who.login, note=body.note))


@router.post("/{task_id}/reject", response_model=TaskDetail, responses=ACTION)
def reject(task_id: TaskId, body: Note, app: TheApp, who: Who) -> Response:
    """Reject (驳回): the node's rule ends the process or returns it."""
    return _act(app, who, task_id, Command(Action.REJECT, who.login, note=body.note))


@router.post("/{task_id}/return", response_model=TaskDetail, responses=ACTION)
def return_(task_id: TaskId, body: Return, app: TheApp, who: Who) -> Response:
    """Return (退回) to an earlier step that was reached (see the task's ``returnable``)."""
    command = Command(Action.RETURN, who.login, note=body.note, target=body.to)
    return _act(app, who, task_id, command)


@router.post("/{task_id}/suspend", response_model=TaskDetail, responses=ACTION)
def suspend(task_id: TaskId, body: Note, app: TheApp, who: Who) -> Response:
    """Suspend (挂起): the SLA clock stops."""
    return _act(app, who, task_id, Command(Action.SUSPEND, who.login, note=body.note))


@router.post("/{task_id}/resume", response_model=TaskDetail, responses=ACTION)
def resume(task_id: TaskId, app: TheApp, who: Who) -> Response:
    """Resume a suspended task; its deadline moves by the time it was suspended."""
    return _act(app, who, task_id, Command(Action.RESUME, who.login))


def _annotate(
    app: App, who: Principal, task_id: int, action: Action, people: tuple[str, ...], note: str
) -> Response:
    runtime.annotate(app, who, task_id, action, people, note)
    return typed(queries.task_detail(app, who, task_id))


@router.post("/{task_id}/transfer", response_model=TaskDetail, responses=ACTION)
def transfer(task_id: TaskId, body: Transfer, app: TheApp, who: Who) -> Response:
    """Transfer (转交) one's task to a colleague."""
    return _annotate(app, who, task_id, Action.TRANSFER, (body.to,), body.note)


@router.post("/{task_id}/add-signer", response_model=TaskDetail, responses=ACTION)
def add_signer(task_id: TaskId, body: AddSigner, app: TheApp, who: Who) -> Response:
    """Add a signer before (前加签) or after (后加签) oneself."""
    return _annotate(app, who, task_id, Action.ADD_SIGNER, (body.to,), body.position)


@router.post("/{task_id}/urge", response_model=TaskDetail, responses=ACTION)
def urge(task_id: TaskId, body: Note, app: TheApp, who: Who) -> Response:
    """Urge (催办): the initiator reminds the assignee now (once an hour at most)."""
    return _annotate(app, who, task_id, Action.URGE, (), body.note)


@router.post("/{task_id}/copy", response_model=TaskDetail, responses=ACTION)
def copy(task_id: TaskId, body: People, app: TheApp, who: Who) -> Response:
    """Copy (抄送) people in: they are told, they get no task."""
    return _annotate(app, who, task_id, Action.CC, tuple(body.to), body.note)


@router.post("/{task_id}/comment", response_model=TaskDetail, responses=ACTION)
def comment(task_id: TaskId, body: Note, app: TheApp, who: Who) -> Response:
    """Comment (评论) on a task one takes part in."""
    return _annotate(app, who, task_id, Action.COMMENT, (), body.note)


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one task of a batch: approved, or (a race) why not."""

    task_id: int
    ok: bool
    state: TaskState | None = None
    code: str | None = None
    error: str | None = None


@router.post("/approve-batch", response_model=list[BatchOutcome], responses=CHANGE)
def approve_batch(body: Batch, request: Request, app: TheApp, who: Who) -> list[BatchOutcome]:
    """Approve several tasks (批量审批): checked as a whole first (any unknown, foreign,
    closed or non-approval item refuses the batch), then each in its own transaction; an
    item changed by someone else meanwhile fails alone."""
    lang = language(request)
    return [_outcome(item, lang) for item in runtime.approve_batch(app, who, body.tasks, body.note)]


def _outcome(item: BatchItem, lang: str) -> BatchOutcome:
    if item.error is None:
        return BatchOutcome(item.task_id, item.ok, item.state)
    return BatchOutcome(item.task_id, False, None, item.error.code, item.error.text(lang))
