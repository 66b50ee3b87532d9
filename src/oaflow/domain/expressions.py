"""Safe rule expressions (ARCHITECTURE rule 4, SPEC DEF-5).

Python's ``ast`` is used only to parse. The tree is checked against an allow-list and
compiled once into nested closures; evaluation never uses ``eval``, attributes or
builtins. Size, depth and number limits keep every rejection fast.
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oaflow.domain.errors import ExpressionError

Context = Mapping[str, object]
Evaluator = Callable[[Context], object]
Number = int | float
_Function = Callable[..., object]

MAX_LENGTH = 1000
MAX_DEPTH = 32
MAX_NODES = 200
MAX_NUMBER = 10**18
MAX_SIZE = 100_000

LITERAL_NAMES: dict[str, object] = {"true": True, "false": False, "null": None}
_SYNTAX_HINT = "check brackets and quotes; use `==` to compare and `and`/`or`/`not` for logic"
_ALLOWED_HINT = (
    "allowed: comparisons, and/or/not, + - * / // %, numbers, text, lists, "
    "names, subscripts like items[0] and the functions len, sum, min, max, ..."
)
_SIMPLER = "split it into several simpler conditions"
_SMALLER = "use numbers within ±10^18"


@dataclass(frozen=True, slots=True)
class Expression:
    """A rule expression compiled once; ``evaluate`` is cheap and side-effect free."""

    text: str
    names: frozenset[str]
    _run: Evaluator = field(repr=False, compare=False)

    def evaluate(self, context: Mapping[str, object]) -> object:
        return self._run(context)


def compile_expression(text: str) -> Expression:
    """Parse and check ``text``; raise ExpressionError naming what is wrong."""
    source, lead = _prepare(text)
    tree = _parse(source, lead)
    compiler = _Compiler(source, lead)
    compiler.check_size(tree.body)
    run = compiler.compile(tree.body)
    return Expression(text, frozenset(compiler.names), run)


def _fail(message: str, hint: str = "", offset: int | None = None) -> ExpressionError:
    return ExpressionError(message, hint, offset)


def _prepare(text: object) -> tuple[str, int]:
    """Return the text to parse (one line, no leading blanks) and the blanks' length."""
    if not isinstance(text, str):
        raise _fail(f"an expression must be text, not {_kind(text)}", "e.g. `amount > 1000`")
    if len(text) > MAX_LENGTH:
        message = f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})"
        raise _fail(message, _SIMPLER, MAX_LENGTH)
    source = text.replace("\r", " ").replace("\n", " ").lstrip()  # keeps character offsets
    if not source.strip():
        raise _fail("expression is empty", "write a condition such as `amount > 1000`", 0)
    return source, len(text) - len(source)


