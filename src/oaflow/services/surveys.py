"""The satisfaction survey (满意度调查, MTR-2): when an instance completes, each department
that took part — those that had tasks in it that were not cancelled, and the initiating
department — is asked for a score from 1 to 5 and a comment; the scores feed the metrics.

Opening is not on the engine's path: the worker's sweep (services/survey_sweep.py) finds the
instances that completed and calls ``open_for_instance``; a process whose definition says
``survey: false`` is never asked. The request goes through the outbox to the department's
head (and the deputy acting for them): in-app and through their channels, with a link to
the answer page.

A department is answered for by its head, a deputy acting for the head now (ORG-3), or an
administrator; once, a second answer is refused. Whoever sees an instance sees its answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    as_denial,
)
from oaflow.domain.model import Message
from oaflow.domain.org import Organisation
from oaflow.domain.security import Permission, Principal, granted
from oaflow.domain.states import InstanceState
from oaflow.domain.text import Text
from oaflow.services import audit, authz, queries
from oaflow.services.app import App
from oaflow.services.view_parts import Names
from oaflow.services.views import Dept, Person
from oaflow.storage import org_repo
from oaflow.storage import survey_repo as repo
from oaflow.storage.runtime_store import RuntimeStore

EVENT = "survey_requested"
SCORES = range(1, 6)
COMMENT_LIMIT = 1000  # characters of a comment
PAGE = "/surveys"


class SurveyAudit(StrEnum):
    """The audit log's name of an answer (SEC-4)."""

    ANSWER = "survey.answer"


@dataclass(frozen=True)
class SurveyView:
    """One department's survey of one completed instance; ``score`` is None until answered."""

    id: int
    business_key: str
    title: str
    process: str
    process_name: Text
    department: Dept
    asked_at: datetime
    score: int | None
    comment: str
    answered_by: Person | None
    answered_at: datetime | None
    ended_at: datetime | None


def answer_page(survey_id: int) -> str:
    """The page a request links to (a path below the base URL)."""
    return f"{PAGE}#survey-{survey_id}"


# -- opening ----------------------------------------------------------------------------------
def open_surveys(app: App, instance_ids: Iterable[int]) -> list[tuple[int, str]]:
    """Ask the departments of each completed instance of ``instance_ids`` now (the demo
    builder, tests), like the sweep does; those asked before are not asked again. The (id,
    department) of each survey opened."""
    opened = []
    for instance_id in instance_ids:
        with app.db.write() as conn:
            opened += open_for_instance(app, conn, instance_id, app.now())
    return opened


def open_for_instance(
    app: App, conn: Connection, instance_id: int, now: datetime
) -> list[tuple[int, str]]:
    """In ``conn``'s transaction: a survey per participating department of the completed
    instance, each with its request in the outbox; none for a process with ``survey:
    false`` or an instance that did not complete. The (id, department) of each one opened."""
    row = repo.instance_of(conn, instance_id)
    if row is None or row["state"] != InstanceState.COMPLETED.value:
        return []
    definition = app.definition(conn, row["definition_id"])
    if not definition.survey:
        return []
    departments = {*repo.task_departments(conn, instance_id), row["department"]}
    opened = repo.open_for(conn, instance_id, sorted(departments), now)
    if opened:
        org = app.org(conn)
        deputies = _deputies(app, conn, now)
        data = {
            "business_key": row["business_key"],
            "title": row["title"],
            "process_zh": definition.name.zh,
            "process_en": definition.name.en,
        }
        messages = [_request(org, deputies, s, d, data) for s, d in opened]
        RuntimeStore.on(conn, app.sensitive).insert_messages(instance_id, messages, now)
    return opened


def _request(
    org: Organisation, deputies: dict[str, str], survey_id: int, code: str, data: dict[str, Any]
) -> Message:
    head = org.head_of(code)
    people = (head, deputies.get(head)) if head else ()
    department = org.departments.get(code)
    name = department.name if department else Text(code, code)
    detail = {
        **data,
        "department_zh": name.zh,
        "department_en": name.get("en"),
        "page": answer_page(survey_id),
    }
    recipients = tuple(dict.fromkeys(p for p in people if p))
    return Message(f"survey/{survey_id}", EVENT, recipients, None, detail)


def _deputies(app: App, conn: Connection, now: datetime) -> dict[str, str]:
    """Who acts for whom now (ORG-3): {absent person: deputy}."""
    revision = org_repo.org_revision(conn)
    app.org(conn, revision)  # the snapshot at this revision, read on this connection
    return {d.user: d.deputy for d in app.delegations_at(revision, now)}


