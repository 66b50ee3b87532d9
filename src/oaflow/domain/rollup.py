"""The metrics' tallies (MTR-1, docs/adr/0015): what one group — a process's node, a
department, a process — did over some days, in a form that days add up in. The daily
roll-up stores one tally per group and day; a period's metrics are the sum of its days'
tallies, and of tallies made on the spot for the days not rolled up yet. Pure arithmetic:
storage reads the facts and keeps the tallies, services/metric_days.py puts them together.

What is counted where:

- a finished task (done, approved, rejected or returned) on the day it finished, for its
  node and for its department: its working and calendar durations, whether it had a
  deadline and was late (and by how much working time), whether an exception was opened
  on it;
- a *visit*: an (instance, node) — for a department, a (department, instance, node) — with
  tasks finished that day; it passed the first time when none of them was rejected or
  returned and none was of a later round. A visit whose tasks finish on several days counts
  once on each;
- a late instance of a node: an instance with a task finished late there that day (one on
  two days counts on both); departments count no late instances;
- a completed instance, for its process on the day it ended: its durations, and whether it
  passed without rejection or return, had an exception record, and had no task late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from oaflow.domain.histogram import Histogram, Spread
from oaflow.domain.states import SENT_BACK_STATES

#: the kinds of group a tally is for
NODE, DEPARTMENT, PROCESS = "node", "department", "process"


@dataclass(frozen=True)
class TaskFact:
    """A finished task, as the tallies need it."""

    process: str
    definition_id: int
    instance_id: int
    node: str
    department: str | None
    round: int
    state: str
    work: int | None  # working seconds
    span: int | None  # calendar seconds
    late: int | None  # working seconds past the deadline; None: it had none
    exception: str | None
    day: date  # when it finished, on the business calendar's clock


@dataclass(frozen=True)
class InstanceFact:
    """A completed instance, as the tallies need it."""

    process: str
    definition_id: int
    work: int | None
    span: int | None
    first_pass: bool  # no task of it rejected or returned
    with_exception: bool  # an exception record was opened on it
    on_time: bool  # none of its finished tasks was late


#: a group: (kind, process, node, department), '' where the kind has none; a department's
#: tallies are kept per process
Key = tuple[str, str, str, str]


@dataclass
class Tally:
    """What a group did: for nodes and departments ``count`` is the finished tasks, for
    processes the completed instances."""

    definition_id: int = 0  # the newest version seen, to name the group by
    count: int = 0
    work: Histogram = field(default_factory=Histogram)
    span: Histogram = field(default_factory=Histogram)
    with_due: int = 0
    late: int = 0
    late_seconds: int = 0
    late_instances: int = 0
    with_exception: int = 0
    visits: int = 0
    first_pass: int = 0
    on_time: int = 0

    def merge(self, other: Tally) -> None:
        self.definition_id = max(self.definition_id, other.definition_id)
        self.count += other.count
        self.work.merge(other.work)
        self.span.merge(other.span)
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def work_spread(self) -> Spread:
        return self.work.spread()

    @property
    def span_spread(self) -> Spread:
        return self.span.spread()


#: the counters of a tally besides ``count`` (added up as they are)
COUNTERS = (
    "with_due",
    "late",
    "late_seconds",
    "late_instances",
    "with_exception",
    "visits",
    "first_pass",
    "on_time",
)


def node_key(process: str, node: str) -> Key:
    return (NODE, process, node, "")


def department_key(process: str, department: str) -> Key:
    """A department's work in one process (a process's metrics count only its own)."""
    return (DEPARTMENT, process, "", department)


def process_key(process: str) -> Key:
    return (PROCESS, process, "", "")


def tally_tasks(facts: Iterable[TaskFact]) -> dict[Key, Tally]:
    """The tallies of the nodes and departments of ``facts`` (all of one day, or of several:
    visits and late instances are counted per day either way).

    ``facts`` come ordered by instance, node and finish, so that a visit's tasks are
    together: each visit is judged when the next begins, and the memory taken is the
    groups', not the tasks' (a ValueError if they are not in that order)."""
    tallies: dict[Key, Tally] = {}
    visits: dict[Key, list[int]] = {}  # the visit being read: key -> [top round, sent back, late]
    at: tuple[int, str, date] | None = None
    nodes_done: set[str] = set()  # of the instance being read, the nodes already judged

    def judge() -> None:
        for key, (top_round, sent_back, late) in visits.items():
            tally = tallies[key]
            tally.visits += 1
            tally.first_pass += top_round == 1 and sent_back == 0
            tally.late_instances += key[0] == NODE and late > 0
        visits.clear()

    for fact in facts:
        here = (fact.instance_id, fact.node, fact.day)
        if here != at:
            judge()
            if at is not None and here[0] != at[0]:
                if here[0] < at[0]:
                    raise ValueError("tally_tasks: facts not ordered by instance")
                nodes_done.clear()
            elif at is not None and here[1] != at[1]:
                if here[1] in nodes_done:
                    raise ValueError("tally_tasks: facts not ordered by node")
                nodes_done.add(at[1])
            at = here
        keys = [node_key(fact.process, fact.node)]
        if fact.department is not None:
            keys.append(department_key(fact.process, fact.department))
        for key in keys:
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally()
            tally.definition_id = max(tally.definition_id, fact.definition_id)
            tally.count += 1
            tally.work.add(fact.work)
            tally.span.add(fact.span)
            late = fact.late is not None and fact.late > 0
            if fact.late is not None:
                tally.with_due += 1
                if late:
                    tally.late += 1
                    tally.late_seconds += fact.late or 0
            if fact.exception is not None:
                tally.with_exception += 1
            visit = visits.setdefault(key, [0, 0, 0])
            visit[0] = max(visit[0], fact.round)
            visit[1] += fact.state in SENT_BACK_STATES
            visit[2] += late
    judge()
    return tallies


def tally_instances(facts: Iterable[InstanceFact]) -> dict[Key, Tally]:
    """The tallies of the processes of ``facts``."""
    tallies: dict[Key, Tally] = {}
    for fact in facts:
        tally = tallies.setdefault(process_key(fact.process), Tally())
        tally.definition_id = max(tally.definition_id, fact.definition_id)
        tally.count += 1
        tally.work.add(fact.work)
        tally.span.add(fact.span)
        tally.first_pass += fact.first_pass
        tally.with_exception += fact.with_exception
        tally.on_time += fact.on_time
    return tallies


def of_kind(tallies: dict[Key, Tally], kind: str) -> dict[Key, Tally]:
    """The tallies of one kind of group, in the order of their keys."""
    return {key: tallies[key] for key in sorted(tallies) if key[0] == kind}


def by_department(tallies: dict[Key, Tally]) -> dict[str, Tally]:
    """The departments' tallies over all their processes, by department code."""
    whole: dict[str, Tally] = {}
    for key, tally in of_kind(tallies, DEPARTMENT).items():
        whole.setdefault(key[3], Tally()).merge(tally)
    return whole