def _parse(source: str, lead: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # bad escapes fail everywhere, not only in tests
            return ast.parse(source, mode="eval")
    except SyntaxError as err:
        column = (err.offset or len(source) + 1) - 1  # 0 or None: at the end
        offset = lead + min(max(column, 0), len(source))
        raise _fail(f"syntax error: {err.msg}", _SYNTAX_HINT, offset) from None
    except (ValueError, MemoryError, RecursionError, Warning) as err:
        raise _fail(f"cannot parse the expression ({type(err).__name__})", _SYNTAX_HINT) from None


def _at(offset: int | None, error: ExpressionError) -> ExpressionError:
    if error.offset is None:
        error.offset = offset
    return error


def _node(function: _Function, children: list[Evaluator], offset: int | None) -> Evaluator:
    """A closure that evaluates ``children`` and applies ``function``, locating its errors."""
    if len(children) == 2:
        left, right = children

        def binary(context: Context) -> object:
            a, b = left(context), right(context)
            try:
                return function(a, b)
            except ExpressionError as err:
                raise _at(offset, err) from None

        return binary

    def run(context: Context) -> object:
        values = [child(context) for child in children]
        try:
            return function(*values)
        except ExpressionError as err:
            raise _at(offset, err) from None

    return run


def _short_circuit(parts: list[Evaluator], stop_on: bool) -> Evaluator:
    """`and` (stop_on=False) and `or` (stop_on=True) with Python's semantics."""

    def run(context: Context) -> object:
        value: object = None
        for part in parts:
            value = part(context)
            if bool(value) is stop_on:
                return value
        return value

    return run


class _Compiler:
    """Translate an allow-listed ``ast`` tree into closures, collecting free names."""

    def __init__(self, source: str, lead: int) -> None:
        self.source = source
        self.lead = lead
        self.names: set[str] = set()

    def offset(self, node: ast.AST) -> int | None:
        column: int | None = getattr(node, "col_offset", None)  # UTF-8 bytes, one line
        if column is None:
            return None
        return self.lead + len(self.source.encode()[:column].decode(errors="ignore"))

    def error(self, node: ast.AST, message: str, hint: str = _ALLOWED_HINT) -> ExpressionError:
        return _fail(message, hint, self.offset(node))

    def label(self, node: ast.expr) -> str:
        text = ast.get_source_segment(self.source, node) or type(node).__name__
        return text if len(text) <= 40 else text[:37] + "..."

    def check_size(self, root: ast.expr) -> None:
        count, stack = 0, [(root, 1)]
        while stack:
            node, depth = stack.pop()
            count += 1
            if depth > MAX_DEPTH:
                raise self.error(node, f"expression is nested deeper than {MAX_DEPTH}", _SIMPLER)
            if count > MAX_NODES:
                raise self.error(node, f"expression has more than {MAX_NODES} parts", _SIMPLER)
            children = ast.iter_child_nodes(node)
            stack.extend((c, depth + 1) for c in children if isinstance(c, ast.expr))

    def compile(self, node: ast.expr) -> Evaluator:
        method = _HANDLERS.get(type(node))
        if method is None:
            kind = _CONSTRUCTS.get(type(node), f"`{type(node).__name__}` expressions")
            raise self.error(node, f"not allowed in a rule expression: {kind}")
        result: Evaluator = getattr(self, method)(node)
        return result

    def constant(self, node: ast.Constant) -> Evaluator:
        value = node.value
        if value is not None and not isinstance(value, bool | int | float | str):
            raise self.error(node, f"{type(value).__name__} literals are not allowed")
        if isinstance(value, int | float) and not -MAX_NUMBER <= value <= MAX_NUMBER:
            raise self.error(node, "number is out of range (beyond ±10^18)", _SMALLER)
        return lambda context: value

    def check_name(self, node: ast.Name) -> str:
        if node.id.startswith("__"):
            message = f"names starting with `__` are not allowed (`{node.id}`)"
            raise self.error(node, message, "use the plain name of a form field")
        return node.id

    def name(self, node: ast.Name) -> Evaluator:
        key = self.check_name(node)
        if key in LITERAL_NAMES:
            literal = LITERAL_NAMES[key]
            return lambda context: literal
        self.names.add(key)
        offset = self.offset(node)

        def lookup(context: Context) -> object:
            try:
                return context[key]
            except KeyError:
                raise _unknown_name(key, context, offset) from None

        return lookup

    def sequence(self, node: ast.List | ast.Tuple) -> Evaluator:
        items = [self.compile(item) for item in node.elts]
        if isinstance(node, ast.Tuple):
            return lambda context: tuple(item(context) for item in items)
        return lambda context: [item(context) for item in items]

    def boolean(self, node: ast.BoolOp) -> Evaluator:
        parts = [self.compile(value) for value in node.values]
        return _short_circuit(parts, stop_on=isinstance(node.op, ast.Or))

    def unary(self, node: ast.UnaryOp) -> Evaluator:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda context: not operand(context)
        if isinstance(node.op, ast.Invert):
            raise self.error(node, "the bit operator `~` is not allowed", "use `not` for logic")
        symbol = "-" if isinstance(node.op, ast.USub) else "+"
        sign = -1 if symbol == "-" else 1
        return _node(lambda value: sign * _number(value, symbol), [operand], self.offset(node))

    def binary(self, node: ast.BinOp) -> Evaluator:
        apply = _ARITHMETIC.get(type(node.op))
        if apply is None:
            symbol, hint = _BAD_OPERATORS.get(type(node.op), ("this operator", _ALLOWED_HINT))
            raise self.error(node, f"the operator {symbol} is not allowed", hint)
        children = [self.compile(node.left), self.compile(node.right)]
        return _node(apply, children, self.offset(node))

    def compare(self, node: ast.Compare) -> Evaluator:
        """`a < b < c` is `a < b and b < c`; operands are pure, so re-reading `b` is safe."""
        nodes, offset = [node.left, *node.comparators], self.offset(node)
        operands = [self.compile(item) for item in nodes]
        pairs = zip(node.ops, nodes, nodes[1:], operands, operands[1:], strict=False)
        tests = [_node(self.test(op, a, b), [x, y], offset) for op, a, b, x, y in pairs]
        return tests[0] if len(tests) == 1 else _short_circuit(tests, stop_on=False)

    def test(self, op: ast.cmpop, left: ast.expr, right: ast.expr) -> _Function:
        if type(op) in _ORDERINGS:
            symbol, order = _ORDERINGS[type(op)]
            return _ordering(order, symbol, self.label(left), self.label(right))
        if isinstance(op, ast.Eq | ast.NotEq):
            return operator.eq if isinstance(op, ast.Eq) else operator.ne
        if isinstance(op, ast.In):
            return _member
        if isinstance(op, ast.NotIn):
            return lambda a, b: not _member(a, b)
        raise self.error(left, "`is` / `is not` are not allowed", "use `==` or `!=`: `x == null`")

    def subscript(self, node: ast.Subscript) -> Evaluator:
        target, part = self.compile(node.value), node.slice
        if not isinstance(part, ast.Slice):
            return _node(_item, [target, self.compile(part)], self.offset(node))
        if part.step is not None:
            raise self.error(part, "slices with a step are not allowed", "use `items[a:b]`")
        bounds = [self.compile(end) if end else _none for end in (part.lower, part.upper)]
        return _node(_slice, [target, *bounds], self.offset(node))

    def call(self, node: ast.Call) -> Evaluator:
        if isinstance(node.func, ast.Attribute):
            raise self.error(node.func, "attribute access (`.`) is not allowed")
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only named functions can be called", _function_hint())
        name = self.check_name(node.func)
        if name not in _FUNCTIONS:
            raise self.error(node, f"unknown function `{name}`", _function_hint())
        low, high, function = _FUNCTIONS[name]
        example = f"for example `{_EXAMPLES[name]}`"
        if node.keywords:
            raise self.error(node, f"keyword arguments are not allowed in `{name}(...)`", example)
        if not low <= len(node.args) <= high:
            expected = str(low) if low == high else f"{low} to {high}" if high < 99 else f"{low}+"
            message = f"`{name}` takes {expected} argument(s), got {len(node.args)}"
            raise self.error(node, message, example)
        return _node(function, [self.compile(arg) for arg in node.args], self.offset(node))


_HANDLERS: dict[type[ast.AST], str] = {
    ast.Constant: "constant", ast.Name: "name", ast.List: "sequence", ast.Tuple: "sequence",
    ast.BoolOp: "boolean", ast.UnaryOp: "unary", ast.BinOp: "binary", ast.Compare: "compare",
    ast.Subscript: "subscript", ast.Call: "call",
}  # fmt: skip


def _none(context: Context) -> object:
    return None


def _function_hint() -> str:
    return "available functions: " + ", ".join(_FUNCTIONS)


def _unknown_name(name: str, context: Context, offset: int | None) -> ExpressionError:
    known = sorted(str(key) for key in context)
    shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
    hint = f"available names: {shown}" if known else "no names are available here"
    return _fail(f"unknown name `{name}`", hint, offset)


def _kind(value: object) -> str:
    kind = _KINDS.get(type(value))
    return kind or ("a record" if isinstance(value, Mapping) else f"a {type(value).__name__}")


_KINDS = {type(None): "an empty value (null)", bool: "a boolean", int: "a number"}
_KINDS |= {float: "a number", str: "text", list: "a list", tuple: "a list"}


def _number(value: object, what: str) -> Number:
    if not isinstance(value, int | float):
        hint = "check the field types, or test for null first"
        raise _fail(f"`{what}` needs numbers, got {_kind(value)}", hint)
    return _bounded(value, what)


def _bounded(value: Number, what: str) -> Number:
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise _fail(f"a number in `{what}` is out of range (beyond ±10^18)", _SMALLER)
    return value


def _sequence(value: object, what: str) -> Sequence[object]:
    if isinstance(value, list | tuple):
        return value
    raise _fail(f"`{what}` needs a list, got {_kind(value)}", f"e.g. `{_EXAMPLES[what]}`")


def _numbers(value: object, what: str) -> list[Number]:
    return [_number(item, what) for item in _sequence(value, what)]


def _add(a: object, b: object) -> object:
    if not isinstance(a, str | list | tuple) or not isinstance(b, str | list | tuple):
        return _bounded(_number(a, "+") + _number(b, "+"), "+")
    if len(a) + len(b) > MAX_SIZE:
        raise _fail(f"`+` would build a value longer than {MAX_SIZE}", _SIMPLER)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, str) or isinstance(b, str):
        raise _fail(f"`+` cannot join {_kind(a)} and {_kind(b)}", "join text with text")
    return [*a, *b]


