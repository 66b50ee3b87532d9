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

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from importlib import resources
from types import MappingProxyType, TracebackType
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes, pass_eval_context
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.filters import FILTERS, do_join
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import escape

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
VALUE_LIMIT = 20_000  # longest text or list one expression may build
INT_BITS_LIMIT = 4096  # largest integer an expression may build, in bits
MAX_LOOP_DEPTH = 2  # for loops inside for loops
LOOP_SOURCES = frozenset({"items", "form"})  # what a for loop may go over

_LABELS: Mapping[str, tuple[str, str]] = {
    "task_assigned": ("待处理", "To do"),
    "task_rejected": ("已驳回", "Rejected"),
    "task_returned": ("已退回", "Returned"),
    "ack_reminder": ("请签收", "Please acknowledge"),
    "ack_escalation": ("签收超时", "Not acknowledged"),
    "deadline_warning": ("即将到期", "Due soon"),
    "overdue": ("已超时", "Overdue"),
    "escalation": ("超时升级", "Escalated"),
    "exception_opened": ("流程异常", "Exception"),
    "instance_completed": ("已办结", "Completed"),
    "instance_rejected": ("未通过", "Not approved"),
    "definition_changed": ("流程变更", "Process changed"),
    "urge": ("催办", "Reminder"),
    "cc": ("抄送", "For your information"),
    "digest": ("待办汇总", "Digest"),
}

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


# --- the sandbox ---------------------------------------------------------------------------

