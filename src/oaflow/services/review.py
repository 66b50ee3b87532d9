"""The review report of a month or a quarter (月度/季度复盘, MTR-4): the metrics of the period
(services/metrics.py), the six-month trend, the Pareto of the exception causes, the
bottlenecks with their sentences, the satisfaction, a heat map of the node durations against
their limits (to draw on the process diagram) and the running instances forecast to miss
their deadline. Assembled here from the parts; the CLI, API and web page present it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oaflow.domain.periods import Period, parse_period
from oaflow.domain.security import Principal
from oaflow.domain.text import Text
from oaflow.services import authz, exception_analysis, forecast, metrics
from oaflow.services.app import App
from oaflow.services.exception_analysis import Pareto
from oaflow.services.forecast import InstanceForecast
from oaflow.services.metrics import Metrics, NodeMetric, ProcessMetric, TrendPoint

#: called after each part with (parts done, parts in all): the CLI's progress bar
Progress = Callable[[int, int], None]
#: the parts a review is made of, in the order they are made
PARTS = ("metrics", "trend", "causes", "heatmap", "forecasts")
#: the heat of a node: its median duration as a share of its limit, up to these bounds
HEAT_BOUNDS = (("quick", 0.5), ("fair", 0.8), ("tight", 1.0), ("late", 1.5))
HEAT_OVER = "very_late"  # past 1.5 times the limit
NO_LIMIT = "no_limit"  # a node without a time limit: its duration only
NO_DATA = "no_data"  # no task of it finished in the period
#: the forecasts a review lists, the most urgent first (all: oaflow report forecast
#: --at-risk, GET /api/forecasts?at_risk=true)
AT_RISK_LISTED = 50


@dataclass(frozen=True)
class NodeHeat:
    """A node's median (and average) duration in its limit's basis — working hours for a
    working-time limit or no limit, calendar hours for a calendar limit — and the share of
    the limit it takes (``ratio``), as a ``level`` of HEAT_BOUNDS, NO_LIMIT or NO_DATA."""

    node: str
    name: Text
    tasks: int
    basis: str
    median_hours: float | None
    average_hours: float | None
    limit_hours: float | None
    ratio: float | None
    level: str


@dataclass(frozen=True)
class Heatmap:
    """The heat of a process's nodes that finished tasks in the period."""

    process: str
    name: Text
    nodes: tuple[NodeHeat, ...]


@dataclass(frozen=True)
class Totals:
    """The period's figures over all its processes (the dashboard's cards): the instances
    started and completed, the average working cycle time of the completed ones (seconds),
    and the rates and satisfaction of all of them together (each process weighed by its
    completed instances, the satisfaction by its answered surveys)."""

    started: int
    completed: int
    average_work: float | None
    first_pass_rate: float | None
    exception_rate: float | None
    on_time_rate: float | None
    satisfaction: float | None
    answered: int


@dataclass(frozen=True)
class Review:
    period: Period
    process: str | None
    day_hours: float  # working hours of a working day, what "days" count in
    totals: Totals
    metrics: Metrics
    trend: tuple[TrendPoint, ...]  # six months, oldest first
    causes: Pareto  # the exception causes found in the period, all in one group
    heatmaps: tuple[Heatmap, ...]
    #: the running instances forecast (now, whatever the period) to miss their deadline or
    #: already past it, the most urgent first (services/forecast.py), at most AT_RISK_LISTED
    at_risk: tuple[InstanceForecast, ...]
    at_risk_total: int  # how many there are in all


def review(
    app: App,
    who: Principal,
    period: str,
    process: str | None = None,
    progress: Progress | None = None,
) -> Review:
    """The review of ``period`` (2024-03, 2024-Q1, 2024-01-15..2024-02-14) over the instances
    ``who`` may see, of ``process`` only when it is given; ``progress`` is told after each
    part."""
    step = _stepper(progress)
    asked = parse_period(period, app.calendar.tz)
    with authz.scoped_read(app, who) as (conn, scope):  # one snapshot, the scope listed once
        metrics.check_process(conn, process)
        found = metrics.metrics_on(app, conn, asked, process, scope)
        step()
        months = metrics.trend_on(app, conn, asked, process, scope)
        step()
        window = (asked.label, asked.start, asked.end)
        causes = exception_analysis.pareto_on(app, conn, window, None, process, scope)
        step()
        heatmaps = heatmaps_of(found)
        step()
        urgent = forecast.most_urgent(app, conn, scope, process, AT_RISK_LISTED)
        step()
    return Review(
        found.period,
        process,
        found.day_hours,
        totals(found),
        found,
        months,
        causes,
        heatmaps,
        urgent.listed,
        urgent.total,
    )


def totals(found: Metrics) -> Totals:
    """The figures of all the processes of ``found`` together."""
    processes = found.processes
    completed = sum(p.completed for p in processes)
    answered = sum(p.answered for p in processes)

    def weighed(rate: Callable[[ProcessMetric], float | None]) -> float | None:
        parts = [(r, p.completed) for p in processes if (r := rate(p)) is not None]
        whole = sum(n for _, n in parts)
        return sum(r * n for r, n in parts) / whole if whole else None

    scored = [(p.satisfaction, p.answered) for p in processes if p.satisfaction is not None]
    return Totals(
        started=sum(p.started for p in processes),
        completed=completed,
        average_work=weighed(lambda p: p.work.average),
        first_pass_rate=weighed(lambda p: p.first_pass_rate),
        exception_rate=weighed(lambda p: p.exception_rate),
        on_time_rate=weighed(lambda p: p.on_time_rate),
        satisfaction=sum(s * n for s, n in scored) / answered if answered and scored else None,
        answered=answered,
    )


def _stepper(progress: Progress | None) -> Callable[[], None]:
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(PARTS))

    if progress is not None:
        progress(0, len(PARTS))
    return step


def heatmaps_of(found: Metrics) -> tuple[Heatmap, ...]:
    """Per process of the metrics (in their order) the heat of its nodes."""
    names = {p.key: p.name for p in found.processes}
    maps = []
    for key in dict.fromkeys(n.process for n in found.nodes):
        nodes = tuple(heat(n) for n in found.nodes if n.process == key)
        name = names.get(key) or next(n.process_name for n in found.nodes if n.process == key)
        maps.append(Heatmap(key, name, nodes))
    order = {p.key: i for i, p in enumerate(found.processes)}
    return tuple(sorted(maps, key=lambda m: (order.get(m.process, len(order)), m.process)))


def heat(node: NodeMetric) -> NodeHeat:
    """How hot ``node`` ran: its median against its limit."""
    spread = node.span if node.limit_hours is not None and node.basis == "calendar" else node.work
    median = spread.median / 3600 if spread.median is not None else None
    average = spread.average / 3600 if spread.average is not None else None
    ratio = median / node.limit_hours if median is not None and node.limit_hours else None
    return NodeHeat(
        node=node.node,
        name=node.name,
        tasks=node.tasks,
        basis=node.basis,
        median_hours=median,
        average_hours=average,
        limit_hours=node.limit_hours,
        ratio=ratio,
        level=level_of(ratio, median),
    )


def level_of(ratio: float | None, median: float | None) -> str:
    """The heat level of a median that takes ``ratio`` of its limit."""
    if median is None:
        return NO_DATA
    if ratio is None:
        return NO_LIMIT
    return next((name for name, bound in HEAT_BOUNDS if ratio < bound), HEAT_OVER)