def _arithmetic(symbol: str, op: Callable[[Number, Number], Number]) -> _Function:
    def apply(a: object, b: object) -> object:
        if isinstance(a, str | list | tuple) or isinstance(b, str | list | tuple):
            message = f"`{symbol}` works on numbers only, got {_kind(a)} and {_kind(b)}"
            raise _fail(message, "repeating or combining text and lists this way is not allowed")
        x, y = _number(a, symbol), _number(b, symbol)
        if y == 0 and symbol in {"/", "//", "%"}:
            raise _fail("division by zero", "check the divisor first, e.g. `b != 0 and a / b > 1`")
        return _bounded(op(x, y), symbol)

    return apply


def _ordering(order: Callable[[Any, Any], object], symbol: str, left: str, right: str) -> _Function:
    def test(a: object, b: object) -> object:
        if a is None or b is None:
            empty = left if a is None else right
            hint = f"check it has a value first, e.g. `{empty} != null and ...`"
            raise _fail(f"cannot use `{symbol}`: `{empty}` is empty", hint)
        try:
            return order(a, b)
        except TypeError:
            message = f"cannot compare {_kind(a)} with {_kind(b)} using `{symbol}`"
            raise _fail(message, "compare numbers with numbers and text with text") from None

    return test


def _member(item: object, container: object) -> bool:
    if isinstance(container, str):
        if isinstance(item, str):
            return item in container
        raise _fail(f"cannot look for {_kind(item)} inside text", "look for text in text")
    if not isinstance(container, list | tuple | Mapping | set | frozenset):
        message = f"`in` needs a list or text on the right, got {_kind(container)}"
        raise _fail(message, 'e.g. `dept in ["研发部", "财务部"]`')
    try:
        return item in container
    except TypeError:
        raise _fail(f"cannot look for {_kind(item)} in {_kind(container)}") from None


