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
from typing import Any

from oaflow.domain.errors import ExpressionError, Fault, fault
from oaflow.domain.expression_functions import (
    ARITHMETIC,
    EXAMPLES,
    FUNCTIONS,
    MAX_NUMBER,
    MAX_SIZE,
    ORDERINGS,
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
        raise fail("expression.not_text", kind=kind_of(text))
    if len(text) > MAX_LENGTH:
        raise fail("expression.too_long", MAX_LENGTH, length=len(text), limit=MAX_LENGTH)
    source = text.replace("\r", " ").replace("\n", " ").lstrip()  # keeps character offsets
    if not source.strip():
        raise fail("expression.empty", 0)
    return source, len(text) - len(source)


def _parse(source: str, lead: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # bad escapes fail everywhere, not only in tests
            return ast.parse(source, mode="eval")
    except SyntaxError as err:
        column = (err.offset or len(source) + 1) - 1  # 0 or None: at the end
        offset = lead + min(max(column, 0), len(source))
        raise fail("expression.syntax", offset, detail=err.msg) from None
    except (ValueError, MemoryError, RecursionError, Warning) as err:
        raise fail("expression.unparsable", error=type(err).__name__) from None


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

    def error(self, node: ast.AST, code: str, **params: Any) -> ExpressionError:
        return fail(code, self.offset(node), **params)

    def label(self, node: ast.expr) -> str:
        text = ast.get_source_segment(self.source, node) or type(node).__name__
        return text if len(text) <= 40 else text[:37] + "..."

    def check_size(self, root: ast.expr) -> None:
        count, stack = 0, [(root, 1)]
        while stack:
            node, depth = stack.pop()
            count += 1
            if depth > MAX_DEPTH:
                raise self.error(node, "expression.too_deep", limit=MAX_DEPTH)
            if count > MAX_NODES:
                raise self.error(node, "expression.too_many_parts", limit=MAX_NODES)
            children = ast.iter_child_nodes(node)
            stack.extend((c, depth + 1) for c in children if isinstance(c, ast.expr))

    def compile(self, node: ast.expr) -> Evaluator:
        method = _HANDLERS.get(type(node))
        if method is None:
            construct = _CONSTRUCTS.get(type(node))
            kind = (
                fault(construct)
                if construct
                else fault("expression.construct.other", name=type(node).__name__)
            )
            raise self.error(node, "expression.not_allowed", construct=kind)
        result: Evaluator = getattr(self, method)(node)
        return result

    def constant(self, node: ast.Constant) -> Evaluator:
        value = node.value
        if value is not None and not isinstance(value, bool | int | float | str):
            raise self.error(node, "expression.literal_not_allowed", type=type(value).__name__)
        if isinstance(value, int | float) and not -MAX_NUMBER <= value <= MAX_NUMBER:
            raise self.error(node, "expression.literal_out_of_range")
        return lambda context: value

    def check_name(self, node: ast.Name) -> str:
        if node.id.startswith("__"):
            raise self.error(node, "expression.dunder_name", name=node.id)
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
            raise self.error(node, "expression.invert")
        symbol = "-" if isinstance(node.op, ast.USub) else "+"
        sign = -1 if symbol == "-" else 1
        return _node(lambda value: sign * as_number(value, symbol), [operand], self.offset(node))

    def binary(self, node: ast.BinOp) -> Evaluator:
        apply = ARITHMETIC.get(type(node.op))
        if apply is None:
            symbol, hint = _BAD_OPERATORS.get(type(node.op), _OTHER_OPERATOR)
            raise self.error(node, "expression.operator_not_allowed", symbol=symbol, advice=hint)
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
        raise self.error(left, "expression.is_not_allowed")

    def subscript(self, node: ast.Subscript) -> Evaluator:
        target, part = self.compile(node.value), node.slice
        if not isinstance(part, ast.Slice):
            return _node(get_item, [target, self.compile(part)], self.offset(node))
        if part.step is not None:
            raise self.error(part, "expression.slice_step")
        bounds = [self.compile(end) if end else _none for end in (part.lower, part.upper)]
        return _node(get_slice, [target, *bounds], self.offset(node))

    def call(self, node: ast.Call) -> Evaluator:
        if isinstance(node.func, ast.Attribute):
            raise self.error(node.func, "expression.attribute")
        functions = ", ".join(FUNCTIONS)
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "expression.call_not_named", functions=functions)
        name = self.check_name(node.func)
        if name not in FUNCTIONS:
            raise self.error(node, "expression.unknown_function", name=name, functions=functions)
        low, high, function = FUNCTIONS[name]
        example = EXAMPLES[name]
        if node.keywords:
            raise self.error(node, "expression.keyword_arguments", name=name, example=example)
        if not low <= len(node.args) <= high:
            raise self.error(
                node,
                "expression.argument_count",
                name=name,
                expected=_expected(low, high),
                count=len(node.args),
                example=example,
            )
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


def _expected(low: int, high: int) -> str | Fault:
    """How many arguments a function takes: "1", "1 to 2" or "1+"."""
    if low == high:
        return str(low)
    return fault("expression.count.range", low=low, high=high) if high < 99 else f"{low}+"


def _unknown_name(name: str, context: Context, offset: int | None) -> ExpressionError:
    known = sorted(str(key) for key in context)
    shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
    advice = (
        fault("expression.hint.available_names", names=shown)
        if known
        else fault("expression.hint.no_names")
    )
    return fail("expression.name_unknown", offset, name=name, advice=advice)


_BAD_OPERATORS: dict[type[ast.operator], tuple[str | Fault, Fault]] = {
    ast.Pow: (fault("expression.symbol.power"), fault("expression.hint.power")),
    ast.MatMult: ("`@`", fault("expression.hint.allowed")),
    ast.BitAnd: ("`&`", fault("expression.hint.use_and")),
    ast.BitOr: ("`|`", fault("expression.hint.use_or")),
    ast.BitXor: ("`^`", fault("expression.hint.use_not_equal")),
    ast.LShift: ("`<<`", fault("expression.hint.left_shift")),
    ast.RShift: ("`>>`", fault("expression.hint.right_shift")),
}
_OTHER_OPERATOR = (fault("expression.symbol.other"), fault("expression.hint.allowed"))
_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Attribute: "expression.construct.attribute",
    ast.Lambda: "expression.construct.lambda",
    ast.ListComp: "expression.construct.comprehension",
    ast.SetComp: "expression.construct.comprehension",
    ast.DictComp: "expression.construct.comprehension",
    ast.GeneratorExp: "expression.construct.generator",
    ast.JoinedStr: "expression.construct.f_string",
    ast.NamedExpr: "expression.construct.assignment",
    ast.Starred: "expression.construct.starred",
    ast.Dict: "expression.construct.dict",
    ast.Set: "expression.construct.set",
    ast.IfExp: "expression.construct.conditional",
    ast.Await: "expression.construct.await",
    ast.Yield: "expression.construct.yield",
    ast.YieldFrom: "expression.construct.yield",
    ast.Slice: "expression.construct.slice",
}
