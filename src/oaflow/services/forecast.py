"""The completion forecast of the running instances (issue 15, MTR): for each instance the
caller may see, when it is expected to finish (median and 90th percentile) by the history
of its remaining nodes on the business calendar, the deadline it is held to, and whether it
is on track, at risk or late. The arithmetic is domain/forecast.py's; here the history,
the instances and their open tasks are read — the history of every node from the metrics'
daily roll-up over ``HISTORY`` (services/metric_days.py), the running instances a page at a
time through the instance list's conditions (index on state, process; each page after the
last id of the one before), and their open tasks and unfinished service calls a page at a
time (indexes on instance, state) — never a query per instance. An instance is at the
nodes of its open tasks and of its unfinished calls.

The history is every finished task of the process's nodes, not only those the caller may
see: it is a duration per node, not anything of another instance, and a forecast from part
of the history would differ by who asks.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from oaflow.domain import forecast as fc
from oaflow.domain.definition import Node, NodeType, ProcessDefinition
from oaflow.domain.errors import OAFlowError
from oaflow.domain.forecast import Estimate, ForecastState, OpenNode, Source
from oaflow.domain.histogram import Spread
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.rollup import NODE, of_kind
from oaflow.domain.security import Principal, Scope
from oaflow.domain.states import InstanceState, TaskState
from oaflow.domain.text import Text
from oaflow.engine.assign import context_of
from oaflow.engine.plans import planned_completion
from oaflow.engine.rules import choose_route
from oaflow.services import authz, metric_days, queries
from oaflow.services.app import App
from oaflow.services.metrics import check_process
from oaflow.services.view_parts import Names, node_ref
from oaflow.services.views import NodeRef, Person
from oaflow.storage import instance_list, service_repo
from oaflow.storage import runtime_reads as reads
from oaflow.storage.metrics_sql import Window

#: how far back the history of the nodes' durations reaches
HISTORY = timedelta(days=180)
#: running instances and open tasks read per query
PAGE = 200
EVERYTHING = Scope(everything=True)


@dataclass(frozen=True)
class NodeHistory:
    """What the forecast took a node's duration to be (working seconds) and from where."""

    node: NodeRef
    median: int  # working seconds
    p90: int
    source: Source  # history | limit | default
    samples: int  # its finished tasks in the history


@dataclass(frozen=True)
class InstanceForecast:
    instance_id: int
    business_key: str
    title: str
    process: str
    process_name: Text
    initiator: Person
    started_at: datetime
    current: tuple[NodeRef, ...]  # the nodes of its open tasks
    owners: tuple[str, ...]  # the logins its open tasks are with (assignees or candidates)
    median: datetime  # expected completion: half of such instances finish by then
    p90: datetime  # nine in ten by then
    remaining_median: int  # working seconds left
    remaining_p90: int
    deadline: datetime | None  # None: no planned dates nor time limits to be held to
    state: ForecastState
    nodes: tuple[NodeHistory, ...]  # the nodes counted from now to the end

    @property
    def at_risk(self) -> bool:
        return self.state is ForecastState.AT_RISK


def forecasts(
    app: App, who: Principal, process: str | None = None, not_on_track: bool = False
) -> tuple[InstanceForecast, ...]:
    """The forecast of every running instance ``who`` may see (of ``process`` only when it
    is given; only those at risk or late with ``not_on_track``, kept while the pages are
    read, so that memory follows them), the nearest deadline first (those without one
    last)."""
    now = app.now()
    with authz.scoped_read(app, who) as (conn, scope):
        check_process(conn, process)
        return running_forecasts(app, conn, scope, process, now, not_on_track)


def running_forecasts(
    app: App,
    conn: Connection,
    scope: Scope,
    process: str | None,
    now: datetime,
    not_on_track: bool = False,
) -> tuple[InstanceForecast, ...]:
    """On ``conn``: the forecasts of the running instances in ``scope`` at ``now`` (only
    those at risk or late with ``not_on_track``)."""
    return tuple(sorted(_made(app, conn, scope, process, now, not_on_track), key=_urgency))


@dataclass(frozen=True)
class Urgent:
    """The running instances at risk or late: the most urgent few, and how many in all."""

    listed: tuple[InstanceForecast, ...]
    total: int