def _item(container: object, key: object) -> object:
    if isinstance(container, Mapping):
        if isinstance(key, str) and key in container:
            return container[key]
        shown = ", ".join(sorted(str(k) for k in container)[:30])
        raise _fail(f"no entry {key!r} in the record", f"available keys: {shown}")
    if not isinstance(container, list | tuple | str):
        raise _fail(f"cannot take an item of {_kind(container)}", "use a list or a record")
    index = _index(key)
    if not -len(container) <= index < len(container):
        raise _fail(f"index {index} is out of range (length {len(container)})", "check `len`")
    return container[index]


def _index(key: object) -> int:
    if isinstance(key, bool) or not isinstance(key, int):
        raise _fail(f"an index must be a whole number, got {_kind(key)}", "e.g. `items[0]`")
    return key


def _slice(container: object, start: object, stop: object) -> object:
    if not isinstance(container, list | tuple | str):
        raise _fail(f"cannot slice {_kind(container)}", "slice a list or text")
    low = None if start is None else _index(start)
    high = None if stop is None else _index(stop)
    return container[low:high]


def _len(value: object) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise _fail(f"`len` needs a list or text, got {_kind(value)}", "e.g. `len(items) > 0`")


def _extreme(name: str, pick: Callable[[Sequence[Any]], object]) -> _Function:
    def run(*args: object) -> object:
        values = _sequence(args[0], name) if len(args) == 1 else args
        if not values:
            raise _fail(f"`{name}` of an empty list", "check `len(...) > 0` first")
        if any(value is None for value in values):
            raise _fail(f"`{name}` got an empty value (null)", "fill in every value first")
        try:
            return pick(values)
        except TypeError:
            raise _fail(f"`{name}` cannot compare mixed values", "use numbers only") from None

    return run


