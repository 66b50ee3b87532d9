"""What requests carry: strict models (``false`` is not a number, no extra fields), so a
body cannot set what its caller may not (assignee, state, department are never inputs).

Nothing a request carries may be unstorable: ids fit the INTEGER columns (int4 on
PostgreSQL), and no text holds NUL (PostgreSQL refuses it) or an unpaired surrogate (it is
not UTF-8), no number is NaN or infinite — anywhere in a body, path or query, else 422."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

#: the largest number an INTEGER column holds (int4 on PostgreSQL): ids, counts
MAX_INT = 2**31 - 1
MAX_ID = MAX_INT
IdNumber = Annotated[int, Field(ge=1, le=MAX_ID)]
#: the largest offset of a page (a BIGINT in SQL)
MAX_OFFSET = 2**63 - 1
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE = "holds NUL or an unpaired surrogate, or a number that is not finite"


def storable(value: Any) -> bool:
    """Whether ``value`` (a JSON document, however nested) can be stored as it is."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return False
        elif isinstance(item, float):
            if not math.isfinite(item):
                return False
        elif isinstance(item, dict):
            todo += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple):
            todo += item
    return True


def storable_parameters(request: Request) -> None:
    """Path and query parameters hold no NUL and no unpaired surrogate (422)."""
    for place, values in (("path", request.path_params), ("query", request.query_params)):
        for name, value in values.items():
            if not storable(value):
                error = {"type": "value_error", "loc": (place, name), "msg": UNSTORABLE}
                raise RequestValidationError([error])


_WRITTEN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_date(value: Any) -> Any:
    """A date or time in a path or query is written YYYY-MM-DD… (pydantic would also take a
    number of seconds since 1970: ``/calendar/days/0`` was 1 January 1970)."""
    if isinstance(value, str) and not _WRITTEN_DATE.match(value):
        raise ValueError("write a date YYYY-MM-DD, a time YYYY-MM-DDTHH:MM[:SS][+08:00]")
    return value


WrittenDate = Annotated[date, BeforeValidator(_written_as_a_date)]
#: a time without an offset is read in the business calendar's zone (like the CLI)
WrittenTime = Annotated[datetime, BeforeValidator(_written_as_a_date)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if not storable(data):
            raise ValueError(f"the request {UNSTORABLE}")
        return data


class SignIn(Strict):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class Start(Strict):
    process: str = Field(min_length=1, max_length=64)
    form: dict[str, Any]

    @model_validator(mode="after")
    def _title_fits(self) -> Start:
        title = self.form.get("title")
        if isinstance(title, str) and len(title) > TITLE_LENGTH:
            raise ValueError(f"form.title: at most {TITLE_LENGTH} characters")
        return self


TITLE_LENGTH = 200  # instances.title is VARCHAR(200)


class Note(Strict):
    note: str = Field(default="", max_length=2000)


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class Progress(Strict):
    percent: int = Field(ge=0, le=100)
    note: str = Field(default="", max_length=2000)
    waiting: bool = False


class Complete(Strict):
    fields: dict[str, Any] = {}
    deliverables: dict[str, str] = {}
    note: str = Field(default="", max_length=2000)


class Return(Strict):
    to: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


class Transfer(Strict):
    to: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


class People(Strict):
    to: list[str] = Field(min_length=1, max_length=50)
    note: str = Field(default="", max_length=2000)


class AddSigner(Strict):
    to: str = Field(min_length=1, max_length=64)
    position: Literal["before", "after"] = "before"


class Batch(Strict):
    tasks: list[IdNumber] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


class Definition(Strict):
    source: str = Field(min_length=1, max_length=1_000_000)
    file: str = Field(default="definition.yaml", max_length=200)


class Publication(Definition):
    """A definition to publish (VER-1): a minor step unless ``major``; ``note`` is the
    change log the change notice and the knowledge base show."""

    major: bool = False
    note: str = Field(default="", max_length=2000)


class Ids(Strict):
    ids: list[IdNumber] | None = Field(default=None, max_length=1000)


class Password(Strict):
    password: str = Field(min_length=1, max_length=200)


class NewToken(Strict):
    name: str = Field(min_length=1, max_length=100)
    login: str | None = Field(default=None, max_length=64)
    scopes: list[Literal["read", "write"]] = Field(min_length=1)
    days: int = Field(default=90, ge=1, le=366)


class Grant(Strict):
    roles: list[str] = Field(max_length=10)


class Policy(Strict):
    departments: list[str] = Field(max_length=50)


class Deputy(Strict):
    deputy: str = Field(min_length=1, max_length=64)
    starts: str
    ends: str


class Preferences(Strict):
    channels: list[str] | None = None
    muted: list[str] | None = None
    digest_hour: int | None = Field(default=None, ge=0, le=23)
    no_digest: bool = False
    locale: Literal["zh", "en"] | None = None


class ExceptionReport(Strict):
    node: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=4000)


