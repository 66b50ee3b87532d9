"""One root error type. Every error is a stable code with parameters; what it says, in
Chinese and English, comes from one catalogue (``domain/texts``), so that each caller — the
CLI, the API, a page — can present it in its user's language and add its own way out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from oaflow.domain import texts
from oaflow.domain.text import DEFAULT_ZONE


@dataclass(frozen=True)
class Fault:
    """One thing that is wrong: a code of the catalogue and the values its text names."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en", tz: str = DEFAULT_ZONE) -> str:
        return texts.message(self.code, self.params, lang, tz)

    def hint(self, lang: str = "en", tz: str = DEFAULT_ZONE) -> str:
        return texts.hint(self.code, self.params, lang, tz)

    def __str__(self) -> str:
        return self.text("en")


def fault(code: str, /, **params: Any) -> Fault:
    return Fault(code, params)


@dataclass(frozen=True)
class Denial:
    """A request the authorisation rules refused, for the audit log (SEC-4): what was asked
    (a permission) and of what (``instance:KEY``, ``task:ID``, ``process:KEY``…). It rides
    on the error the caller gets and is never shown to them."""

    action: str
    target: str


class OAFlowError(Exception):
    """Root of every error OA-Flow raises on purpose: ``code`` (stable, machine-readable)
    and ``params``. ``kind`` says what sort of failure it is (an API answers 404 for
    ``not_found``, 409 for ``conflict`` …). ``denial`` is set on an error that refuses a
    request by the authorisation rules (``as_denial``)."""

    kind: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 1
    denial: Denial | None = None

    def __init__(self, code: str, /, **params: Any) -> None:
        self.fault = Fault(code, params)
        super().__init__(code)

    @property
    def code(self) -> str:
        return self.fault.code

    @property
    def params(self) -> Mapping[str, Any]:
        return self.fault.params

    def text(self, lang: str = "en", tz: str = DEFAULT_ZONE) -> str:
        return self.fault.text(lang, tz)

    def hint(self, lang: str = "en", tz: str = DEFAULT_ZONE) -> str:
        return self.fault.hint(lang, tz)

    @property
    def message(self) -> str:
        """The English text (logs, tests)."""
        return self.text("en")

    def __str__(self) -> str:
        hint = self.hint("en")
        return f"{self.text('en')} ({hint})" if hint else self.text("en")


E = TypeVar("E", bound=OAFlowError)


def as_denial(error: E, action: str, target: str) -> E:
    """``error`` marked as the refusal of ``action`` on ``target`` (for the audit log)."""
    error.denial = Denial(action, target)
    return error


class NotFoundError(OAFlowError):
    """The object does not exist — or is outside the caller's scope (no existence leak)."""

    kind = "not_found"


class ForbiddenError(OAFlowError):
    """The caller may see the object but may not do this to it."""

    kind = "forbidden"


class UnauthenticatedError(OAFlowError):
    """The caller did not prove who they are (no, a wrong or an ended session or token)."""

    kind = "unauthenticated"


class ThrottledError(OAFlowError):
    """Too many attempts: ``retry_after`` seconds before the next one is looked at."""

    kind = "throttled"


class TooLargeError(OAFlowError):
    """The request or upload is larger than the limit."""

    kind = "too_large"


class UnsupportedTypeError(OAFlowError):
    """An upload whose content is not of a type OA-Flow keeps."""

    kind = "unsupported_type"


class BusyError(OAFlowError):
    """The database stayed busy longer than a request may wait for it (SQLite's write lock
    held by others past its busy timeout; a PostgreSQL lock timeout): the transaction was
    rolled back, nothing changed, and the same request may be sent again."""

    kind = "busy"


class ConflictError(OAFlowError):
    """The object changed under the caller (optimistic concurrency) or is in the wrong state."""

    kind = "conflict"


class CryptoError(OAFlowError):
    """Encrypted values cannot be read or written: no key, a wrong or unknown key, a value
    that was changed or moved, or keys that are not configured right (SEC-3). Fails
    closed: nothing is read or written in their place."""

    kind = "unavailable"


class InvalidTransitionError(ConflictError):
    kind = "conflict"


class MissingOutputsError(OAFlowError):
    kind = "unprocessable"


class InputError(OAFlowError):
    """Bad input from a person or another system."""

    kind = "bad_input"


class ExpressionError(InputError):
    """A rule expression that is malformed or not allowed."""

    def __init__(self, code: str, /, offset: int | None = None, **params: Any) -> None:
        super().__init__(code, **params)
        self.offset = offset


@dataclass(frozen=True, init=False)
class Problem:
    """One problem found in a definition or import file: its fault and its place."""

    fault: Fault
    file: str = ""
    line: int | None = None

    def __init__(self, fault: Fault, file: str = "", line: int | None = None) -> None:
        object.__setattr__(self, "fault", fault)
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", line)

    @property
    def code(self) -> str:
        return self.fault.code

    def hint(self, lang: str = "en") -> str:
        return self.fault.hint(lang)

    def where(self) -> str:
        if self.line is None:
            return self.file or "<definition>"
        return f"{self.file or '<definition>'}:{self.line}"

    def text(self, lang: str = "en") -> str:
        text = f"{self.where()}: {self.fault.text(lang)}"
        hint = self.fault.hint(lang)
        if not hint:
            return text
        return f"{text} — {'提示' if lang == 'zh' else 'hint'}: {hint}"

    @property
    def message(self) -> str:
        return self.fault.text("en")

    def __str__(self) -> str:
        return self.text("en")


def problem(code: str, file: str = "", line: int | None = None, /, **params: Any) -> Problem:
    return Problem(Fault(code, params), file, line)


class ValidationError(OAFlowError):
    """Several problems reported at once (definition validation, imports)."""

    kind = "unprocessable"

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("validation.problems", count=len(problems))
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