def _round(value: object, digits: object = None) -> Number:
    number = _number(value, "round")
    if digits is None:
        return round(number)
    if isinstance(digits, bool) or not isinstance(digits, int) or not -18 <= digits <= 18:
        raise _fail("`round` digits must be a whole number from -18 to 18", "e.g. `round(x, 2)`")
    return round(number, digits)


def _text(name: str, convert: Callable[[str], str]) -> _Function:
    def run(value: object) -> str:
        if isinstance(value, str):
            return convert(value)
        raise _fail(f"`{name}` needs text, got {_kind(value)}", f"e.g. `{_EXAMPLES[name]}`")

    return run


def _max_growth(current: object, previous: object) -> float:
    now, before = _numbers(current, "max_growth"), _numbers(previous, "max_growth")
    if len(now) != len(before):
        message = f"`max_growth` needs lists of equal length, got {len(now)} and {len(before)}"
        raise _fail(message, "pass one value per department in both lists")
    return max(((c - p) / p for c, p in zip(now, before, strict=True) if p > 0), default=0.0)


_FUNCTIONS: dict[str, tuple[int, int, _Function]] = {
    "len": (1, 1, _len),
    "sum": (1, 1, lambda v: _bounded(sum(_numbers(v, "sum")), "sum")),
    "min": (1, 99, _extreme("min", min)),
    "max": (1, 99, _extreme("max", max)),
    "abs": (1, 1, lambda v: abs(_number(v, "abs"))),
    "round": (1, 2, _round),
    "any": (1, 1, lambda v: any(_sequence(v, "any"))),
    "all": (1, 1, lambda v: all(_sequence(v, "all"))),
    "lower": (1, 1, _text("lower", str.lower)),
    "upper": (1, 1, _text("upper", str.upper)),
    "contains": (2, 2, lambda container, item: _member(item, container)),
    "max_growth": (2, 2, _max_growth),
}
_EXAMPLES = {
    "len": "len(items) > 0", "sum": "sum(amounts) > 1000", "min": "min(a, b)",
    "max": "max(amounts)", "abs": "abs(delta) < 5", "round": "round(x, 2)",
    "any": "any([a, b])", "all": "all([a, b])", "lower": 'lower(code) == "abc"',
    "upper": 'upper(code) == "ABC"', "contains": 'contains(title, "urgent")',
    "max_growth": "max_growth(budget, last_budget) > 0.2",
}  # fmt: skip
_ARITHMETIC: dict[type[ast.operator], _Function] = {
    ast.Add: _add,
    ast.Sub: _arithmetic("-", operator.sub),
    ast.Mult: _arithmetic("*", operator.mul),
    ast.Div: _arithmetic("/", operator.truediv),
    ast.FloorDiv: _arithmetic("//", operator.floordiv),
    ast.Mod: _arithmetic("%", operator.mod),
}
_ORDERINGS: dict[type[ast.cmpop], tuple[str, Callable[[Any, Any], object]]] = {
    ast.Lt: ("<", operator.lt), ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt), ast.GtE: (">=", operator.ge),
}  # fmt: skip
_POWER_HINT = "multiply explicitly, e.g. `x * x`"
_BAD_OPERATORS: dict[type[ast.operator], tuple[str, str]] = {
    ast.Pow: ("`**` (power)", _POWER_HINT), ast.MatMult: ("`@`", _ALLOWED_HINT),
    ast.BitAnd: ("`&`", "use `and`"), ast.BitOr: ("`|`", "use `or`"),
    ast.BitXor: ("`^`", "use `!=`"), ast.LShift: ("`<<`", _POWER_HINT),
    ast.RShift: ("`>>`", _POWER_HINT),
}  # fmt: skip
_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (`.`)", ast.Lambda: "lambda functions",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings", ast.NamedExpr: "assignment expressions (`:=`)",
    ast.Starred: "starred expressions (`*x`)", ast.Dict: "dict literals ({...})",
    ast.Set: "set literals ({...})", ast.IfExp: "conditional expressions (`a if c else b`)",
    ast.Await: "await expressions", ast.Yield: "yield expressions",
    ast.YieldFrom: "yield expressions", ast.Slice: "slices outside `[...]`",
}  # fmt: skip
