"""The sandbox notification templates run in (NTF-3): Jinja2's immutable sandbox with
allow-lists of filters and methods, bounded arithmetic and values, values only (never a
method) printed or filtered, and a check of the template's structure (no ``set``, macros,
includes; loops only over the given data; bounded nesting) that runs before a template is
saved or compiled. Problems are faults of the catalogue (``template.*``). See
:mod:`oaflow.notify.templates`.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import wraps
from typing import Any

from jinja2 import StrictUndefined, nodes, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS, do_join
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from oaflow.domain.errors import Fault, fault

VALUE_LIMIT = 20_000  # longest text or list one expression may build
INT_BITS_LIMIT = 4096  # largest integer an expression may build, in bits
MAX_LOOP_DEPTH = 2  # for loops inside for loops
MAX_NESTING = 40  # deepest syntax tree (tags, brackets, operators, filters) a template may have
LOOP_SOURCES = frozenset({"items", "form"})  # what a for loop may go over


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


_METHOD_TYPES = (
    types.BuiltinFunctionType,
    types.MethodType,
    types.FunctionType,
    types.MethodWrapperType,
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
)


class Refused(SecurityError):
    """What the sandbox refused while rendering, as a fault of the catalogue."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.fault = fault(code, **params)
        super().__init__(self.fault.text("en"))


def _name_of(value: Any) -> str:
    return str(getattr(value, "__name__", type(value).__name__))


def _is_method(value: Any) -> bool:
    return isinstance(value, _METHOD_TYPES)


def _refuse_methods(value: Any) -> None:
    """Refuse a method, or a list or mapping holding one (it would print as ``<built-in …>``)."""
    if _is_method(value):
        raise Refused("template.prints_method", name=_name_of(value))
    items = value.values() if isinstance(value, Mapping) else value
    if isinstance(items, list | tuple) or isinstance(value, Mapping):
        found = next((item for item in items if _is_method(item)), None)
        if found is not None:
            raise Refused("template.prints_method", name=_name_of(found))


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _bounded(value: Any) -> Any:
    """``value`` unless it is a text or collection longer than :data:`VALUE_LIMIT`."""
    if isinstance(value, str | list | tuple | dict) and len(value) > VALUE_LIMIT:
        raise Refused("template.refused.value_too_long", length=len(value), limit=VALUE_LIMIT)
    return value


def _check_power(left: Any, right: Any) -> None:
    if (
        _is_int(left)
        and _is_int(right)
        and right > 0
        and max(left.bit_length(), 1) * right > INT_BITS_LIMIT
    ):
        raise Refused("template.refused.power_too_large", left=left, right=right)


def _check_product(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > INT_BITS_LIMIT:
            raise Refused("template.refused.product_too_large")
        return
    sequence, times = (left, right) if _is_int(right) else (right, left)
    if (
        isinstance(sequence, str | list | tuple)
        and _is_int(times)
        and len(sequence) * times > VALUE_LIMIT
    ):
        raise Refused("template.refused.repeat_too_long", times=times)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse operations whose result would be huge, and ``%`` text formatting."""
    if operator == "**":
        _check_power(left, right)
    elif operator == "*":
        _check_product(left, right)
    elif operator == "%" and isinstance(left, str):
        raise Refused("template.refused.percent_format")


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
            raise Refused("template.refused.call", name=_name_of(obj))
        return _bounded(super().call(context, obj, *args, **kwargs))


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a filter) with its result bounded; keeps Jinja's pass_* marker."""

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _refuse_methods(value)
        return _bounded(func(*args, **kwargs))

    return guarded


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None) -> Any:
    """The ``join`` filter, refusing a separator repeated into a huge text."""
    parts = list(value)
    for part in parts:
        _refuse_methods(part)
    if len(parts) * len(str(d)) > VALUE_LIMIT:
        raise Refused("template.refused.join_too_long")
    return _bounded(do_join(eval_ctx, parts, d, attribute))


