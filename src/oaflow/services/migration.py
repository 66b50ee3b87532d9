"""Migrating the running instances of one version of a process to another (VER-4),
administrators only.

Every running instance of the version is checked first (``engine/migrate.py``: every problem
at once); a mapping naming a node neither version has is bad input for the whole command and
nothing is done. Unless it is a dry run, each safe instance is then migrated in a transaction
of its own — checked again there on what it is then, written at the version it was read at
(retried when it moved meanwhile), with a ``migrated`` entry in its history and an entry in
the audit log — so an instance is migrated whole or not at all, and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Connection

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import ConflictError, Fault, InputError, NotFoundError, fault
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.security import Permission, Principal
from oaflow.domain.states import InstanceState
from oaflow.domain.text import Text
from oaflow.domain.wording import clauses
from oaflow.engine import migrate as engine
from oaflow.engine.migrate import Labels, Plan
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.retry import retried
from oaflow.storage import catalog_repo, migration_repo
from oaflow.storage import runtime_reads as repo
from oaflow.storage.catalog_repo import StoredDefinition
from oaflow.storage.runtime_store import RuntimeStore

#: (done, total) of the instances checked, then of those migrated
Progress = Callable[[int, int], None]


class Outcome(StrEnum):
    MIGRATED = "migrated"
    WOULD_MIGRATE = "would_migrate"  # a dry run's safe instance
    REFUSED = "refused"


@dataclass(frozen=True)
class VersionRef:
    version: int
    label: str


@dataclass(frozen=True)
class InstanceOutcome:
    """What happened to one instance: its outcome, every reason it was refused, the nodes
    it reached that were renamed (old, new) and the nodes of its open tasks (before)."""

    business_key: str
    title: str
    outcome: Outcome
    problems: tuple[Fault, ...] = ()
    moves: tuple[tuple[str, str], ...] = ()
    at_nodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MigrationReport:
    key: str
    source: VersionRef
    target: VersionRef
    mapping: Mapping[str, str]
    dry_run: bool
    instances: tuple[InstanceOutcome, ...] = ()

    def count(self, outcome: Outcome) -> int:
        return sum(1 for i in self.instances if i.outcome is outcome)


@dataclass(frozen=True)
class _Versions:
    source: StoredDefinition
    target: StoredDefinition
    old: ProcessDefinition
    new: ProcessDefinition
    mapping: Mapping[str, str] = field(default_factory=dict)

    @property
    def labels(self) -> Labels:
        return Labels(self.source.id, self.source.label, self.target.id, self.target.label)

    def ref(self, stored: StoredDefinition) -> VersionRef:
        return VersionRef(stored.version, stored.label)


def migrate(
    app: App,
    who: Principal,
    key: str,
    from_ref: str,
    to_ref: str,
    mapping: Mapping[str, str],
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MigrationReport:
    """Check every running instance of version ``from_ref`` of ``key`` against ``to_ref``
    under ``mapping`` (old -> new node ids), then (unless ``dry_run``) migrate the safe ones,
    each in its own transaction."""
    with app.db.read() as conn:
        versions = _versions(app, conn, who, key, from_ref, to_ref, mapping)
        keys = migration_repo.running_keys(conn, versions.source.id)
        checked = []
        for done, business_key in enumerate(keys, 1):
            checked.append(_check(app, conn, versions, business_key))
            _tell(progress, done, len(keys))
    outcomes = [_dry(plan, title, nodes) for plan, title, nodes in checked]
    if not dry_run:
        safe = [o for o in outcomes if o.outcome is Outcome.WOULD_MIGRATE]
        applied = {}
        for done, outcome in enumerate(safe, 1):
            applied[outcome.business_key] = _apply(app, who, versions, outcome)
            _tell(progress, done, len(safe))
        outcomes = [applied.get(o.business_key, o) for o in outcomes]
    return MigrationReport(
        key,
        versions.ref(versions.source),
        versions.ref(versions.target),
        dict(mapping),
        dry_run,
        tuple(outcomes),
    )


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _versions(
    app: App,
    conn: Connection,
    who: Principal,
    key: str,
    from_ref: str,
    to_ref: str,
    mapping: Mapping[str, str],
) -> _Versions:
    if catalog_repo.get_definition(conn, key) is None:
        raise NotFoundError("process.not_published", key=key)
    authz.authorize(app, conn, who, Permission.ADMINISTER, process=key)
    source, target = _version(conn, key, from_ref), _version(conn, key, to_ref)
    if source.id == target.id:
        raise InputError("migration.same_version", label=source.label)
    old, new = app.definition(conn, source.id), app.definition(conn, target.id)
    problems = engine.mapping_problems(old, new, mapping)
    if problems:
        raise InputError("migration.bad_map", problems=clauses(problems))
    return _Versions(source, target, old, new, dict(mapping))


def _version(conn: Connection, key: str, ref: str) -> StoredDefinition:
    found = catalog_repo.version_by_ref(conn, key, ref)
    if found is None:
        labels = [f"{v.version} ({v.label})" for v in catalog_repo.versions_of(conn, key)]
        raise InputError("migration.no_such_version", key=key, ref=ref, versions=labels)
    return found


def _check(
    app: App, conn: Connection, versions: _Versions, business_key: str
) -> tuple[Plan, str, tuple[str, ...]]:
    instance = repo.find_instance(conn, app.sensitive, business_key)
    assert instance is not None  # instances are never deleted
    plan, tasks, waiting = _plan(app, conn, versions, instance)
    nodes = tuple(dict.fromkeys([*(t.node_id for t in tasks if t.is_open), *waiting]))
    return plan, instance.title, nodes


def _plan(
    app: App, conn: Connection, versions: _Versions, instance: InstanceRecord
) -> tuple[Plan, list[TaskRecord], list[str]]:
    """The engine's plan for ``instance`` as it is in ``conn``, with its tasks and the
    service nodes where it waits."""
    tasks = repo.instance_tasks(conn, app.sensitive, instance.id or 0)
    waiting = migration_repo.waiting_nodes(conn, instance.id or 0)
    plan = engine.plan(versions.old, versions.new, versions.mapping, instance, tasks, waiting)
    return plan, tasks, waiting


def _dry(plan: Plan, title: str, nodes: tuple[str, ...]) -> InstanceOutcome:
    outcome = Outcome.WOULD_MIGRATE if plan.safe else Outcome.REFUSED
    return InstanceOutcome(plan.business_key, title, outcome, plan.problems, plan.moves, nodes)


def _apply(
    app: App, who: Principal, versions: _Versions, checked: InstanceOutcome
) -> InstanceOutcome:
    """Migrate one instance in a transaction of its own, checked again on what it is now."""
    business_key = checked.business_key
    moved = ConflictError("migration.changed_meanwhile", business_key=business_key)
    try:
        return retried(lambda: _apply_once(app, who, versions, checked), moved)
    except ConflictError as error:
        return _refused(checked, error.fault)


def _apply_once(
    app: App, who: Principal, versions: _Versions, checked: InstanceOutcome
) -> InstanceOutcome:
    business_key = checked.business_key
    with app.db.write() as conn:
        instance = repo.find_instance(conn, app.sensitive, business_key)
        assert instance is not None
        if (
            instance.state is not InstanceState.RUNNING
            or instance.definition_id != versions.source.id
        ):
            return _refused(checked, fault("migration.not_running", business_key=business_key))
        plan, tasks, _ = _plan(app, conn, versions, instance)
        if not plan.safe:
            return _refused(checked, *plan.problems)
        now = app.now()
        moved, event = engine.migrate(plan, instance, tasks, versions.labels, who.login, now)
        reseal = versions.old.sensitive_fields() != versions.new.sensitive_fields()
        store = RuntimeStore.on(conn, app.sensitive)
        migration_repo.write(store, instance, tasks, moved, dict(plan.moves), event, now, reseal)
        audit.record(
            app,
            conn,
            who,
            AuditAction.PROCESS_MIGRATE,
            f"instance:{business_key}",
            process=versions.source.key,
            source=versions.source.label,
            target=versions.target.label,
            map=dict(plan.moves),
        )
    return InstanceOutcome(
        business_key, instance.title, Outcome.MIGRATED, (), plan.moves, checked.at_nodes
    )


def _refused(checked: InstanceOutcome, *problems: Fault) -> InstanceOutcome:
    return InstanceOutcome(
        checked.business_key,
        checked.title,
        Outcome.REFUSED,
        problems,
        checked.moves,
        checked.at_nodes,
    )


# -- what the page offers ---------------------------------------------------------------------
@dataclass(frozen=True)
class VersionChoice:
    """A version of the process: its nodes (id and name) and how many of its instances run."""

    version: int
    label: str
    running: int
    nodes: tuple[tuple[str, Text], ...]


def choices(app: App, who: Principal, key: str) -> list[VersionChoice]:
    """The versions of ``key``, newest first, for an administrator choosing a migration
    (auditors may look)."""
    with app.db.read() as conn:
        if catalog_repo.get_definition(conn, key) is None:
            raise NotFoundError("process.not_published", key=key)
        authz.authorize(app, conn, who, Permission.AUDIT, process=key)  # to look: auditors too
        running = migration_repo.running_counts(conn, key)
        found = []
        for stored in catalog_repo.versions_of(conn, key):
            definition = app.definition(conn, stored.id)
            nodes = tuple((n.id, n.name) for n in definition.nodes.values())
            found.append(
                VersionChoice(stored.version, stored.label, running.get(stored.id, 0), nodes)
            )
        return found


@dataclass(frozen=True)
class ProcessRunning:
    """A published process: its newest version, and how many instances run older ones."""

    key: str
    name: Text
    newest: VersionRef
    versions: int
    on_older: int


def processes(app: App, who: Principal) -> list[ProcessRunning]:
    """Every published process, for an administrator choosing one to migrate (auditors
    may look)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        found = []
        for stored in catalog_repo.list_definitions(conn):
            running = migration_repo.running_counts(conn, stored.key)
            on_older = sum(n for d, n in running.items() if d != stored.id)
            name = Text(stored.name_zh, stored.name_en)
            newest = VersionRef(stored.version, stored.label)
            versions = len(catalog_repo.versions_of(conn, stored.key))
            found.append(ProcessRunning(stored.key, name, newest, versions, on_older))
        return found
