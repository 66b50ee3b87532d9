"""Notification templates (NTF-3, NTF-4): defaults, checking and sandboxed rendering.

Administrators may rewrite the subject and body of every event's message. Templates are
Jinja2 run in :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with more limits on
top, because a template is code written by someone who is not a developer:

* only the names in :data:`VARIABLES` exist (no ``range``, ``cycler``, ``lipsum``, ...);
* attributes starting with ``_`` are refused when checking and by the sandbox when rendering;
* only a list of harmless filters and methods may be used;
* ``set``, ``with``, macros, ``include`` / ``import`` / ``extends`` / blocks are refused, and
  ``for`` loops may only go over ``items`` or ``form`` (or their parts), two levels deep, so
  the work a template does is bounded by the data it is given;
* ``*``, ``**`` and ``%`` refuse results that would be huge (``9 ** (9 ** 9)``,
  ``'x' * 10 ** 9``), and filter and method results longer than :data:`VALUE_LIMIT` stop it;
* sources longer than :data:`SOURCE_LIMIT` or nested deeper than :data:`MAX_NESTING` are
  refused, output is cut at the limits;
* a template prints values, never a method (``{{ 'x'.format }}`` is refused).

Problems are faults of the catalogue (``template.*``), said in Chinese or English.

Sensitive form fields never appear in a message (NTF-4): the caller passes ``form`` through
:func:`mask_sensitive` first.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType, TracebackType
from typing import Any

import yaml
from jinja2 import Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from markupsafe import escape

from oaflow.domain.errors import Fault, fault
from oaflow.notify.samples import SAMPLE_CONTEXT, SAMPLE_CONTEXT_EN
from oaflow.notify.sandbox import ENV, MAX_NESTING, Refused, structure_problems

#: the events that have a message, in this order
EVENTS: tuple[str, ...] = (
    "task_assigned",
    "task_rejected",
    "task_returned",
    "ack_reminder",
    "ack_escalation",
    "deadline_warning",
    "overdue",
    "escalation",
    "exception_opened",
    "exception_report_reminder",
    "exception_report_overdue",
    "exception_update",
    "instance_completed",
    "instance_rejected",
    "definition_changed",
    "urge",
    "cc",
    "digest",
    # weekly meetings and their action items (MTG-1/2)
    "meeting_report",
    "meeting_minutes_due",
    "action_item_reminder",
    "action_item_overdue",
    "action_item_escalation",
    # a service node's call that keeps failing (INT-2)
    "service_incident",
    # the satisfaction survey of a completed instance (MTR-2)
    "survey_requested",
    # a running instance likely to miss its deadline (issue 15: the completion forecast)
    "forecast_at_risk",
)
LOCALES: tuple[str, ...] = ("zh", "en")

#: the only names a template may use
VARIABLES: frozenset[str] = frozenset(
    {
        "recipient",
        "event_label",
        "business_key",
        "title",
        "process",
        "task",
        "node",
        "department",
        "remaining",
        "deadline",
        "action",
        "link",
        "note",
        "actor",
        "items",
        "count",
        "form",
    }
)

SOURCE_LIMIT = 4000  # characters of a subject or body template
SUBJECT_LIMIT = 200  # characters of a rendered subject (one line)
BODY_LIMIT = 4000  # characters of a rendered body


def sample_context(locale: str) -> Mapping[str, Any]:
    """The sample values a preview renders in ``locale``."""
    return SAMPLE_CONTEXT_EN if locale == "en" else SAMPLE_CONTEXT


_EMPTY: Mapping[str, Any] = MappingProxyType(
    {**{name: "" for name in VARIABLES}, "items": (), "count": 0, "form": MappingProxyType({})}
)
_HTML_LANG = {"zh": "zh-CN", "en": "en"}


class TemplateRenderError(ValueError):
    """A template could not be rendered; the caller falls back to the default template.
    ``fault`` says what went wrong (its English text is the exception's message)."""

    def __init__(self, problem: Fault) -> None:
        super().__init__(problem.text("en"))
        self.fault = problem


@dataclass(frozen=True)
class Rendered:
    """A rendered message: one-line subject, plain text and the same text as HTML."""

    subject: str
    text: str
    html: str


# --- compiling and rendering ---------------------------------------------------------------


_PARTS = {"subject": fault("template.part.subject"), "body": fault("template.part.body")}


def _at(part: str, line: int | None, problem: Fault) -> Fault:
    """``problem`` placed in the subject or body, at ``line`` when known."""
    if line is None:
        return fault("template.in_part", part=_PARTS[part], problem=problem)
    return fault("template.at_line", part=_PARTS[part], line=line, problem=problem)


def _too_long(part: str, source: str) -> Fault | None:
    if len(source) <= SOURCE_LIMIT:
        return None
    return fault("template.too_long", part=_PARTS[part], length=len(source), limit=SOURCE_LIMIT)


def _parse(part: str, source: str) -> nodes.Template:
    """The syntax tree of ``source``; TemplateRenderError when it is not a template."""
    try:
        return ENV.parse(source)
    except TemplateSyntaxError as exc:
        problem = fault("template.syntax", detail=exc.message or "")
        raise TemplateRenderError(_at(part, exc.lineno, problem)) from exc
    except RecursionError:
        problem = fault("template.too_deep", limit=MAX_NESTING)
        raise TemplateRenderError(_at(part, None, problem)) from None


@lru_cache(maxsize=512)
def _compile(part: str, source: str) -> Template:
    """The compiled template; TemplateRenderError when it is not an acceptable template."""
    too_long = _too_long(part, source)
    if too_long is not None:
        raise TemplateRenderError(too_long)
    ast = _parse(part, source)
    problems = structure_problems(ast, VARIABLES)
    if problems:
        line, problem = problems[0]
        raise TemplateRenderError(_at(part, line, problem))
    try:
        return ENV.from_string(ast)
    except TemplateError as exc:
        problem = fault("template.does_not_compile", detail=str(exc))
        raise TemplateRenderError(_at(part, None, problem)) from exc


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line of the innermost template frame in a (rewritten) traceback."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(part: str, exc: Exception) -> Fault:
    """Where and what went wrong while rendering ``part``."""
    line = _template_line(exc.__traceback__)
    if isinstance(exc, Refused):
        problem = exc.fault
    elif isinstance(exc, SecurityError):
        problem = fault("template.render.refused", detail=str(exc))
    elif isinstance(exc, UndefinedError):
        problem = fault("template.render.undefined", detail=str(exc))
    elif isinstance(exc, RecursionError):
        problem = fault("template.too_deep", limit=MAX_NESTING)
    else:
        problem = fault("template.render.failed", error=type(exc).__name__, detail=str(exc))
    return _at(part, line, problem)


def _render_part(part: str, source: str, values: Mapping[str, Any], limit: int) -> str:
    """Render one template; stops reading output a little past ``limit`` characters."""
    template = _compile(part, source)
    chunks: list[str] = []
    size = 0
    try:
        for chunk in template.generate(values):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                break
    except Exception as exc:  # a template may fail in any way; the caller falls back
        raise TemplateRenderError(_describe(part, exc)) from exc
    return "".join(chunks)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prepare(context: Mapping[str, Any]) -> dict[str, Any]:
    """The template's values: ``context`` with empty values for the variables it lacks."""
    unknown = set(context) - VARIABLES
    if unknown:
        raise ValueError(
            f"unknown template variables {sorted(unknown)}; the variables are {sorted(VARIABLES)}"
        )
    return {**_EMPTY, **context}


_URL = re.compile(r"https?://[^\s<>\"'（）【】「」，。；、]+")


def _html_line(line: str) -> str:
    """One escaped line of text, its http(s) addresses made links."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(line):
        url = match.group().rstrip(".,;:!?)")
        end = match.start() + len(url)
        href = escape(url)
        out += [str(escape(line[last : match.start()])), f'<a href="{href}">{href}</a>']
        last = end
    out.append(str(escape(line[last:])))
    return "".join(out)


def _html(subject: str, text: str, locale: str) -> str:
    body = "<br>\n".join(_html_line(line) for line in text.split("\n"))
    return (
        f'<!DOCTYPE html>\n<html lang="{_HTML_LANG[locale]}">\n'
        f'<head><meta charset="utf-8"><title>{escape(subject)}</title></head>\n'
        f"<body>\n<p>{body}</p>\n</body>\n</html>\n"
    )


def render(subject: str, body: str, context: Mapping[str, Any], *, locale: str = "zh") -> Rendered:
    """Render a subject and body template with ``context`` (names from :data:`VARIABLES`;
    missing ones are empty). Raises TemplateRenderError when the template fails (the caller
    then uses :func:`default_template`) and ValueError for an unknown variable or locale."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; use one of: {', '.join(LOCALES)}")
    values = _prepare(context)
    title = _cut(
        " ".join(_render_part("subject", subject, values, SUBJECT_LIMIT).split()), SUBJECT_LIMIT
    )
    text = _cut(_render_part("body", body, values, BODY_LIMIT).strip("\n"), BODY_LIMIT)
    return Rendered(subject=title, text=text, html=_html(title, text, locale))


