"""The change notice (流程变更通知, VER-2): when a process gets a new version, every
department it involves hears of it — the heads and interface persons of the departments its
nodes are assigned to and of its initiating departments, the people it names, and the
administrators — with the change note, the changes in words and a link to the version's
page in the knowledge base. Written to the outbox in the publishing transaction."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.definition import Assignment, ProcessDefinition
from oaflow.domain.definition_diff import diff_definitions
from oaflow.domain.model import Message
from oaflow.domain.org import Organisation
from oaflow.services.app import App
from oaflow.storage.runtime_store import RuntimeStore

EVENT = "definition_changed"
#: the changes a message lists; the rest are on the linked page
MOST_CHANGES = 20


def version_page(key: str, version: int) -> str:
    """The knowledge base's page of one version (a path below the base URL)."""
    return f"/knowledge/{key}/versions/{version}"


def send(
    app: App,
    conn: Connection,
    before: ProcessDefinition,
    after: ProcessDefinition,
    version: Mapping[str, Any],
    actor: str,
) -> tuple[str, ...]:
    """Write the notice of ``version`` (key, version, label, note) of ``after``; return who
    it goes to."""
    org = app.org(conn)
    words = diff_definitions(before, after).words
    changes = list(zip(words("zh"), words("en"), strict=True))
    items = [{"task_zh": zh, "task_en": en} for zh, en in changes[:MOST_CHANGES]]
    if len(changes) > MOST_CHANGES:
        more = len(changes) - MOST_CHANGES
        items.append(
            {"task_zh": f"另有 {more} 处变更，见链接", "task_en": f"{more} more: see the link"}
        )
    key, number = str(version["key"]), int(version["version"])
    data = {
        "process_zh": after.name.zh,
        "process_en": after.name.en,
        "title": version["label"],
        "business_key": key,
        "actor": actor or None,
        "note": version["note"] or version["label"],
        "items": items,
        "page": version_page(key, number),
    }
    people = recipients(org, before, after)
    message = Message(f"definition/{key}/v{number}", EVENT, people, None, data)
    RuntimeStore.on(conn, app.sensitive).insert_messages(None, [message], app.now())
    return people


def recipients(org: Organisation, *definitions: ProcessDefinition) -> tuple[str, ...]:
    """Who hears of a change between ``definitions``: the heads and interface persons of
    every department either version involves, the users they name, the administrators."""
    departments: set[str] = set()
    people: set[str] = set(org.users_with_role("administrator"))
    for definition in definitions:
        for assignment in _assignments(definition):
            departments |= _departments(org, assignment)
            people |= {u for u in (assignment.user, *assignment.users) if u}
        departments |= set(definition.initiators)
        departments |= _table_departments(definition)
    for code in departments:
        head = org.head_of(code)
        people |= {head} if head else set()
        people |= set(org.interfaces_of(code))
    return tuple(sorted(people))


def _assignments(definition: ProcessDefinition) -> Iterator[Assignment]:
    for node in definition.nodes.values():
        if node.assignee is not None:
            yield node.assignee
        yield from node.notify


def _departments(org: Organisation, a: Assignment) -> set[str]:
    """The departments an assignment names (those given by the form are known only when an
    instance runs; the initiator's are the initiating departments)."""
    found = {a.department} if a.kind == "department" and a.department else set()
    if a.kind in ("head_of", "leader_of") and a.relative_to != "initiator":
        found.add(a.relative_to)
    for login in (a.user, *a.users):
        home = org.primary_department(login) if login else None
        found |= {home} if home else set()
    return found


def _table_departments(definition: ProcessDefinition) -> set[str]:
    """The departments decision tables assign to."""
    found = set()
    for table in definition.decision_tables.values():
        for then in [r.then for r in table.rules] + [table.default or {}]:
            if isinstance(then.get("department"), str):
                found.add(str(then["department"]))
    return found
