"""Safe rule expressions (ARCHITECTURE rule 4, SPEC DEF-5).

Python's ``ast`` is used only to parse. The tree is checked against an allow-list and
compiled once into nested closures; evaluation never uses ``eval``, attributes or
builtins. Size, depth and number limits keep every rejection fast.
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from oaflow.domain.errors import ExpressionError
from oaflow.domain.expression_functions import (
    ARITHMETIC,
    EXAMPLES,
    FUNCTIONS,
    MAX_NUMBER,
    MAX_SIZE,
    ORDERINGS,
    SIMPLER,
    SMALLER,
    Function,
    as_number,
    fail,
    get_item,
    get_slice,
    kind_of,
    member,
    ordering,
)

__all__ = [
    "LITERAL_NAMES",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_NUMBER",
    "MAX_SIZE",
    "Expression",
    "compile_expression",
]

Context = Mapping[str, object]
Evaluator = Callable[[Context], object]

MAX_LENGTH = 1000
MAX_DEPTH = 32
MAX_NODES = 200

LITERAL_NAMES: dict[str, object] = {"true": True, "false": False, "null": None}
_SYNTAX_HINT = "check brackets and quotes; use `==` to compare and `and`/`or`/`not` for logic"
_ALLOWED_HINT = (
    "allowed: comparisons, and/or/not, + - * / // %, numbers, text, lists, "
    "names, subscripts like items[0] and the functions len, sum, min, max, ..."
)


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


def _prepare(text: object) -> tuple[str, int]:
    """Return the text to parse (one line, no leading blanks) and the blanks' length."""
    if not isinstance(text, str):
        raise fail(f"an expression must be text, not {kind_of(text)}", "e.g. `amount > 1000`")
    if len(text) > MAX_LENGTH:
        message = f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})"
        raise fail(message, SIMPLER, MAX_LENGTH)
    source = text.replace("\r", " ").replace("\n", " ").lstrip()  # keeps character offsets
    if not source.strip():
        raise fail("expression is empty", "write a condition such as `amount > 1000`", 0)
    return source, len(text) - len(source)


