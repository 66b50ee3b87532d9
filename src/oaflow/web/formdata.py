"""HTML form data and the fields it fills: typed values and problems by field."""

from __future__ import annotations

from collections.abc import Iterable

from oaflow.domain.definition import FormField
from oaflow.domain.errors import Fault
from oaflow.services.views import FieldSpec


def spec_fields(specs: Iterable[FieldSpec]) -> tuple[FormField, ...]:
    """The fields a form showed, as the domain checks them."""
    return tuple(
        FormField(s.name, s.type, s.label, s.required, s.sensitive, s.values)  # type: ignore[arg-type]
        for s in specs
    )


def field_errors(problems: Iterable[Fault], lang: str) -> dict[str, str]:
    """Each problem's text by the field it names (the first problem of a field wins); a
    problem naming no field is filed under ``""``."""
    found: dict[str, str] = {}
    for problem in problems:
        name = str(problem.params.get("field", ""))
        found.setdefault(name, problem.text(lang))
    return found