def most_urgent(
    app: App, conn: Connection, scope: Scope, process: str | None, limit: int
) -> Urgent:
    """On ``conn``: the ``limit`` most urgent running instances of ``scope`` at risk or late
    now, and how many there are: memory for ``limit`` forecasts, however many instances run
    (the review's list; ``forecasts`` lists them all)."""
    now = app.now()
    counted = 0

    def counting(found: Iterator[InstanceForecast]) -> Iterator[InstanceForecast]:
        nonlocal counted
        for made in found:
            counted += 1
            yield made

    made = counting(_made(app, conn, scope, process, now, not_on_track=True))
    listed = heapq.nsmallest(limit, made, key=_urgency)
    for _ in made:  # nsmallest(0, …) reads nothing: every one is still counted
        pass
    return Urgent(tuple(listed), counted)


def _made(
    app: App,
    conn: Connection,
    scope: Scope,
    process: str | None,
    now: datetime,
    not_on_track: bool,
) -> Iterator[InstanceForecast]:
    """The forecasts of the running instances, one at a time, as their pages are read."""
    history = _history(app, conn, now, process)
    names = Names(app.org(conn))
    for instance, open_tasks, calls in _running(app, conn, scope, now, process):
        made = _forecast(app, conn, names, history, instance, open_tasks, now, calls)
        if not not_on_track or made.state is not ForecastState.ON_TRACK:
            yield made


def forecast_of(app: App, who: Principal, business_key: str) -> InstanceForecast | None:
    """The forecast of one instance ``who`` may see (not found otherwise); None when it is
    not running."""
    now = app.now()
    with app.db.read() as conn:
        instance = queries.find_instance(app, conn, who, business_key)
        if instance.state is not InstanceState.RUNNING:
            return None
        history = _history(app, conn, now, instance.definition_key)
        ids = [instance.id or 0]
        open_tasks = reads.open_tasks_of_instances(conn, app.sensitive, ids)
        calls = [node for _, node in service_repo.open_call_nodes(conn, ids)]
        names = Names(app.org(conn))
        return _forecast(app, conn, names, history, instance, open_tasks, now, calls)


def _urgency(f: InstanceForecast) -> tuple[int, datetime, str]:
    order = {ForecastState.LATE: 0, ForecastState.AT_RISK: 1, ForecastState.ON_TRACK: 2}
    return (order[f.state], f.deadline or f.p90, f.business_key)


def _history(
    app: App, conn: Connection, now: datetime, process: str | None
) -> dict[tuple[str, str], Spread]:
    window = Window(now - HISTORY, now, process, EVERYTHING)
    tallies = metric_days.task_tallies(app, conn, window, (NODE,))
    return {(key[1], key[2]): tally.work_spread for key, tally in of_kind(tallies, NODE).items()}


def _running(
    app: App, conn: Connection, scope: Scope, now: datetime, process: str | None
) -> Iterator[tuple[InstanceRecord, list[TaskRecord], list[str]]]:
    """The running instances in ``scope`` with their open tasks and the nodes of their
    unfinished service calls, a page at a time."""
    running = instance_list.pages(
        conn, app.sensitive, scope, now, PAGE, process=process, state="running"
    )
    for page in running:
        ids = [i.id or 0 for i in page]
        tasks: dict[int, list[TaskRecord]] = {i: [] for i in ids}
        for task in reads.open_tasks_of_instances(conn, app.sensitive, ids):
            tasks[task.instance_id].append(task)
        calls: dict[int, list[str]] = {i: [] for i in ids}
        for instance_id, node in service_repo.open_call_nodes(conn, ids):
            calls[instance_id].append(node)
        yield from ((i, tasks[i.id or 0], calls[i.id or 0]) for i in page)
        del page, tasks, calls  # not held while the next page is read