def _parse(source: str, lead: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # bad escapes fail everywhere, not only in tests
            return ast.parse(source, mode="eval")
    except SyntaxError as err:
        column = (err.offset or len(source) + 1) - 1  # 0 or None: at the end
        offset = lead + min(max(column, 0), len(source))
        raise fail(f"syntax error: {err.msg}", _SYNTAX_HINT, offset) from None
    except (ValueError, MemoryError, RecursionError, Warning) as err:
        raise fail(f"cannot parse the expression ({type(err).__name__})", _SYNTAX_HINT) from None


def _at(offset: int | None, error: ExpressionError) -> ExpressionError:
    if error.offset is None:
        error.offset = offset
    return error


def _node(function: Function, children: list[Evaluator], offset: int | None) -> Evaluator:
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
        return fail(message, hint, self.offset(node))

    def label(self, node: ast.expr) -> str:
        text = ast.get_source_segment(self.source, node) or type(node).__name__
        return text if len(text) <= 40 else text[:37] + "..."

    def check_size(self, root: ast.expr) -> None:
        count, stack = 0, [(root, 1)]
        while stack:
            node, depth = stack.pop()
            count += 1
            if depth > MAX_DEPTH:
                raise self.error(node, f"expression is nested deeper than {MAX_DEPTH}", SIMPLER)
            if count > MAX_NODES:
                raise self.error(node, f"expression has more than {MAX_NODES} parts", SIMPLER)
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
            raise self.error(node, "number is out of range (beyond ±10^18)", SMALLER)
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
        return _node(lambda value: sign * as_number(value, symbol), [operand], self.offset(node))

    def binary(self, node: ast.BinOp) -> Evaluator:
        apply = ARITHMETIC.get(type(node.op))
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

    def test(self, op: ast.cmpop, left: ast.expr, right: ast.expr) -> Function:
        if type(op) in ORDERINGS:
            symbol, order = ORDERINGS[type(op)]
            return ordering(order, symbol, self.label(left), self.label(right))
        if isinstance(op, ast.Eq | ast.NotEq):
            return operator.eq if isinstance(op, ast.Eq) else operator.ne
        if isinstance(op, ast.In):
            return member
        if isinstance(op, ast.NotIn):
            return lambda a, b: not member(a, b)
        raise self.error(left, "`is` / `is not` are not allowed", "use `==` or `!=`: `x == null`")

    def subscript(self, node: ast.Subscript) -> Evaluator:
        target, part = self.compile(node.value), node.slice
        if not isinstance(part, ast.Slice):
            return _node(get_item, [target, self.compile(part)], self.offset(node))
        if part.step is not None:
            raise self.error(part, "slices with a step are not allowed", "use `items[a:b]`")
        bounds = [self.compile(end) if end else _none for end in (part.lower, part.upper)]
        return _node(get_slice, [target, *bounds], self.offset(node))

    def call(self, node: ast.Call) -> Evaluator:
        if isinstance(node.func, ast.Attribute):
            raise self.error(node.func, "attribute access (`.`) is not allowed")
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only named functions can be called", _function_hint())
        name = self.check_name(node.func)
        if name not in FUNCTIONS:
            raise self.error(node, f"unknown function `{name}`", _function_hint())
        low, high, function = FUNCTIONS[name]
        example = f"for example `{EXAMPLES[name]}`"
        if node.keywords:
            raise self.error(node, f"keyword arguments are not allowed in `{name}(...)`", example)
        if not low <= len(node.args) <= high:
            expected = str(low) if low == high else f"{low} to {high}" if high < 99 else f"{low}+"
            message = f"`{name}` takes {expected} argument(s), got {len(node.args)}"
            raise self.error(node, message, example)
        return _node(function, [self.compile(arg) for arg in node.args], self.offset(node))


_HANDLERS: dict[type[ast.AST], str] = {
    ast.Constant: "constant",
    ast.Name: "name",
    ast.List: "sequence",
    ast.Tuple: "sequence",
    ast.BoolOp: "boolean",
    ast.UnaryOp: "unary",
    ast.BinOp: "binary",
    ast.Compare: "compare",
    ast.Subscript: "subscript",
    ast.Call: "call",
}


def _none(context: Context) -> object:
    return None


def _function_hint() -> str:
    return "available functions: " + ", ".join(FUNCTIONS)


def _unknown_name(name: str, context: Context, offset: int | None) -> ExpressionError:
    known = sorted(str(key) for key in context)
    shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
    hint = f"available names: {shown}" if known else "no names are available here"
    return fail(f"unknown name `{name}`", hint, offset)


_POWER_HINT = "multiply explicitly, e.g. `x * x`"
_BAD_OPERATORS: dict[type[ast.operator], tuple[str, str]] = {
    ast.Pow: ("`**` (power)", _POWER_HINT),
    ast.MatMult: ("`@`", _ALLOWED_HINT),
    ast.BitAnd: ("`&`", "use `and`"),
    ast.BitOr: ("`|`", "use `or`"),
    ast.BitXor: ("`^`", "use `!=`"),
    ast.LShift: ("`<<`", "shifts are not available; multiply or divide, e.g. `x * 2`"),
    ast.RShift: ("`>>`", "shifts are not available; compare with `>` or divide, e.g. `x // 2`"),
}
_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (`.`)",
    ast.Lambda: "lambda functions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignment expressions (`:=`)",
    ast.Starred: "starred expressions (`*x`)",
    ast.Dict: "dict literals ({...})",
    ast.Set: "set literals ({...})",
    ast.IfExp: "conditional expressions (`a if c else b`)",
    ast.Await: "await expressions",
    ast.Yield: "yield expressions",
    ast.YieldFrom: "yield expressions",
    ast.Slice: "slices outside `[...]`",
}