class ExceptionExplanation(Strict):
    """The responsible department's report (异常处理说明); times as YYYY-MM-DDTHH:MM, in the
    business calendar's zone unless they carry an offset."""

    category: str = Field(min_length=1, max_length=40)
    cause: str = Field(min_length=1, max_length=2000)
    expected: str = Field(min_length=10, max_length=40)
    resources: str = Field(default="", max_length=2000)


class ExceptionCoordination(Strict):
    plan: str = Field(min_length=1, max_length=2000)
    handler: str = Field(min_length=1, max_length=64)
    deadline: str = Field(min_length=10, max_length=40)


class ExceptionResolution(Strict):
    note: str = Field(min_length=1, max_length=2000)


class ExceptionVerification(Strict):
    result: str = Field(min_length=1, max_length=2000)
    passed: bool = True


class ExceptionReopening(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class Template(Strict):
    subject: str = Field(min_length=1, max_length=400)
    body: str = Field(min_length=1, max_length=4000)


# -- versions and their changes (VER-1..3): answers, not requests ------------------------
class VersionChange(BaseModel):
    """One change from a version to another, in words."""

    area: Literal["process", "form", "node", "decision_table"]
    kind: Literal["added", "removed", "changed"]
    subject: str = Field(description="the node id, field or table name; empty for the process")
    zh: str = Field(description="e.g. 节点「研发方案输出」时限 72 → 48 小时")
    en: str = Field(description='e.g. Node "R&D plan" time limit: 72 → 48 h')


class VersionInfo(BaseModel):
    """A published version: its ordinal ``version`` (what instances reference), its label
    ``V{major}.{minor}-{yyyymm}-{name}``, who published it when, and its change note."""

    key: str
    version: int
    label: str
    major: int
    minor: int
    name_zh: str
    name_en: str
    note: str
    published_at: datetime
    published_by: str


class VersionDetail(VersionInfo):
    """A version with what changed against the version before it (none for the first)."""

    previous: VersionInfo | None
    changes: list[VersionChange]
    page: str = Field(description="its page in the knowledge base")


class VersionDiff(BaseModel):
    """What changed from version ``old`` to version ``new``."""

    key: str
    old: VersionInfo
    new: VersionInfo
    changes: list[VersionChange]


class ArchiveFileOut(BaseModel):
    """A file of an archive's bundle: its path in the bundle, size and SHA-256."""

    path: str
    size: int
    sha256: str


class ArchiveOut(BaseModel):
    """An archive (ARC-1): its name, instance, whether its bundle is built, and its files
    (with ``files`` asked for; the list leaves them out)."""

    name: str
    business_key: str
    node_id: str
    state: str = Field(description="pending (the worker builds it) | built")
    created_at: datetime
    built_at: datetime | None
    file_count: int
    total_size: int
    manifest_sha256: str = Field(description="the SHA-256 of manifest.json, kept apart")
    files: list[ArchiveFileOut] | None = None
    error: str = ""


class ArchiveFindingOut(BaseModel):
    where: str = Field(description="folder | zip")
    path: str = Field(description="the file in the bundle; empty: the whole folder or zip")
    problem: str = Field(description="changed | missing | extra")
    text: str


class ArchiveCheckOut(BaseModel):
    """What verifying an archive found: nothing (intact) or every changed, missing or extra
    file of the folder and the zip, the manifest included."""

    name: str
    intact: bool
    checked_at: datetime
    files: int
    findings: list[ArchiveFindingOut]
