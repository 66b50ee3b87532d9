"""The task board (看板, MON-3): the open tasks of the instances one may see, in columns by
state, filterable by department, process, owner and priority. Dragging a card performs the
action the move means — pending → acknowledged acknowledges (确认接收), waiting → pending
starts a node waiting for its owner — and any other move is refused; the card goes back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from oaflow.api.schemas import MAX_ID
from oaflow.domain.errors import OAFlowError
from oaflow.domain.states import Action, TaskState
from oaflow.engine.runtime import Command
from oaflow.services import catalog, organisation, queries, runtime
from oaflow.services.views import BoardFilter
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp

router = APIRouter()
COLUMNS = (TaskState.WAITING, TaskState.PENDING, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS,
           TaskState.SUSPENDED)  # fmt: skip
#: the moves a drag may make, and the action each performs
MOVES = {
    (TaskState.PENDING, TaskState.ACKNOWLEDGED): Action.ACK,
    (TaskState.WAITING, TaskState.PENDING): Action.START,
}
Filter = Annotated[str | None, Query(max_length=64)]
#: the most cards a column shows (the soonest due first); the filters narrow the rest
CARDS = 60


@router.get("/board")
def board(
    request: Request,
    app: TheApp,
    viewer: Seen,
    process: Filter = None,
    department: Filter = None,
    owner: Filter = None,
    priority: Filter = None,
) -> Response:
    wanted = BoardFilter(process or None, department or None, owner or None, priority or None)
    tasks = queries.board(app, viewer.principal, wanted)
    columns = []
    for state in COLUMNS:
        cards = [t for t in tasks if t.state is state]
        columns.append((state, cards[:CARDS], len(cards)))
    people = organisation.users(app, viewer.principal)
    departments = {d.code: d for p in people for d in p.departments}
    return render.page(
        request,
        app,
        viewer,
        "board.html",
        columns=columns,
        wanted=wanted,
        processes=catalog.list_published(app, viewer.principal),
        departments=sorted(departments.values(), key=lambda d: d.code),
        people=[p for p in people if p.active],
        moves=[f"{a.value}>{b.value}" for a, b in MOVES],
        most=CARDS,
    )


@router.post("/board/tasks/{task_id}/move")
def move(
    task_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    app: TheApp,
    viewer: Seen,
    source: Annotated[str, Form(alias="from", max_length=32)],
    target: Annotated[str, Form(alias="to", max_length=32)],
) -> Response:
    """A card dropped in another column: the action the move means, or a refusal (409)
    with why; the page puts the card back then."""
    lang = viewer.lang
    try:
        action = MOVES.get((TaskState(source), TaskState(target)))
    except ValueError:
        action = None
    if action is None:
        reason = render.word("move_not_allowed", lang)
        return HTMLResponse(render.word("board_refused", lang, reason=reason), status_code=409)
    try:
        runtime.act(app, viewer.principal, task_id, Command(action, viewer.login))
    except OAFlowError as error:
        reason = error.text(lang, app.calendar.tz)
        status = 404 if error.kind == "not_found" else 409
        return HTMLResponse(render.word("board_refused", lang, reason=reason), status_code=status)
    detail = queries.task_detail(app, viewer.principal, task_id)
    said = render.word(
        "board_moved", lang, key=detail.task.business_key, step=detail.task.node.name.get(lang)
    )
    return HTMLResponse(said)
