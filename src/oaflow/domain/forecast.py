"""The completion forecast of a running instance (MTR-1, issue 15): how much working time
its remaining nodes will take by the history of their durations, when it will therefore
finish (median and 90th percentile) on the business calendar, the deadline it is held to,
and whether it is on track, at risk or late. Pure: the history, the open nodes and the
routes are passed in (services/forecast.py; docs/forecast.md says why each rule is so).

- A node's duration is its historical median and p90 in working seconds (``Estimate``);
  with too few samples, its time limit; with neither, ``DEFAULT_HOURS``.
- Along a path the medians add up, and the spreads (p90 − median) add like independent
  deviations: the path's p90 = its median + √Σ(p90ᵢ − medianᵢ)². (Adding the p90s would
  make every path as slow as its slowest tenth at every step at once.)
- An exclusive gateway goes where the instance's data routes it when that is decidable now;
  otherwise the branch that takes longer counts. Parallel branches: the longest counts.
  A route back to a node already on the way (a rework loop) counts nothing.
- An open node's remaining time is conditioned on the time it has already taken
  (``remaining_after``): a task that has run past its median is not expected to be done at
  once, but after the tail of its history.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oaflow.domain.calendar import WorkingCalendar, add_calendar_hours
from oaflow.domain.definition import Node, NodeType, ProcessDefinition

#: fewer finished tasks than this and a node's history is not trusted: its limit counts
MIN_SAMPLES = 3
#: a task node with neither history nor a time limit is taken to need one working day
DEFAULT_HOURS = 8.0
#: the forecast must pass the deadline by more than this to count as after it
TOLERANCE = timedelta(minutes=1)
#: a task past its median with a history that has no tail beyond it (p90 = median) is still
#: given this share of its median as the scale of its tail
MIN_TAIL_SHARE = 0.1
_LN5 = math.log(5)

#: where the gateway leads by the instance's data, or None when that cannot be known yet
Router = Callable[[Node], str | None]


class Source(StrEnum):
    HISTORY = "history"  # the median and p90 of the finished tasks
    LIMIT = "limit"  # too little history: the node's time limit
    DEFAULT = "default"  # neither: DEFAULT_HOURS


class ForecastState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"  # the p90 forecast is after a deadline that has not passed yet
    LATE = "late"  # the deadline has passed


@dataclass(frozen=True)
class Estimate:
    """How long a node takes, in working seconds, and where that comes from."""

    median: float
    p90: float
    source: Source
    samples: int = 0  # finished tasks in the history


@dataclass(frozen=True)
class OpenNode:
    """A node the instance is at: the working seconds its work has taken so far, and the
    working seconds until it may start (a task waiting for its planned start date)."""

    node_id: str
    elapsed: float = 0.0
    wait: float = 0.0


@dataclass(frozen=True)
class Remaining:
    """The working time left to the end: its median and p90, and the nodes counted."""

    median: float
    p90: float
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class _Path:
    median: float
    var: float  # the sum of squared spreads (p90 − median)²
    nodes: tuple[str, ...]

    @property
    def p90(self) -> float:
        return self.median + math.sqrt(self.var)

    def then(self, other: _Path) -> _Path:
        nodes = self.nodes + tuple(n for n in other.nodes if n not in self.nodes)
        return _Path(self.median + other.median, self.var + other.var, nodes)


_NOTHING = _Path(0.0, 0.0, ())


def _longest(paths: Sequence[_Path]) -> _Path:
    """Paths of which the longest will count (parallel branches, or branches of a gateway
    not decided yet): the largest median and the largest p90, with the nodes of all."""
    if not paths:
        return _NOTHING
    if len(paths) == 1:
        return paths[0]
    median, p90 = max(p.median for p in paths), max(p.p90 for p in paths)
    nodes = tuple(dict.fromkeys(n for p in paths for n in p.nodes))
    return _Path(median, (p90 - median) ** 2, nodes)


def working_share(calendar: WorkingCalendar) -> float:
    """The share of calendar time that is working time in a normal week."""
    week = calendar.day_length.total_seconds() * (7 - len(calendar.weekend))
    return week / (7 * 86400)


def estimate_for(
    node: Node,
    samples: int,
    median: float | None,
    p90: float | None,
    calendar: WorkingCalendar,
) -> Estimate:
    """A task node's duration: its history when it has at least ``MIN_SAMPLES`` finished
    tasks; else its time limit (a calendar-time limit as the working share of it), taken
    as both median and p90; else ``DEFAULT_HOURS``."""
    if samples >= MIN_SAMPLES and median is not None and p90 is not None:
        return Estimate(float(median), float(max(p90, median)), Source.HISTORY, samples)
    limit = node.time_limit
    if limit is not None:
        seconds = limit.hours * 3600
        if limit.basis == "calendar":
            seconds *= working_share(calendar)
        return Estimate(seconds, seconds, Source.LIMIT, samples)
    default = DEFAULT_HOURS * 3600
    return Estimate(default, default, Source.DEFAULT, samples)


def _survival_inverse(estimate: Estimate, tail: float, share: float) -> float:
    """The duration a ``share`` of the tasks still take longer than: half finish evenly
    before the median, the rest after it on an exponential tail of scale ``tail`` (fitted so
    that a tenth take longer than the p90)."""
    if share >= 0.5:
        return 2 * estimate.median * (1 - share)
    return estimate.median + tail * math.log(0.5 / share)


def _survival(estimate: Estimate, tail: float, elapsed: float) -> float:
    median = estimate.median
    if elapsed <= median:
        return 1 - elapsed / (2 * median) if median > 0 else 0.5
    return 0.5 * math.exp(-(elapsed - median) / tail) if tail > 0 else 0.0


def remaining_after(estimate: Estimate, elapsed: float) -> tuple[float, float]:
    """The median and p90 of the working time a node still needs when it has run
    ``elapsed`` working seconds: the durations of its history longer than ``elapsed``, less
    ``elapsed``. Not yet started (0): its median and p90. Past its median, the tail of its
    history is taken as exponential (memoryless): the remaining time stops shrinking."""
    tail = (estimate.p90 - estimate.median) / _LN5
    if elapsed >= estimate.median:  # past everything below the median: on the tail
        scale = max(tail, estimate.median * MIN_TAIL_SHARE / _LN5)
        return scale * math.log(2), scale * math.log(10)
    still = _survival(estimate, tail, elapsed)
    median = _survival_inverse(estimate, tail, still * 0.5) - elapsed
    p90 = _survival_inverse(estimate, tail, still * 0.1) - elapsed
    return max(0.0, median), max(0.0, p90)


class _Walk:
    """The remaining time from each node to the end, each worked out once."""

    def __init__(
        self, definition: ProcessDefinition, estimates: Mapping[str, Estimate], route: Router
    ) -> None:
        self.definition, self.estimates, self.route = definition, estimates, route
        self.done: dict[str, _Path] = {}
        self.walking: set[str] = set()

    def own(self, node_id: str) -> _Path:
        found = self.estimates.get(node_id)
        if found is None or not self.definition.node(node_id).is_task:
            return _NOTHING
        return _Path(found.median, (found.p90 - found.median) ** 2, (node_id,))

    def from_node(self, node_id: str) -> _Path:
        """From entering ``node_id`` to the end."""
        if node_id in self.done:
            return self.done[node_id]
        if node_id in self.walking:  # a way back to a node on the way: no rework counted
            return _NOTHING
        self.walking.add(node_id)
        path = self.own(node_id).then(self.after(node_id))
        self.walking.discard(node_id)
        self.done[node_id] = path
        return path

    def after(self, node_id: str) -> _Path:
        """From leaving ``node_id`` to the end."""
        node = self.definition.node(node_id)
        if node.type is NodeType.END:
            return _NOTHING
        targets = self.definition.successors(node_id)
        if node.type is NodeType.EXCLUSIVE:
            chosen = self.route(node)
            if chosen is not None and chosen in self.definition.nodes:
                targets = (chosen,)
        return _longest([self.from_node(t) for t in targets])


def remaining(
    definition: ProcessDefinition,
    open_nodes: Sequence[OpenNode],
    estimates: Mapping[str, Estimate],
    route: Router,
) -> Remaining:
    """The working time from now to the end of an instance at ``open_nodes``: for each, what
    it still needs, then the nodes after it; the longest of them counts."""
    walk = _Walk(definition, estimates, route)
    paths = []
    for at in open_nodes:
        found = estimates.get(at.node_id)
        median, p90 = remaining_after(found, at.elapsed) if found else (0.0, 0.0)
        here = _Path(at.wait + median, (p90 - median) ** 2, (at.node_id,))
        paths.append(here.then(walk.after(at.node_id)))
    path = _longest(paths)
    return Remaining(path.median, path.p90, path.nodes)


def completion(
    calendar: WorkingCalendar, now: datetime, left: Remaining
) -> tuple[datetime, datetime]:
    """The expected completion instants (median, p90): ``left`` working time from now, to
    the whole second."""
    return (
        calendar.add_working_hours(now, round(left.median) / 3600),
        calendar.add_working_hours(now, round(left.p90) / 3600),
    )


#: a planned finish, and whether a plan or a time limit went into it
_Planned = tuple[datetime, bool]


class _Schedule:
    """Each node's planned finish walking forward from the start: its planned date when the
    form gives one, else its arrival plus its time limit."""

    def __init__(
        self,
        definition: ProcessDefinition,
        plans: Mapping[str, datetime],
        calendar: WorkingCalendar,
        route: Router,
    ) -> None:
        self.definition, self.plans, self.calendar, self.route = definition, plans, calendar, route
        self.done: dict[tuple[str, datetime], _Planned] = {}
        self.walking: set[str] = set()

    def finish(self, node_id: str, arrive: datetime) -> _Planned:
        """When the end is planned to be reached from arriving at ``node_id`` at ``arrive``."""
        key = (node_id, arrive)
        if key in self.done:
            return self.done[key]
        if node_id in self.walking:
            return arrive, False
        self.walking.add(node_id)
        node = self.definition.node(node_id)
        left, counted = self.own(node, arrive)
        targets = self.definition.successors(node_id)
        if node.type is NodeType.EXCLUSIVE:
            chosen = self.route(node)
            if chosen is not None and chosen in self.definition.nodes:
                targets = (chosen,)
        after = [self.finish(t, left) for t in targets]
        found = (
            max(at for at, _ in after) if after else left,
            counted or any(c for _, c in after),
        )
        self.walking.discard(node_id)
        self.done[key] = found
        return found

    def own(self, node: Node, arrive: datetime) -> _Planned:
        if node.id in self.plans:
            return self.plans[node.id], True
        limit = node.time_limit if node.is_task else None
        if limit is None:
            return arrive, False
        if limit.basis == "calendar":
            return add_calendar_hours(arrive, limit.hours), True
        return self.calendar.add_working_hours(arrive, limit.hours), True


def deadline(
    definition: ProcessDefinition,
    started_at: datetime,
    plans: Mapping[str, datetime],
    calendar: WorkingCalendar,
    route: Router,
) -> datetime | None:
    """When the instance is due: walking its path from its start, a node with a planned
    date (``plans``, from the form: Template 1's key nodes, a milestone's date field) is
    due then, any other task node its time limit after the one before it; the end's date.
    None when its path has neither plans nor time limits (nothing to be late for)."""
    schedule = _Schedule(definition, plans, calendar, route)
    due, counted = schedule.finish(definition.start.id, started_at)
    return due if counted else None


def state_of(p90_at: datetime, due: datetime | None, now: datetime) -> ForecastState:
    """Late once the deadline has passed; at risk while it has not but the p90 forecast
    passes it (one chance in ten or more of missing it, by the history); else on track."""
    if due is None:
        return ForecastState.ON_TRACK
    if now > due:
        return ForecastState.LATE
    return ForecastState.AT_RISK if p90_at > due + TOLERANCE else ForecastState.ON_TRACK