# --- checking a template an administrator wrote --------------------------------------------


def _trial(part: str, source: str) -> list[Fault]:
    """Problems of rendering ``source`` with :data:`SAMPLE_CONTEXT`."""
    limit = SUBJECT_LIMIT if part == "subject" else BODY_LIMIT
    try:
        output = _render_part(part, source, _prepare(SAMPLE_CONTEXT), limit)
    except TemplateRenderError as exc:
        return [fault("template.trial_failed", problem=exc.fault)]
    if not output.strip():
        return [fault("template.renders_empty", part=_PARTS[part])]
    return []


def _check_part(part: str, source: str) -> list[Fault]:
    too_long = _too_long(part, source)
    if too_long is not None:
        return [too_long]
    try:
        ast = _parse(part, source)
    except TemplateRenderError as exc:
        return [exc.fault]
    problems = [_at(part, line, problem) for line, problem in structure_problems(ast, VARIABLES)]
    return problems or _trial(part, source)


def check_template(subject: str, body: str) -> list[Fault]:
    """Every problem of a subject and body template, each saying where and what to do; an
    empty list when the templates may be saved."""
    return _check_part("subject", subject) + _check_part("body", body)


# --- defaults, labels, masking -------------------------------------------------------------


def _read_defaults(raw: Any) -> dict[tuple[str, str], tuple[str, str]]:
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for event in EVENTS:
        for locale in LOCALES:
            entry = raw.get(event, {}).get(locale, {}) if isinstance(raw, dict) else {}
            subject, body = entry.get("subject"), entry.get("body")
            if not isinstance(subject, str) or not isinstance(body, str):
                raise RuntimeError(f"default_templates.yaml lacks {event}/{locale}")
            found[(event, locale)] = (subject, body)
    return found


