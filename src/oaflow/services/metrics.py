"""The metrics of the processes (MTR-1..3) for a month, a quarter or a range of days: per
process, node and department the cycle times (average, median, 90th percentile; in working
and in calendar time), first-pass rate, exception rate, on-time rate, workload and
satisfaction; and the bottlenecks, nodes ranked by their delay past their time limit, each
with a sentence. Over the instances the caller may see: the finished work's tallies from the
daily roll-up (services/metric_days.py), the starts, workload and scores counted in SQL
(storage/metrics_sql.py); named and rated here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from oaflow.domain.errors import NotFoundError
from oaflow.domain.histogram import NO_SPREAD, Spread
from oaflow.domain.org import Organisation
from oaflow.domain.periods import TREND_MONTHS, Period, parse_period, trend_months
from oaflow.domain.rollup import NODE, PROCESS, Key, Tally, by_department, of_kind
from oaflow.domain.security import Principal, Scope
from oaflow.domain.text import Text
from oaflow.services import authz, metric_days
from oaflow.services.app import App
from oaflow.storage import exception_counts
from oaflow.storage import metrics_sql as sql
from oaflow.storage.metrics_sql import Window

__all__ = ["Spread"]  # for the adapters

NO_DEPARTMENT = Text("未指定部门", "No department")


@dataclass(frozen=True)
class ProcessMetric:
    key: str
    name: Text
    started: int  # instances started in the period
    running: int  # of those, still running
    completed: int  # instances completed in the period
    work: Spread  # their cycle time in working seconds
    span: Spread  # and in calendar seconds
    first_pass_rate: float | None  # completed without a rejection or return
    exception_rate: float | None  # completed with an exception record
    on_time_rate: float | None  # completed with no task late
    satisfaction: float | None  # the average score (1-5) of the answered surveys
    answered: int
    asked: int


@dataclass(frozen=True)
class NodeMetric:
    process: str
    node: str
    process_name: Text
    name: Text
    limit_hours: float | None  # its time limit, when it has one
    basis: str  # of the limit: working | calendar
    tasks: int  # finished in the period
    work: Spread
    span: Spread
    first_pass_rate: float | None  # of its visits, those passed at once
    on_time_rate: float | None  # of its tasks with a deadline, those on time
    exception_rate: float | None  # of its tasks, those an exception was opened on
    late: int  # tasks finished late
    late_instances: int  # instances with a late task here
    late_days: float  # their average working days past the deadline (0 when none)
    late_total_days: float


@dataclass(frozen=True)
class DepartmentMetric:
    code: str
    name: Text
    received: int
    done: int
    still_open: int  # of those received in the period, not finished by its end
    work: Spread
    first_pass_rate: float | None
    on_time_rate: float | None
    exception_rate: float | None
    satisfaction: float | None  # the average score it gave
    answered: int


@dataclass(frozen=True)
class Bottleneck:
    """A node that finished late in the period, at its place (1: the worst)."""

    place: int
    node: NodeMetric
    sentence: Text  # 预算审批 平均超时 3.0 天（14 个实例）


@dataclass(frozen=True)
class Metrics:
    period: Period
    process: str | None
    day_hours: float  # working hours of a working day, what "days" count in
    processes: tuple[ProcessMetric, ...]
    nodes: tuple[NodeMetric, ...]
    departments: tuple[DepartmentMetric, ...]
    bottlenecks: tuple[Bottleneck, ...]


def metrics(app: App, who: Principal, period: str, process: str | None = None) -> Metrics:
    """The metrics of ``period`` (2024-03, 2024-Q1, 2024-01-15..2024-02-14) over the
    instances ``who`` may see, of ``process`` only when it is given."""
    found = parse_period(period, app.calendar.tz)
    with authz.scoped_read(app, who) as (conn, scope):
        check_process(conn, process)
        return metrics_on(app, conn, found, process, scope)


def metrics_on(
    app: App, conn: Connection, found: Period, process: str | None, scope: Scope
) -> Metrics:
    """On ``conn``: the metrics of the period ``found`` over the instances of ``scope``."""
    window = Window(found.start, found.end, process, scope)
    day_seconds = app.calendar.day_length.total_seconds()
    org = app.org(conn)
    processes = _processes(app, conn, window)
    finished = metric_days.task_tallies(app, conn, window)
    nodes = tuple(
        _node(app, conn, key, tally, day_seconds) for key, tally in of_kind(finished, NODE).items()
    )
    departments = _departments(conn, window, org, by_department(finished))
    return Metrics(
        period=found,
        process=process,
        day_hours=day_seconds / 3600,
        processes=processes,
        nodes=nodes,
        departments=departments,
        bottlenecks=bottlenecks(nodes),
    )


def check_process(conn: Connection, process: str | None) -> None:
    """A clear error for a process key never published."""
    if process is not None and process not in (known := exception_counts.process_keys(conn)):
        raise NotFoundError("analysis.unknown_process", key=process, known=known)


def rate(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction; None when there is nothing to count."""
    return part / whole if whole else None


