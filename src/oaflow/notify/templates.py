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
* sources longer than :data:`SOURCE_LIMIT` are refused, output is cut at the limits.

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
from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from markupsafe import escape

from oaflow.notify.sandbox import (
    ENV,
    structure_problems,
)

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
    "instance_completed",
    "instance_rejected",
    "definition_changed",
    "urge",
    "cc",
    "digest",
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

_SAMPLE_FORM: dict[str, Any] = {
    "customer": "上海恒达贸易有限公司",
    "contact": "陈先生",
    "phone": "***",
    "order_no": "SO-20240226-0183",
    "category": "物流延误",
    "summary": "订单承诺 2 月 28 日送达，至今未收到货，客户要求说明原因并尽快发货。",
}

#: a complete, realistic context: used for the trial render of :func:`check_template`
SAMPLE_CONTEXT: Mapping[str, Any] = MappingProxyType(
    {
        "recipient": "李娜",
        "event_label": "待处理",
        "business_key": "CS20240301",
        "title": "客户投诉：上海恒达贸易订单延迟发货",
        "process": "客户投诉",
        "task": "投诉受理",
        "node": "客服受理",
        "department": "客服部",
        "remaining": "6 工时",
        "deadline": "2024-03-01 17:00",
        "action": "核实投诉内容并确认受理",
        "link": "https://oa.example.com/a/task/1024",
        "note": "客户今日已来电三次，请优先处理。",
        "actor": "张伟",
        "items": [
            {
                "task": "投诉受理",
                "business_key": "CS20240301",
                "deadline": "2024-03-01 17:00",
                "remaining": "6 工时",
                "link": "https://oa.example.com/a/task/1024",
            },
            {
                "task": "费用报销审批",
                "business_key": "FY20240227",
                "deadline": "2024-03-04 12:00",
                "remaining": "1 天 3 工时",
                "link": "https://oa.example.com/a/task/1019",
            },
        ],
        "count": 2,
        "form": _SAMPLE_FORM,
    }
)

#: the same sample in English, for previews in English
SAMPLE_CONTEXT_EN: Mapping[str, Any] = MappingProxyType(
    {
        **SAMPLE_CONTEXT,
        "recipient": "Li Na",
        "event_label": "new task",
        "title": "Complaint: late delivery of a Hengda Trading order",
        "process": "Customer complaint",
        "task": "Accept complaint",
        "node": "Service desk intake",
        "department": "Service Desk",
        "remaining": "6.0 h",
        "action": "check the complaint and accept it",
        "note": "The customer called three times today; please handle it first.",
        "actor": "Zhang Wei",
        "items": [
            {**item, "task": name, "remaining": left}
            for item, name, left in zip(
                SAMPLE_CONTEXT["items"],
                ("Accept complaint", "Expense claim approval"),
                ("6.0 h", "11.0 h"),
                strict=True,
            )
        ],
        "form": {
            **_SAMPLE_FORM,
            "customer": "Shanghai Hengda Trading Co., Ltd.",
            "contact": "Mr Chen",
            "category": "late delivery",
            "summary": "Promised for 28 February, not delivered yet; the customer wants a reason.",
        },
    }
)


def sample_context(locale: str) -> Mapping[str, Any]:
    """The sample values a preview renders in ``locale``."""
    return SAMPLE_CONTEXT_EN if locale == "en" else SAMPLE_CONTEXT


_EMPTY: Mapping[str, Any] = MappingProxyType(
    {**{name: "" for name in VARIABLES}, "items": (), "count": 0, "form": MappingProxyType({})}
)
_HTML_LANG = {"zh": "zh-CN", "en": "en"}


class TemplateRenderError(ValueError):
    """A template could not be rendered; the caller falls back to the default template."""


@dataclass(frozen=True)
class Rendered:
    """A rendered message: one-line subject, plain text and the same text as HTML."""

    subject: str
    text: str
    html: str


# --- compiling and rendering ---------------------------------------------------------------


@lru_cache(maxsize=512)
def _compile(part: str, source: str) -> Template:
    """The compiled template; TemplateRenderError when it is not an acceptable template."""
    if len(source) > SOURCE_LIMIT:
        raise TemplateRenderError(f"{part} is longer than {SOURCE_LIMIT} characters")
    try:
        ast = ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(f"{part} line {exc.lineno}: syntax error: {exc.message}") from exc
    problems = structure_problems(ast, VARIABLES)
    if problems:
        raise TemplateRenderError("; ".join(f"{part} {problem}" for problem in problems))
    try:
        return ENV.from_string(ast)
    except TemplateError as exc:
        raise TemplateRenderError(f"{part} does not compile: {exc}") from exc


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line of the innermost template frame in a (rewritten) traceback."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(part: str, exc: Exception) -> str:
    """Where and what went wrong while rendering ``part``."""
    line = _template_line(exc.__traceback__)
    where = f"{part} line {line}: " if line is not None else f"{part}: "
    if isinstance(exc, SecurityError):
        return f"{where}refused by the sandbox: {exc}"
    if isinstance(exc, UndefinedError):
        return f"{where}undefined value: {exc}"
    return f"{where}{type(exc).__name__}: {exc}"


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


def _trial(part: str, source: str) -> list[str]:
    """Problems of rendering ``source`` with :data:`SAMPLE_CONTEXT`."""
    limit = SUBJECT_LIMIT if part == "subject" else BODY_LIMIT
    try:
        output = _render_part(part, source, _prepare(SAMPLE_CONTEXT), limit)
    except TemplateRenderError as exc:
        return [f"{exc} (rendering with the sample data); fix the template"]
    if not output.strip():
        return [f"{part} renders as empty text; write something in it"]
    return []


def _check_part(part: str, source: str) -> list[str]:
    problems: list[str] = []
    if len(source) > SOURCE_LIMIT:
        problems.append(
            f"{part} is {len(source)} characters long; the limit is {SOURCE_LIMIT}, shorten it"
        )
    try:
        ast = ENV.parse(source)
    except TemplateSyntaxError as exc:
        problems.append(f"{part} line {exc.lineno}: syntax error: {exc.message}")
        return problems
    problems += [f"{part} {problem}" for problem in structure_problems(ast, VARIABLES)]
    return problems or _trial(part, source)


def check_template(subject: str, body: str) -> list[str]:
    """Every problem of a subject and body template, each a sentence saying where and what
    to do; an empty list when the templates may be saved."""
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
