"""One root error type. Every error says what was wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field


class OAFlowError(Exception):
    """Root of every error OA-Flow raises on purpose.

    ``message`` names the problem, ``hint`` the way out. ``code`` is a stable
    machine-readable identifier (used by the CLI's --json output and the API).
    """

    code = "error"
    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class NotFoundError(OAFlowError):
    code = "not_found"


class ForbiddenError(OAFlowError):
    """The caller may not do this. Objects outside the caller's scope are reported as NotFound."""

    code = "forbidden"


class ConflictError(OAFlowError):
    """The object changed under the caller (optimistic concurrency) or is in the wrong state."""

    code = "conflict"


class InvalidTransitionError(ConflictError):
    code = "invalid_transition"


class MissingOutputsError(OAFlowError):
    code = "missing_outputs"


class InputError(OAFlowError):
    """Bad input from a person or another system."""

    code = "bad_input"


class ExpressionError(InputError):
    """A rule expression that is malformed or not allowed."""

    code = "bad_expression"

    def __init__(self, message: str, hint: str = "", offset: int | None = None) -> None:
        super().__init__(message, hint)
        self.offset = offset


@dataclass(frozen=True)
class Problem:
    """One problem found in a definition or import file, with its place and a fix hint."""

    message: str
    hint: str = ""
    file: str = ""
    line: int | None = None

    def where(self) -> str:
        if self.line is None:
            return self.file or "<definition>"
        return f"{self.file or '<definition>'}:{self.line}"

    def __str__(self) -> str:
        text = f"{self.where()}: {self.message}"
        return f"{text} — hint: {self.hint}" if self.hint else text


@dataclass
class ValidationError(OAFlowError):
    """Several problems reported at once (definition validation, imports)."""

    problems: list[Problem] = field(default_factory=list)
    code = "invalid_definition"

    def __post_init__(self) -> None:
        count = len(self.problems)
        super().__init__(
            f"{count} problem(s) found",
            "fix every problem listed, then run the command again",
        )

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