def _forecast(
    app: App,
    conn: Connection,
    names: Names,
    history: Mapping[tuple[str, str], Spread],
    instance: InstanceRecord,
    open_tasks: Sequence[TaskRecord],
    now: datetime,
    calls: Sequence[str] = (),
) -> InstanceForecast:
    definition = app.definition(conn, instance.definition_id)
    calendar = app.calendar
    estimates = _estimates(app, definition, history)
    route = _router(definition, instance)
    at = _open_nodes(app, open_tasks, now) + [OpenNode(n) for n in dict.fromkeys(calls)]
    left = fc.remaining(definition, at, estimates, route)
    median, p90 = fc.completion(calendar, now, left)
    plans = _plans(app, definition, instance)
    due = fc.deadline(definition, instance.started_at, plans, calendar, route)
    current = tuple(dict.fromkeys([*(t.node_id for t in open_tasks), *calls]))
    owners = (p for t in open_tasks for p in ((t.assignee,) if t.assignee else t.candidates))
    return InstanceForecast(
        instance_id=instance.id or 0,
        business_key=instance.business_key,
        title=instance.title,
        process=instance.definition_key,
        process_name=definition.name,
        initiator=names.known(instance.initiator),
        started_at=instance.started_at,
        current=tuple(node_ref(definition, n) for n in current),
        owners=tuple(dict.fromkeys(owners)),
        median=median,
        p90=p90,
        remaining_median=round(left.median),
        remaining_p90=round(left.p90),
        deadline=due,
        state=fc.state_of(p90, due, now),
        nodes=tuple(_used(definition, estimates, n) for n in left.nodes if n in estimates),
    )


def _estimates(
    app: App, definition: ProcessDefinition, history: Mapping[tuple[str, str], Spread]
) -> dict[str, Estimate]:
    """Each node that takes people's time (task nodes, and the start when it was sent back
    to the initiator) with its duration by the history, its limit, or the default."""
    found = {}
    for node in definition.nodes.values():
        work = history.get((definition.key, node.id))
        if not node.is_task and work is None:
            continue
        samples = work.count if work else 0
        median, p90 = (work.median, work.p90) if work else (None, None)
        found[node.id] = fc.estimate_for(node, samples, median, p90, app.calendar)
    return found


def _router(definition: ProcessDefinition, instance: InstanceRecord) -> fc.Router:
    """Where a gateway leads by the instance's data now; None when its rules read values
    not given yet (a later step's outputs)."""
    context = context_of(instance)

    def route(node: Node) -> str | None:
        if node.type is not NodeType.EXCLUSIVE:
            return None
        try:
            return choose_route(node, definition.decision_tables, context)
        except OAFlowError:
            return None

    return route


def _open_nodes(app: App, open_tasks: Sequence[TaskRecord], now: datetime) -> list[OpenNode]:
    """Each node with open tasks, with the working time its longest-open task has taken;
    a task waiting for a planned start later than now waits until then."""
    found: dict[str, OpenNode] = {}
    for task in open_tasks:
        start = task.dispatched_at if task.state is TaskState.WAITING else None
        if start is not None and start > now:
            at = OpenNode(task.node_id, 0.0, _working(app, now, start))
        elif task.state is TaskState.WAITING:  # waits for its owner to start it: not begun
            at = OpenNode(task.node_id)
        else:
            at = OpenNode(task.node_id, _working(app, task.created_at, now))
        known = found.get(task.node_id)
        if known is None or (at.elapsed, -at.wait) > (known.elapsed, -known.wait):
            found[task.node_id] = at
    return list(found.values())


def _working(app: App, start: datetime, end: datetime) -> float:
    return max(0.0, app.calendar.working_hours_between(start, end) * 3600)


def _plans(
    app: App, definition: ProcessDefinition, instance: InstanceRecord
) -> dict[str, datetime]:
    """The planned completion dates the form gives (Template 1's key nodes, date fields)."""
    found = {}
    for node in definition.nodes.values():
        try:
            at = planned_completion(node, instance.data, app.calendar)
        except (OAFlowError, ValueError):  # a date the form holds in a shape not understood
            at = None
        if at is not None:
            found[node.id] = at
    return found


def _used(
    definition: ProcessDefinition, estimates: Mapping[str, Estimate], node: str
) -> NodeHistory:
    e = estimates[node]
    return NodeHistory(
        node_ref(definition, node), round(e.median), round(e.p90), e.source, e.samples
    )
