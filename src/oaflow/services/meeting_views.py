"""What the use cases of weekly meetings answer (MTG-1/2): typed views with UTC instants,
people and departments by their names in both languages; the adapters format them.

A meeting's report is kept as it was prepared (a JSON snapshot: ``snapshot`` writes one,
``report_of`` reads it back), so that the page, the Excel file and the message show what
the participants were sent, whatever happened since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oaflow.domain.exception_loop import STATE_LABELS
from oaflow.domain.meetings import ItemState, MeetingState
from oaflow.domain.text import Text
from oaflow.services.views import Dept, NodeRef, Person, Sla

MEETING_STATES = {
    MeetingState.PREPARED: Text("已准备，待录入决议", "prepared, no resolutions yet"),
    MeetingState.MINUTED: Text("已录入决议", "resolutions entered"),
    MeetingState.NO_RESOLUTIONS: Text("无决议", "no resolutions"),
}
ITEM_STATES = {ItemState.OPEN: Text("进行中", "open"), ItemState.DONE: Text("已完成", "done")}
WEEKDAY_NAMES = (
    Text("周一", "Monday"),
    Text("周二", "Tuesday"),
    Text("周三", "Wednesday"),
    Text("周四", "Thursday"),
    Text("周五", "Friday"),
    Text("周六", "Saturday"),
    Text("周日", "Sunday"),
)


@dataclass(frozen=True)
class ScheduleView:
    """A department's weekly meeting: when, who besides the derived participants, and
    when the next one is held and its report prepared."""

    id: int
    department: Dept
    weekday: int  # 0 = Monday
    weekday_name: Text
    at: str  # HH:MM, local
    prepare_hours: float
    participants: tuple[Person, ...]
    next_meeting: datetime | None
    next_report: datetime | None
    created_by: Person
    created_at: datetime


@dataclass(frozen=True)
class ProgressLine:
    """One open step of a running instance (Template 3's row, as the meeting sees it)."""

    business_key: str
    title: str
    process_name: Text
    node: NodeRef | None  # None: no open step (waiting)
    department: Dept | None
    owner: Person | None
    due_at: datetime | None
    sla: Sla
    remaining_hours: float | None
    delay_hours: float


@dataclass(frozen=True)
class ExceptionLine:
    """An open exception record of a running instance, with the resources it asks for."""

    code: str
    business_key: str
    node: NodeRef
    department: Dept | None
    description: str
    state: str
    state_label: Text
    cause_category: str
    resources: str
    reported_at: datetime


@dataclass(frozen=True)
class ActionItemView:
    """A resolution as a tracked action item (MTG-2)."""

    id: int
    meeting: str
    title: str
    owner: Person
    department: Dept | None
    due_at: datetime
    state: ItemState
    state_label: Text
    sla: Sla
    remaining_hours: float | None
    done_at: datetime | None
    done_note: str
    created_by: Person
    created_at: datetime


@dataclass(frozen=True)
class Report:
    """What the meeting looks at, as prepared before it (MTG-1)."""

    prepared_at: datetime
    running: int  # instances of the department running then
    progress: tuple[ProgressLine, ...]
    exceptions: tuple[ExceptionLine, ...]
    resources: tuple[ExceptionLine, ...]  # the open exceptions that ask for resources
    at_risk: tuple[ProgressLine, ...]  # open steps at risk or overdue
    earlier_actions: tuple[ActionItemView, ...]  # open items of earlier meetings


@dataclass(frozen=True)
class MeetingSummary:
    code: str
    department: Dept
    held_at: datetime
    state: MeetingState
    state_label: Text
    items: int
    open_items: int


@dataclass(frozen=True)
class MeetingView:
    code: str
    department: Dept
    held_at: datetime
    state: MeetingState
    state_label: Text
    prepared_at: datetime
    prepared_by: Person
    minutes_at: datetime | None
    reminded: bool  # the 24-hour reminder went out
    participants: tuple[Person, ...]
    report: Report
    actions: tuple[ActionItemView, ...]  # this meeting's resolutions
    may_resolve: bool  # the reader may enter resolutions


# -- the snapshot -------------------------------------------------------------------------
def _text(value: Text | None) -> dict[str, str] | None:
    return {"zh": value.zh, "en": value.en} if value is not None else None


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person(value: Person | None) -> dict[str, Any] | None:
    return {"login": value.login, "name": _text(value.name)} if value else None


def _dept(value: Dept | None) -> dict[str, Any] | None:
    return {"code": value.code, "name": _text(value.name)} if value else None


def _node(value: NodeRef | None) -> dict[str, Any] | None:
    return {"id": value.id, "name": _text(value.name)} if value else None


def snapshot(report: Report) -> dict[str, Any]:
    """``report`` as JSON for the meetings table."""
    return {
        "prepared_at": _time(report.prepared_at),
        "running": report.running,
        "progress": [_progress_json(p) for p in report.progress],
        "exceptions": [_exception_json(e) for e in report.exceptions],
        "earlier_actions": [_item_json(a) for a in report.earlier_actions],
    }


def _progress_json(line: ProgressLine) -> dict[str, Any]:
    return {
        "business_key": line.business_key,
        "title": line.title,
        "process_name": _text(line.process_name),
        "node": _node(line.node),
        "department": _dept(line.department),
        "owner": _person(line.owner),
        "due_at": _time(line.due_at),
        "sla": line.sla.value,
        "remaining_hours": line.remaining_hours,
        "delay_hours": line.delay_hours,
    }


def _exception_json(line: ExceptionLine) -> dict[str, Any]:
    return {
        "code": line.code,
        "business_key": line.business_key,
        "node": _node(line.node),
        "department": _dept(line.department),
        "description": line.description,
        "state": line.state,
        "cause_category": line.cause_category,
        "resources": line.resources,
        "reported_at": _time(line.reported_at),
    }


def _item_json(item: ActionItemView) -> dict[str, Any]:
    return {
        "id": item.id,
        "meeting": item.meeting,
        "title": item.title,
        "owner": _person(item.owner),
        "department": _dept(item.department),
        "due_at": _time(item.due_at),
        "state": item.state.value,
        "sla": item.sla.value,
        "remaining_hours": item.remaining_hours,
        "created_by": _person(item.created_by),
        "created_at": _time(item.created_at),
    }


def _to_text(value: Any) -> Text:
    return Text(value["zh"], value["en"])


def _to_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _to_person(value: Any) -> Person | None:
    return Person(value["login"], _to_text(value["name"])) if value else None


def _to_dept(value: Any) -> Dept | None:
    return Dept(value["code"], _to_text(value["name"])) if value else None


def _to_node(value: Any) -> NodeRef | None:
    return NodeRef(value["id"], _to_text(value["name"])) if value else None


def report_of(stored: dict[str, Any]) -> Report:
    """The report kept with a meeting, as a view."""
    progress = tuple(_progress_of(p) for p in stored["progress"])
    exceptions = tuple(_exception_of(e) for e in stored["exceptions"])
    return Report(
        prepared_at=_to_time(stored["prepared_at"]) or datetime.min,
        running=int(stored["running"]),
        progress=progress,
        exceptions=exceptions,
        resources=tuple(e for e in exceptions if e.resources),
        at_risk=tuple(p for p in progress if p.sla in AT_RISK),
        earlier_actions=tuple(_item_of(a) for a in stored["earlier_actions"]),
    )


AT_RISK = frozenset({Sla.AT_RISK, Sla.OVERDUE, Sla.EXCEPTION})


def _progress_of(value: dict[str, Any]) -> ProgressLine:
    return ProgressLine(
        business_key=value["business_key"],
        title=value["title"],
        process_name=_to_text(value["process_name"]),
        node=_to_node(value["node"]),
        department=_to_dept(value["department"]),
        owner=_to_person(value["owner"]),
        due_at=_to_time(value["due_at"]),
        sla=Sla(value["sla"]),
        remaining_hours=value["remaining_hours"],
        delay_hours=value["delay_hours"],
    )


def _exception_of(value: dict[str, Any]) -> ExceptionLine:
    return ExceptionLine(
        code=value["code"],
        business_key=value["business_key"],
        node=_to_node(value["node"]) or NodeRef("", Text("")),
        department=_to_dept(value["department"]),
        description=value["description"],
        state=value["state"],
        state_label=exception_state_label(value["state"]),
        cause_category=value["cause_category"],
        resources=value["resources"],
        reported_at=_to_time(value["reported_at"]) or datetime.min,
    )


def exception_state_label(state: str) -> Text:
    """An exception record's state in words (发现, 处理中 …)."""
    known = {s.value: label for s, label in STATE_LABELS.items()}
    return known.get(state, Text(state, state))


def _item_of(value: dict[str, Any]) -> ActionItemView:
    state = ItemState(value["state"])
    return ActionItemView(
        id=value["id"],
        meeting=value["meeting"],
        title=value["title"],
        owner=_to_person(value["owner"]) or Person("", Text("")),
        department=_to_dept(value["department"]),
        due_at=_to_time(value["due_at"]) or datetime.min,
        state=state,
        state_label=ITEM_STATES[state],
        sla=Sla(value["sla"]),
        remaining_hours=value["remaining_hours"],
        done_at=None,
        done_note="",
        created_by=_to_person(value["created_by"]) or Person("", Text("")),
        created_at=_to_time(value["created_at"]) or datetime.min,
    )