def _processes(app: App, conn: Connection, window: Window) -> tuple[ProcessMetric, ...]:
    ended = of_kind(metric_days.instance_tallies(app, conn, window), PROCESS)
    done = {key[1]: tally for key, tally in ended.items()}
    begun = {r.process: r for r in sql.started(conn, window)}
    scores = {s.key: s for s in sql.scores(conn, window, "process")}
    found = []
    for key in sorted(done.keys() | begun.keys()):
        tally, start, score = done.get(key), begun.get(key), scores.get(key)
        completed = tally.count if tally else 0
        newest = max(t.definition_id for t in (tally, start) if t is not None)
        found.append(
            ProcessMetric(
                key=key,
                name=app.definition(conn, newest).name,
                started=start.started if start else 0,
                running=start.running if start else 0,
                completed=completed,
                work=tally.work_spread if tally else NO_SPREAD,
                span=tally.span_spread if tally else NO_SPREAD,
                first_pass_rate=rate(tally.first_pass, completed) if tally else None,
                exception_rate=rate(tally.with_exception, completed) if tally else None,
                on_time_rate=rate(tally.on_time, completed) if tally else None,
                satisfaction=score.average if score else None,
                answered=score.answered if score else 0,
                asked=score.asked if score else 0,
            )
        )
    return tuple(found)


def _node(app: App, conn: Connection, key: Key, tally: Tally, day_seconds: float) -> NodeMetric:
    _, process, node_id, _ = key
    definition = app.definition(conn, tally.definition_id)
    node = definition.nodes.get(node_id)
    limit = node.time_limit if node else None
    late_total = tally.late_seconds / day_seconds
    work = tally.work_spread
    return NodeMetric(
        process=process,
        node=node_id,
        process_name=definition.name,
        name=node.name if node else Text(node_id, node_id),
        limit_hours=limit.hours if limit else None,
        basis=limit.basis if limit else "working",
        tasks=work.count,
        work=work,
        span=tally.span_spread,
        first_pass_rate=rate(tally.first_pass, tally.visits),
        on_time_rate=rate(tally.with_due - tally.late, tally.with_due),
        exception_rate=rate(tally.with_exception, work.count),
        late=tally.late,
        late_instances=tally.late_instances,
        late_days=late_total / tally.late if tally.late else 0.0,
        late_total_days=late_total,
    )


def _departments(
    conn: Connection, window: Window, org: Organisation, finished: dict[str, Tally]
) -> tuple[DepartmentMetric, ...]:
    scores = {s.key: s for s in sql.scores(conn, window, "department")}
    received = {r.department: r for r in sql.received(conn, window)}
    found = []
    for code in sorted(finished.keys() | received.keys()):
        known = org.departments.get(code)
        score, tally, got = scores.get(code), finished.get(code), received.get(code)
        done = tally.count if tally else 0
        found.append(
            DepartmentMetric(
                code=code,
                name=known.name if known else Text(code, code),
                received=got.received if got else 0,
                done=done,
                still_open=got.still_open if got else 0,
                work=tally.work_spread if tally else NO_SPREAD,
                first_pass_rate=rate(tally.first_pass, tally.visits) if tally else None,
                on_time_rate=rate(tally.with_due - tally.late, tally.with_due) if tally else None,
                exception_rate=rate(tally.with_exception, done) if tally else None,
                satisfaction=score.average if score else None,
                answered=score.answered if score else 0,
            )
        )
    return tuple(found)


def bottlenecks(nodes: tuple[NodeMetric, ...]) -> tuple[Bottleneck, ...]:
    """The nodes that finished late, most working days past their limits in all first, then
    by the average delay."""
    late = sorted(
        (n for n in nodes if n.late),
        key=lambda n: (-round(n.late_total_days, 6), -n.late_days, n.process, n.node),
    )
    return tuple(Bottleneck(place, n, sentence(n)) for place, n in enumerate(late, start=1))


def sentence(node: NodeMetric) -> Text:
    """预算审批 平均超时 3.0 天（14 个实例） / 预算审批 averages 3.0 days late over 14
    instances."""
    days, count = f"{node.late_days:.1f}", node.late_instances
    plural = "instance" if count == 1 else "instances"
    return Text(
        f"{node.name.zh} 平均超时 {days} 天（{count} 个实例）",
        f"{node.name.get('en')} averages {days} days late over {count} {plural}",
    )


@dataclass(frozen=True)
class TrendPoint:
    """One month of a trend: its processes' figures."""

    month: Period
    processes: tuple[ProcessMetric, ...]


def trend(
    app: App, who: Principal, period: str, process: str | None = None, months: int = TREND_MONTHS
) -> tuple[TrendPoint, ...]:
    """The process figures of each of the ``months`` months that end with the period's last
    month, oldest first (for the review's trend charts)."""
    found = parse_period(period, app.calendar.tz)
    with authz.scoped_read(app, who) as (conn, scope):
        check_process(conn, process)
        return trend_on(app, conn, found, process, scope, months)


def trend_on(
    app: App,
    conn: Connection,
    found: Period,
    process: str | None,
    scope: Scope,
    months: int = TREND_MONTHS,
) -> tuple[TrendPoint, ...]:
    """On ``conn``: the trend of ``found`` over the instances of ``scope``."""
    points = []
    for month in trend_months(found, app.calendar.tz, months):
        window = Window(month.start, month.end, process, scope)
        points.append(TrendPoint(month, _processes(app, conn, window)))
    return tuple(points)
