"""What requests carry: strict models (``false`` is not a number, no extra fields), so a
body cannot set what its caller may not (assignee, state, department are never inputs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Field(ge=1, le=2**63 - 1)


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class SignIn(Strict):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class Start(Strict):
    process: str = Field(min_length=1, max_length=64)
    form: dict[str, Any]


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
    tasks: list[int] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


class Definition(Strict):
    source: str = Field(min_length=1, max_length=1_000_000)
    file: str = Field(default="definition.yaml", max_length=200)


class Ids(Strict):
    ids: list[int] | None = Field(default=None, max_length=1000)


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


class Template(Strict):
    subject: str = Field(min_length=1, max_length=400)
    body: str = Field(min_length=1, max_length=4000)
