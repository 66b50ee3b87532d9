"""Value helpers and the fixed function table of rule expressions (SPEC DEF-5).

Split out of ``expressions``: everything here works on evaluated values, never on the
syntax tree, and raises ExpressionError with a hint; the compiler attaches offsets.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from oaflow.domain.errors import ExpressionError, Fault, fault

Number = int | float
Function = Callable[..., object]

MAX_NUMBER = 10**18
MAX_SIZE = 100_000


def fail(code: str, offset: int | None = None, /, **params: Any) -> ExpressionError:
    return ExpressionError(code, offset=offset, **params)


def kind_of(value: object) -> Fault:
    """What sort of value ``value`` is ("a number", "text" …), for messages."""
    kind = _KINDS.get(type(value))
    if kind is not None:
        return fault(kind)
    if isinstance(value, Mapping):
        return fault("expression.kind.record")
    return fault("expression.kind.other", type=type(value).__name__)


_KINDS = {type(None): "expression.kind.null", bool: "expression.kind.boolean"}
_KINDS |= {int: "expression.kind.number", float: "expression.kind.number"}
_KINDS |= {str: "expression.kind.text", list: "expression.kind.list", tuple: "expression.kind.list"}


def as_number(value: object, what: str) -> Number:
    if not isinstance(value, int | float):
        raise fail("expression.needs_numbers", what=what, kind=kind_of(value))
    return _bounded(value, what)


def _bounded(value: Number, what: str) -> Number:
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise fail("expression.number_out_of_range", what=what)
    return value


def _sequence(value: object, what: str) -> Sequence[object]:
    if isinstance(value, list | tuple):
        return value
    raise fail("expression.needs_list", what=what, kind=kind_of(value), example=EXAMPLES[what])


def _numbers(value: object, what: str) -> list[Number]:
    return [as_number(item, what) for item in _sequence(value, what)]


def _add(a: object, b: object) -> object:
    if not isinstance(a, str | list | tuple) or not isinstance(b, str | list | tuple):
        return _bounded(as_number(a, "+") + as_number(b, "+"), "+")
    if len(a) + len(b) > MAX_SIZE:
        raise fail("expression.value_too_long", limit=MAX_SIZE)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, str) or isinstance(b, str):
        raise fail("expression.cannot_join", left=kind_of(a), right=kind_of(b))
    return [*a, *b]


def _arithmetic(symbol: str, op: Callable[[Number, Number], Number]) -> Function:
    def apply(a: object, b: object) -> object:
        if isinstance(a, str | list | tuple) or isinstance(b, str | list | tuple):
            raise fail("expression.numbers_only", symbol=symbol, left=kind_of(a), right=kind_of(b))
        x, y = as_number(a, symbol), as_number(b, symbol)
        if y == 0 and symbol in {"/", "//", "%"}:
            raise fail("expression.division_by_zero")
        return _bounded(op(x, y), symbol)

    return apply


def ordering(order: Callable[[Any, Any], object], symbol: str, left: str, right: str) -> Function:
    def test(a: object, b: object) -> object:
        if a is None or b is None:
            empty = left if a is None else right
            raise fail("expression.compare_empty", symbol=symbol, empty=empty)
        try:
            return order(a, b)
        except TypeError:
            raise fail(
                "expression.compare_kinds", symbol=symbol, left=kind_of(a), right=kind_of(b)
            ) from None

    return test


def member(item: object, container: object) -> bool:
    if isinstance(container, str):
        if isinstance(item, str):
            return item in container
        raise fail("expression.in_text", kind=kind_of(item))
    if not isinstance(container, list | tuple | Mapping | set | frozenset):
        raise fail("expression.in_needs_list", kind=kind_of(container))
    try:
        return item in container
    except TypeError:
        raise fail(
            "expression.in_cannot_look", item=kind_of(item), container=kind_of(container)
        ) from None


def get_item(container: object, key: object) -> object:
    if isinstance(container, Mapping):
        if isinstance(key, str) and key in container:
            return container[key]
        shown = ", ".join(sorted(str(k) for k in container)[:30])
        raise fail("expression.no_entry", key=repr(key), keys=shown)
    if not isinstance(container, list | tuple | str):
        raise fail("expression.not_indexable", kind=kind_of(container))
    index = _index(key)
    if not -len(container) <= index < len(container):
        raise fail("expression.index_out_of_range", index=index, length=len(container))
    return container[index]


def _index(key: object) -> int:
    if isinstance(key, bool) or not isinstance(key, int):
        raise fail("expression.bad_index", kind=kind_of(key))
    return key


def get_slice(container: object, start: object, stop: object) -> object:
    if not isinstance(container, list | tuple | str):
        raise fail("expression.not_sliceable", kind=kind_of(container))
    low = None if start is None else _index(start)
    high = None if stop is None else _index(stop)
    return container[low:high]


def _len(value: object) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise fail("expression.len_needs_list", kind=kind_of(value))


def _extreme(name: str, pick: Callable[[Sequence[Any]], object]) -> Function:
    def run(*args: object) -> object:
        values = _sequence(args[0], name) if len(args) == 1 else args
        if not values:
            raise fail("expression.empty_list", function=name)
        if any(value is None for value in values):
            raise fail("expression.null_value", function=name)
        try:
            return pick(values)
        except TypeError:
            raise fail("expression.mixed_values", function=name) from None

    return run


def _round(value: object, digits: object = None) -> Number:
    number = as_number(value, "round")
    if digits is None:
        return round(number)
    if isinstance(digits, bool) or not isinstance(digits, int) or not -18 <= digits <= 18:
        raise fail("expression.round_digits")
    return round(number, digits)


def _text(name: str, convert: Callable[[str], str]) -> Function:
    def run(value: object) -> str:
        if isinstance(value, str):
            return convert(value)
        raise fail(
            "expression.needs_text", function=name, kind=kind_of(value), example=EXAMPLES[name]
        )

    return run


def _max_growth(current: object, previous: object) -> float:
    now, before = _numbers(current, "max_growth"), _numbers(previous, "max_growth")
    if len(now) != len(before):
        raise fail("expression.unequal_lists", first=len(now), second=len(before))
    return max(((c - p) / p for c, p in zip(now, before, strict=True) if p > 0), default=0.0)


FUNCTIONS: dict[str, tuple[int, int, Function]] = {
    "len": (1, 1, _len),
    "sum": (1, 1, lambda v: _bounded(sum(_numbers(v, "sum")), "sum")),
    "min": (1, 99, _extreme("min", min)),
    "max": (1, 99, _extreme("max", max)),
    "abs": (1, 1, lambda v: abs(as_number(v, "abs"))),
    "round": (1, 2, _round),
    "any": (1, 1, lambda v: any(_sequence(v, "any"))),
    "all": (1, 1, lambda v: all(_sequence(v, "all"))),
    "lower": (1, 1, _text("lower", str.lower)),
    "upper": (1, 1, _text("upper", str.upper)),
    "contains": (2, 2, lambda container, item: member(item, container)),
    "max_growth": (2, 2, _max_growth),
}
EXAMPLES = {
    "len": "len(items) > 0",
    "sum": "sum(amounts) > 1000",
    "min": "min(a, b)",
    "max": "max(amounts)",
    "abs": "abs(delta) < 5",
    "round": "round(x, 2)",
    "any": "any([a, b])",
    "all": "all([a, b])",
    "lower": 'lower(code) == "abc"',
    "upper": 'upper(code) == "ABC"',
    "contains": 'contains(title, "urgent")',
    "max_growth": "max_growth(budget, last_budget) > 0.2",
}
ARITHMETIC: dict[type[ast.operator], Function] = {
    ast.Add: _add,
    ast.Sub: _arithmetic("-", operator.sub),
    ast.Mult: _arithmetic("*", operator.mul),
    ast.Div: _arithmetic("/", operator.truediv),
    ast.FloorDiv: _arithmetic("//", operator.floordiv),
    ast.Mod: _arithmetic("%", operator.mod),
}
ORDERINGS: dict[type[ast.cmpop], tuple[str, Callable[[Any, Any], object]]] = {
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
}