# -- who answers ------------------------------------------------------------------------------
def answers_for(app: App, conn: Connection, who: Principal) -> frozenset[str] | None:
    """The departments ``who`` answers for: those they head, and those whose head they act
    for now; None: every department (an administrator)."""
    return None if administers(who) else _headed(app, conn, who)


def _headed(app: App, conn: Connection, who: Principal) -> frozenset[str]:
    """The departments ``who`` heads, or whose head they act for now as deputy."""
    org = app.org(conn)
    deputies = _deputies(app, conn, app.now())
    heads = {who.login} | {user for user, deputy in deputies.items() if deputy == who.login}
    return frozenset(code for code in org.departments if org.head_of(code) in heads)


def administers(who: Principal) -> bool:
    """Whether ``who`` answers for every department (and may list every open survey)."""
    return granted(who, Permission.ADMINISTER)


def _may_answer(app: App, conn: Connection, who: Principal, department: str) -> bool:
    mine = answers_for(app, conn, who)
    return mine is None or department in mine


# -- reading ----------------------------------------------------------------------------------
def waiting(app: App, who: Principal, every: bool = False) -> list[SurveyView]:
    """The surveys waiting for ``who``'s answer (``every``: those of every department, for
    administrators), the newest first."""
    departments: frozenset[str] | None = None
    with app.db.read() as conn:
        if every:
            authz.authorize(app, conn, who, Permission.ADMINISTER)
        else:
            departments = _headed(app, conn, who)
        rows = repo.open_of(conn, departments)
        return _views(app, conn, rows)


def of_instance(app: App, who: Principal, business_key: str) -> list[SurveyView]:
    """The surveys of an instance ``who`` may see, answered or not, by department."""
    with app.db.read() as conn:
        instance = queries.find_instance(app, conn, who, business_key)
        return _views(app, conn, repo.of_instance(conn, instance.id or 0))


def survey(app: App, who: Principal, survey_id: int) -> SurveyView:
    """One survey: for who may answer it or sees its instance."""
    with app.db.read() as conn:
        row = _visible(app, conn, who, survey_id)
        return _views(app, conn, [row])[0]


def _visible(app: App, conn: Connection, who: Principal, survey_id: int) -> dict[str, Any]:
    missing = NotFoundError("survey.not_found", survey=survey_id)
    row = repo.get(conn, survey_id)
    if row is None:
        raise missing
    if not _may_answer(app, conn, who, row["department"]) and not authz.sees(
        conn, who, row["instance_id"]
    ):
        raise as_denial(missing, Permission.VIEW.value, f"survey:{survey_id}")
    return row


def _views(app: App, conn: Connection, rows: Sequence[dict[str, Any]]) -> list[SurveyView]:
    names = Names(app.org(conn))
    found = []
    for r in rows:
        definition = app.definition(conn, r["definition_id"])
        found.append(
            SurveyView(
                id=r["id"],
                business_key=r["business_key"],
                title=r["title"],
                process=r["definition_key"],
                process_name=definition.name,
                department=names.known_dept(r["department"]),
                asked_at=r["asked_at"],
                score=r["score"],
                comment=r["comment"] or "",
                answered_by=names.person(r["answered_by"]),
                answered_at=r["answered_at"],
                ended_at=r["ended_at"],
            )
        )
    return found


# -- answering --------------------------------------------------------------------------------
def score_of(value: object) -> int:
    """A score from 1 to 5, given as a number or as its digits; a bad one is refused."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number not in SCORES:
        raise InputError("survey.bad_score", score=str(value)[:20])
    return number


def answer(
    app: App, who: Principal, survey_id: int, score: object, comment: str = ""
) -> SurveyView:
    """Answer survey ``survey_id`` for its department with ``score`` (1–5) and a comment;
    nothing changes when the input is wrong or it was answered before."""
    number = score_of(score)
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise InputError("survey.comment_too_long", length=len(comment), limit=COMMENT_LIMIT)
    now = app.now()
    with app.db.write() as conn:
        row = _visible(app, conn, who, survey_id)
        names = Names(app.org(conn))
        department = names.known_dept(row["department"]).name
        target = f"survey:{survey_id}"
        if not _may_answer(app, conn, who, row["department"]):
            refused = ForbiddenError("survey.not_answerer", login=who.login, department=department)
            raise as_denial(refused, Permission.HANDLE.value, target)
        if not repo.answer(conn, survey_id, number, comment, who.login, now):
            raise ConflictError(
                "survey.answered",
                department=department,
                business_key=row["business_key"],
                by=names.known(row["answered_by"] or "").name,
            )
        detail = {"score": number, "department": row["department"], "comment": len(comment)}
        audit.record(app, conn, who, SurveyAudit.ANSWER, target, **detail)
        return _views(app, conn, [repo.get(conn, survey_id) or row])[0]
