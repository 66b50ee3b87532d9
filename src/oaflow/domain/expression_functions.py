"""Value helpers and the fixed function table of rule expressions (SPEC DEF-5).

Split out of ``expressions``: everything here works on evaluated values, never on the
syntax tree, and raises ExpressionError with a hint; the compiler attaches offsets.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from oaflow.domain.errors import ExpressionError

Number = int | float
Function = Callable[..., object]

MAX_NUMBER = 10**18
MAX_SIZE = 100_000

SIMPLER = "split it into several simpler conditions"
SMALLER = "use numbers within ±10^18"


def fail(message: str, hint: str = "", offset: int | None = None) -> ExpressionError:
    return ExpressionError(message, hint, offset=offset)


def kind_of(value: object) -> str:
    kind = _KINDS.get(type(value))
    return kind or ("a record" if isinstance(value, Mapping) else f"a {type(value).__name__}")


_KINDS = {type(None): "an empty value (null)", bool: "a boolean", int: "a number"}
_KINDS |= {float: "a number", str: "text", list: "a list", tuple: "a list"}


def as_number(value: object, what: str) -> Number:
    if not isinstance(value, int | float):
        hint = "check the field types, or test for null first"
        raise fail(f"`{what}` needs numbers, got {kind_of(value)}", hint)
    return _bounded(value, what)


def _bounded(value: Number, what: str) -> Number:
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise fail(f"a number in `{what}` is out of range (beyond ±10^18)", SMALLER)
    return value


def _sequence(value: object, what: str) -> Sequence[object]:
    if isinstance(value, list | tuple):
        return value
    raise fail(f"`{what}` needs a list, got {kind_of(value)}", f"e.g. `{EXAMPLES[what]}`")


def _numbers(value: object, what: str) -> list[Number]:
    return [as_number(item, what) for item in _sequence(value, what)]


def _add(a: object, b: object) -> object:
    if not isinstance(a, str | list | tuple) or not isinstance(b, str | list | tuple):
        return _bounded(as_number(a, "+") + as_number(b, "+"), "+")
    if len(a) + len(b) > MAX_SIZE:
        raise fail(f"`+` would build a value longer than {MAX_SIZE}", SIMPLER)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, str) or isinstance(b, str):
        raise fail(f"`+` cannot join {kind_of(a)} and {kind_of(b)}", "join text with text")
    return [*a, *b]


def _arithmetic(symbol: str, op: Callable[[Number, Number], Number]) -> Function:
    def apply(a: object, b: object) -> object:
        if isinstance(a, str | list | tuple) or isinstance(b, str | list | tuple):
            message = f"`{symbol}` works on numbers only, got {kind_of(a)} and {kind_of(b)}"
            raise fail(message, "repeating or combining text and lists this way is not allowed")
        x, y = as_number(a, symbol), as_number(b, symbol)
        if y == 0 and symbol in {"/", "//", "%"}:
            raise fail("division by zero", "check the divisor first, e.g. `b != 0 and a / b > 1`")
        return _bounded(op(x, y), symbol)

    return apply


def ordering(order: Callable[[Any, Any], object], symbol: str, left: str, right: str) -> Function:
    def test(a: object, b: object) -> object:
        if a is None or b is None:
            empty = left if a is None else right
            hint = f"check it has a value first, e.g. `{empty} != null and ...`"
            raise fail(f"cannot use `{symbol}`: `{empty}` is empty", hint)
        try:
            return order(a, b)
        except TypeError:
            message = f"cannot compare {kind_of(a)} with {kind_of(b)} using `{symbol}`"
            raise fail(message, "compare numbers with numbers and text with text") from None

    return test


def member(item: object, container: object) -> bool:
    if isinstance(container, str):
        if isinstance(item, str):
            return item in container
        raise fail(f"cannot look for {kind_of(item)} inside text", "look for text in text")
    if not isinstance(container, list | tuple | Mapping | set | frozenset):
        message = f"`in` needs a list or text on the right, got {kind_of(container)}"
        raise fail(message, 'e.g. `dept in ["研发部", "财务部"]`')
    try:
        return item in container
    except TypeError:
        raise fail(f"cannot look for {kind_of(item)} in {kind_of(container)}") from None


def get_item(container: object, key: object) -> object:
    if isinstance(container, Mapping):
        if isinstance(key, str) and key in container:
            return container[key]
        shown = ", ".join(sorted(str(k) for k in container)[:30])
        raise fail(f"no entry {key!r} in the record", f"available keys: {shown}")
    if not isinstance(container, list | tuple | str):
        raise fail(f"cannot take an item of {kind_of(container)}", "use a list or a record")
    index = _index(key)
    if not -len(container) <= index < len(container):
        raise fail(f"index {index} is out of range (length {len(container)})", "check `len`")
    return container[index]


def _index(key: object) -> int:
    if isinstance(key, bool) or not isinstance(key, int):
        raise fail(f"an index must be a whole number, got {kind_of(key)}", "e.g. `items[0]`")
    return key


def get_slice(container: object, start: object, stop: object) -> object:
    if not isinstance(container, list | tuple | str):
        raise fail(f"cannot slice {kind_of(container)}", "slice a list or text")
    low = None if start is None else _index(start)
    high = None if stop is None else _index(stop)
    return container[low:high]


def _len(value: object) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise fail(f"`len` needs a list or text, got {kind_of(value)}", "e.g. `len(items) > 0`")


def _extreme(name: str, pick: Callable[[Sequence[Any]], object]) -> Function:
    def run(*args: object) -> object:
        values = _sequence(args[0], name) if len(args) == 1 else args
        if not values:
            raise fail(f"`{name}` of an empty list", "check `len(...) > 0` first")
        if any(value is None for value in values):
            raise fail(f"`{name}` got an empty value (null)", "fill in every value first")
        try:
            return pick(values)
        except TypeError:
            raise fail(f"`{name}` cannot compare mixed values", "use numbers only") from None

    return run


def _round(value: object, digits: object = None) -> Number:
    number = as_number(value, "round")
    if digits is None:
        return round(number)
    if isinstance(digits, bool) or not isinstance(digits, int) or not -18 <= digits <= 18:
        raise fail("`round` digits must be a whole number from -18 to 18", "e.g. `round(x, 2)`")
    return round(number, digits)


def _text(name: str, convert: Callable[[str], str]) -> Function:
    def run(value: object) -> str:
        if isinstance(value, str):
            return convert(value)
        raise fail(f"`{name}` needs text, got {kind_of(value)}", f"e.g. `{EXAMPLES[name]}`")

    return run


def _max_growth(current: object, previous: object) -> float:
    now, before = _numbers(current, "max_growth"), _numbers(previous, "max_growth")
    if len(now) != len(before):
        message = f"`max_growth` needs lists of equal length, got {len(now)} and {len(before)}"
        raise fail(message, "pass one value per department in both lists")
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