_STR_METHODS = frozenset(
    {"upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "startswith"}
    | {"endswith", "split", "splitlines", "isdigit"}
)
_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
_LOOP_METHODS = frozenset({"cycle", "changed"})
_METHODS = _STR_METHODS | _MAPPING_METHODS | _LOOP_METHODS
_FILTERS = frozenset(
    {"abs", "capitalize", "count", "d", "default", "dictsort", "first", "float", "int", "items"}
    | {"join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr"}
    | {"reverse", "round", "select", "selectattr", "sort", "string", "sum", "title", "trim"}
    | {"truncate", "unique", "upper", "wordcount"}
)
#: filters that keep a for loop's source bounded by the data
_LOOP_FILTERS = frozenset(
    {"dictsort", "items", "list", "map", "reject", "rejectattr", "reverse", "select"}
    | {"selectattr", "sort", "unique"}
)
_BLOCKED_TAGS: Mapping[type[nodes.Node], str] = {
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.With: "with",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.Import: "import",
    nodes.FromImport: "from ... import",
    nodes.Include: "include",
    nodes.Extends: "extends",
    nodes.Block: "block",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _bounded(value: Any) -> Any:
    """``value`` unless it is a text or collection longer than :data:`VALUE_LIMIT`."""
    if isinstance(value, str | list | tuple | dict) and len(value) > VALUE_LIMIT:
        raise SecurityError(f"a value of {len(value)} items is longer than {VALUE_LIMIT}")
    return value


def _check_power(left: Any, right: Any) -> None:
    if (
        _is_int(left)
        and _is_int(right)
        and right > 0
        and max(left.bit_length(), 1) * right > INT_BITS_LIMIT
    ):
        raise SecurityError(f"{left} ** {right} is too large a number")


def _check_product(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > INT_BITS_LIMIT:
            raise SecurityError("the product is too large a number")
        return
    sequence, times = (left, right) if _is_int(right) else (right, left)
    if (
        isinstance(sequence, str | list | tuple)
        and _is_int(times)
        and len(sequence) * times > VALUE_LIMIT
    ):
        raise SecurityError(f"repeating a value {times} times is too long")


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse operations whose result would be huge, and ``%`` text formatting."""
    if operator == "**":
        _check_power(left, right)
    elif operator == "*":
        _check_product(left, right)
    elif operator == "%" and isinstance(left, str):
        raise SecurityError("'%' formatting is not allowed; join texts with '~'")


def _method_allowed(obj: Any) -> bool:
    """Whether ``obj`` is one of the few methods a template may call."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, str):
        return name in _STR_METHODS
    if isinstance(owner, Mapping):
        return name in _MAPPING_METHODS
    if isinstance(owner, LoopContext):
        return name in _LOOP_METHODS
    return False


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus bounded operators and a short list of callable methods."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Do ``left operator right`` unless the result would be huge."""
        _check_binop(operator, left, right)
        return _bounded(super().call_binop(context, operator, left, right))

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Call ``obj`` if it is an allowed method; refuse results that are too long."""
        if not _method_allowed(obj):
            name = getattr(obj, "__name__", type(obj).__name__)
            raise SecurityError(f"calling {name!r} is not allowed in notification templates")
        return _bounded(super().call(context, obj, *args, **kwargs))


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a filter) with its result bounded; keeps Jinja's pass_* marker."""

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        return _bounded(func(*args, **kwargs))

    return guarded


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None) -> Any:
    """The ``join`` filter, refusing a separator repeated into a huge text."""
    parts = list(value)
    if len(parts) * len(str(d)) > VALUE_LIMIT:
        raise SecurityError("joining would make too long a text")
    return _bounded(do_join(eval_ctx, parts, d, attribute))


def _finalize(value: Any) -> Any:
    """Print None as nothing."""
    return "" if value is None else value


def _environment() -> _Sandbox:
    env = _Sandbox(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        optimized=False,  # no constant folding: nothing runs while compiling
        finalize=_finalize,
    )
    env.globals.clear()
    env.filters = {name: _guarded(FILTERS[name]) for name in _FILTERS}
    env.filters["join"] = _join
    return env


_ENV = _environment()


# --- checking the template's structure -----------------------------------------------------


def _loop_names(target: nodes.Node) -> set[str]:
    if isinstance(target, nodes.Name):
        return {target.name}
    return {name.name for name in target.find_all(nodes.Name)}


def _loop_source_ok(expr: nodes.Node, bound: Collection[str]) -> bool:
    """Whether a for loop's iterable is ``items`` / ``form`` / a loop variable or a part."""
    while True:
        if isinstance(expr, nodes.Name):
            return expr.name in LOOP_SOURCES or expr.name in bound
        if isinstance(expr, nodes.Filter) and expr.name in _LOOP_FILTERS and expr.node:
            expr = expr.node
        elif isinstance(expr, nodes.Call) and isinstance(expr.node, nodes.Getattr):
            if expr.node.attr not in {"items", "keys", "values"}:
                return False
            expr = expr.node.node
        elif isinstance(expr, nodes.Getattr | nodes.Getitem):
            expr = expr.node
        else:
            return False


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(VARIABLES), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}use one of: {', '.join(sorted(VARIABLES))}"


class _Checker:
    """Walks a parsed template and collects (line, problem) pairs."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []
        self._unknown: set[str] = set()

    def add(self, node: nodes.Node, problem: str) -> None:
        self.problems.append((node.lineno, problem))

    def visit(self, node: nodes.Node, bound: frozenset[str], depth: int) -> None:
        tag = next((t for cls, t in _BLOCKED_TAGS.items() if isinstance(node, cls)), None)
        if tag is not None:
            self.add(node, f"'{{% {tag} %}}' is not allowed in notification templates")
            return
        if isinstance(node, nodes.For):
            self.visit_for(node, bound, depth)
            return
        self.check_node(node, bound)
        for child in node.iter_child_nodes():
            self.visit(child, bound, depth)

    def visit_for(self, node: nodes.For, bound: frozenset[str], depth: int) -> None:
        if node.recursive:
            self.add(node, "recursive loops are not allowed")
        if depth >= MAX_LOOP_DEPTH:
            self.add(node, f"loops may be nested at most {MAX_LOOP_DEPTH} deep")
        if not _loop_source_ok(node.iter, bound):
            self.add(
                node,
                "a for loop may only go over items or form or a part of them, e.g. "
                "'{% for item in items %}' or '{% for key, value in form|dictsort %}'",
            )
        self.visit(node.iter, bound, depth)
        inner = bound | _loop_names(node.target)
        if node.test is not None:
            self.visit(node.test, inner, depth)
        for child in node.body:
            self.visit(child, inner | {"loop"}, depth + 1)
        for child in node.else_:
            self.visit(child, bound, depth)

    def check_node(self, node: nodes.Node, bound: frozenset[str]) -> None:
        if isinstance(node, nodes.Name) and node.ctx == "load":
            self.check_name(node, bound)
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            self.add(node, f"'{node.attr}' starts with '_'; such attributes are not accessible")
        elif isinstance(node, nodes.Getitem) and _private_key(node.arg):
            self.add(node, "keys starting with '_' are not accessible")
        elif isinstance(node, nodes.Filter) and node.name not in _ENV.filters:
            allowed = ", ".join(sorted(_ENV.filters))
            self.add(node, f"unknown or disallowed filter '{node.name}'; use one of: {allowed}")
        elif isinstance(node, nodes.Test) and node.name not in _ENV.tests:
            self.add(node, f"unknown test '{node.name}'")
        elif isinstance(node, nodes.Call):
            self.check_call(node)

    def check_name(self, node: nodes.Name, bound: frozenset[str]) -> None:
        if node.name in VARIABLES or node.name in bound or node.name in self._unknown:
            return
        self._unknown.add(node.name)
        self.add(node, f"unknown variable '{node.name}'; {_suggest(node.name)}")

    def check_call(self, node: nodes.Call) -> None:
        target = node.node
        if isinstance(target, nodes.Getattr) and target.attr in _METHODS:
            return
        if isinstance(target, nodes.Name) and target.name not in VARIABLES:
            return  # reported as an unknown variable
        allowed = ", ".join(sorted(_METHODS))
        self.add(node, f"calling this is not allowed; the methods you may call are: {allowed}")


def _private_key(arg: nodes.Node) -> bool:
    return isinstance(arg, nodes.Const) and isinstance(arg.value, str) and arg.value.startswith("_")


def _structure_problems(ast: nodes.Template) -> list[str]:
    checker = _Checker()
    for child in ast.body:
        checker.visit(child, frozenset(), 0)
    return [f"line {line}: {problem}" for line, problem in sorted(checker.problems)]


# --- compiling and rendering ---------------------------------------------------------------


@lru_cache(maxsize=512)
def _compile(part: str, source: str) -> Template:
    """The compiled template; TemplateRenderError when it is not an acceptable template."""
    if len(source) > SOURCE_LIMIT:
        raise TemplateRenderError(f"{part} is longer than {SOURCE_LIMIT} characters")
    try:
        ast = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateRenderError(f"{part} line {exc.lineno}: syntax error: {exc.message}") from exc
    problems = _structure_problems(ast)
    if problems:
        raise TemplateRenderError("; ".join(f"{part} {problem}" for problem in problems))
    try:
        return _ENV.from_string(ast)
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
        ast = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        problems.append(f"{part} line {exc.lineno}: syntax error: {exc.message}")
        return problems
    problems += [f"{part} {problem}" for problem in _structure_problems(ast)]
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


def event_label(event: str, locale: str) -> str:
    """A short name of ``event`` for people, e.g. 待处理 / To do (the ``event_label``)."""
    _check_event(event, locale)
    zh, en = _LABELS[event]
    return zh if locale == "zh" else en


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