@cache
def _defaults() -> Mapping[tuple[str, str], tuple[str, str]]:
    source = resources.files("oaflow.notify").joinpath("default_templates.yaml")
    return MappingProxyType(_read_defaults(yaml.safe_load(source.read_text(encoding="utf-8"))))


def _check_event(event: str, locale: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}; the events are: {', '.join(EVENTS)}")
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; use one of: {', '.join(LOCALES)}")


def default_template(event: str, locale: str) -> tuple[str, str]:
    """The shipped (subject, body) templates of ``event`` in ``locale``."""
    _check_event(event, locale)
    return _defaults()[(event, locale)]


def _mask_value(value: Any, hidden: frozenset[str], mask: str) -> Any:
    if isinstance(value, Mapping):
        return _mask(value, hidden, mask)
    if isinstance(value, list | tuple):
        return [_mask_value(item, hidden, mask) for item in value]
    return value


def _mask(form: Mapping[str, Any], hidden: frozenset[str], mask: str) -> dict[str, Any]:
    return {
        key: mask if key in hidden else _mask_value(value, hidden, mask)
        for key, value in form.items()
    }


def mask_sensitive(
    form: Mapping[str, Any], sensitive: Collection[str], mask: str = "***"
) -> dict[str, Any]:
    """A copy of ``form`` with the values of the ``sensitive`` fields replaced by ``mask``,
    also inside nested rows (NTF-4: sensitive fields never appear in notifications)."""
    return _mask(form, frozenset(sensitive), mask)