def _finalize(value: Any) -> Any:
    """Print None as nothing; refuse to print a method."""
    _refuse_methods(value)
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


ENV = _environment()


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


def _unknown_variable(name: str, known: Collection[str]) -> Fault:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    names = ", ".join(sorted(known))
    if close:
        return fault("template.unknown_variable_close", name=name, word=close[0], known=names)
    return fault("template.unknown_variable", name=name, known=names)


def tree_depth(ast: nodes.Template) -> int:
    """How deep the syntax tree of a parsed template goes (walked without recursion)."""
    deepest = 0
    todo: list[tuple[nodes.Node, int]] = [(ast, 0)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


class _Checker:
    """Walks a parsed template and collects (line, problem) pairs."""

    def __init__(self, known: Collection[str]) -> None:
        self.known = known
        self.problems: list[tuple[int, Fault]] = []
        self._unknown: set[str] = set()

    def add(self, node: nodes.Node, code: str, /, **params: Any) -> None:
        self.problems.append((node.lineno, fault(code, **params)))

    def visit(self, node: nodes.Node, bound: frozenset[str], depth: int) -> None:
        tag = next((t for cls, t in _BLOCKED_TAGS.items() if isinstance(node, cls)), None)
        if tag is not None:
            self.add(node, "template.tag_not_allowed", tag=tag)
            return
        if isinstance(node, nodes.For):
            self.visit_for(node, bound, depth)
            return
        self.check_node(node, bound)
        for child in node.iter_child_nodes():
            self.visit(child, bound, depth)

    def visit_for(self, node: nodes.For, bound: frozenset[str], depth: int) -> None:
        if node.recursive:
            self.add(node, "template.loop.recursive")
        if depth >= MAX_LOOP_DEPTH:
            self.add(node, "template.loop.too_deep", limit=MAX_LOOP_DEPTH)
        if not _loop_source_ok(node.iter, bound):
            self.add(node, "template.loop.source")
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
            self.add(node, "template.private_attribute", name=node.attr)
        elif isinstance(node, nodes.Getitem) and _private_key(node.arg):
            self.add(node, "template.private_key")
        elif isinstance(node, nodes.Filter) and node.name not in ENV.filters:
            allowed = ", ".join(sorted(ENV.filters))
            self.add(node, "template.unknown_filter", name=node.name, allowed=allowed)
        elif isinstance(node, nodes.Test) and node.name not in ENV.tests:
            self.add(node, "template.unknown_test", name=node.name)
        elif isinstance(node, nodes.Call):
            self.check_call(node)

    def check_name(self, node: nodes.Name, bound: frozenset[str]) -> None:
        if node.name in self.known or node.name in bound or node.name in self._unknown:
            return
        self._unknown.add(node.name)
        self.problems.append((node.lineno, _unknown_variable(node.name, self.known)))

    def check_call(self, node: nodes.Call) -> None:
        target = node.node
        if isinstance(target, nodes.Getattr) and target.attr in _METHODS:
            return
        if isinstance(target, nodes.Name) and target.name not in self.known:
            return  # reported as an unknown variable
        self.add(node, "template.call_not_allowed", methods=", ".join(sorted(_METHODS)))


def _private_key(arg: nodes.Node) -> bool:
    return isinstance(arg, nodes.Const) and isinstance(arg.value, str) and arg.value.startswith("_")


def structure_problems(ast: nodes.Template, known: Collection[str]) -> list[tuple[int, Fault]]:
    """Everything in ``ast`` a notification template may not do, each with its line; names
    outside ``known`` (and the template's own loop variables) are unknown variables. A tree
    deeper than :data:`MAX_NESTING` is refused before anything walks it recursively."""
    if tree_depth(ast) > MAX_NESTING:
        return [(1, fault("template.too_deep", limit=MAX_NESTING))]
    checker = _Checker(known)
    for child in ast.body:
        checker.visit(child, frozenset(), 0)
    return sorted(checker.problems, key=lambda found: found[0])
