"""The safe rule-expression evaluator (ARCHITECTURE rule 4, SPEC DEF-5)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oaflow.domain.errors import ExpressionError, OAFlowError
from oaflow.domain.expressions import Expression, compile_expression

CONTEXT: dict[str, object] = {
    "amount": 600000,
    "price": 2.5,
    "dept": "研发部",
    "title": "Urgent: server",
    "items": [10, 20, 30],
    "row": {"amount": 7, "名称": "预算"},
    "flag": True,
    "empty": None,
    "budget": [110, 200, 50],
    "last_budget": [100, 100, 0],
}


def run(text: str, context: dict[str, object] | None = None) -> object:
    return compile_expression(text).evaluate(CONTEXT if context is None else context)


def rejected(text: str, context: dict[str, object] | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        run(text, context)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('amount > 500000 and dept == "研发部"', True),
        ("amount >= 600000", True),
        ("amount < 600000", False),
        ("amount <= 600000", True),
        ("amount != 1", True),
        ("1 < 2 < 3", True),
        ("1 < 3 < 2", False),
        ("3 > 2 == 2", True),
        ('"b" > "a"', True),
        ('dept in ["研发部", "财务部"]', True),
        ('dept not in ["财务部"]', True),
        ('"server" in title', True),
        ('"amount" in row', True),
        ("25 not in items", True),
        ("flag and amount", 600000),
        ("empty or 5", 5),
        ("not flag", False),
        ("not empty", True),
        ("false and unknown_field", False),
        ("true or unknown_field", True),
        ("-amount", -600000),
        ("+price", 2.5),
        ("1 + 2 * 3 - 4", 3),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("-7 % 3", 2),
        ("price * 2", 5.0),
        ('"研发" + "部"', "研发部"),
        ("[1] + [2, 3]", [1, 2, 3]),
        ("(1, 2)", (1, 2)),
        ("[]", []),
        ("null", None),
        ("None == null", True),
        ("true == True", True),
        ("false", False),
        ("1.5e3", 1500.0),
        ("items[0]", 10),
        ("items[-1]", 30),
        ('row["amount"] * 2', 14),
        ('row["名称"]', "预算"),
        ("items[1:]", [20, 30]),
        ("items[:2]", [10, 20]),
        ("title[0:6]", "Urgent"),
        ("len(items)", 3),
        ("len(dept)", 3),
        ("len(row)", 2),
        ("sum(items)", 60),
        ("sum([])", 0),
        ("min(items)", 10),
        ("max(items)", 30),
        ("min(3, 1, 2)", 1),
        ('max("a", "b")', "b"),
        ("abs(-3)", 3),
        ("round(2.567, 2)", 2.57),
        ("round(2.5)", 2),
        ("round(1234, -2)", 1200),
        ("any([0, empty, 1])", True),
        ("all([1, flag])", True),
        ("all([])", True),
        ("lower(title)", "urgent: server"),
        ("upper(title)", "URGENT: SERVER"),
        ('contains(title, "server")', True),
        ("contains(items, 40)", False),
        ("max_growth(budget, last_budget)", 1.0),
        ("max_growth([], [])", 0.0),
        ("max_growth([5], [0])", 0.0),
        ("sum(budget) > 300 and max_growth(budget, last_budget) > 0.2", True),
        ("(amount\n  > 1)", True),
        ("  amount > 1", True),
    ],
)
def test_allowed_constructs_evaluate_like_python(text: str, expected: object) -> None:
    result = run(text)

    assert result == expected
    assert type(result) is type(expected)


def test_an_expression_is_compiled_once_and_evaluated_many_times() -> None:
    expression = compile_expression("amount > 100")

    assert [expression.evaluate({"amount": a}) for a in (50, 150)] == [False, True]
    assert expression.text == "amount > 100"
    assert expression == compile_expression("amount > 100")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('amount > 500000 and dept == "研发部"', {"amount", "dept"}),
        ("len(items) > 0 and true and not null or false", {"items"}),
        ("max_growth(budget, last) > cap", {"budget", "last", "cap"}),
        ('row["amount"] + items[i]', {"row", "items", "i"}),
        ("1 + 2", set()),
    ],
)
def test_names_lists_exactly_the_free_names(text: str, names: set[str]) -> None:
    assert compile_expression(text).names == frozenset(names)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("__import__('os')", "`__`"),
        ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
        ("x.__class__", "attribute access"),
        ("title.upper()", "attribute access"),
        ("9**9**9", "`**`"),
        ('"a"*10**9', "`**`"),
        ("[1]*10**9", "`**`"),
        ("(lambda: 1)()", "only named functions"),
        ("lambda: 1", "lambda"),
        ("[x for x in y]", "comprehensions"),
        ("{x for x in y}", "comprehensions"),
        ("(x for x in y)", "generator"),
        ("f'{amount}'", "f-strings"),
        ("(y := 1)", ":="),
        ("items[::2]", "step"),
        ("a & b", "`&`"),
        ("a | b", "`|`"),
        ("a ^ b", "`^`"),
        ("a << 2", "`<<`"),
        ("~a", "`~`"),
        ("a @ b", "`@`"),
        ("round(x, ndigits=2)", "keyword arguments"),
        ("len(*items)", "starred"),
        ("open('f')", "unknown function `open`"),
        ("eval('1')", "unknown function `eval`"),
        ("items[0](1)", "only named functions"),
        ("__builtins__", "`__`"),
        ("a if b else c", "conditional"),
        ("{1: 2}", "dict literals"),
        ("{1, 2}", "set literals"),
        ("a is None", "`is`"),
        ("b'x'", "bytes"),
        ("1j", "complex"),
        ("10000000000000000000", "out of range"),
        ("1e300", "out of range"),
        ("len(1, 2)", "`len` takes 1"),
        ("round()", "`round` takes 1 to 2"),
        ("max()", "`max` takes 1+"),
        ("amount = 5", "syntax error"),
        ("amount >", "syntax error"),
        (r'"\d"', "invalid escape"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_disallowed_constructs_are_rejected_when_compiled(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)

    assert fragment in caught.value.message
    assert caught.value.hint("en")


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000,
        "(" * 999,
        "(" * 201 + "1" + ")" * 201,
        "-(" * 40 + "1" + ")" * 40,
        "-" * 999 + "1",
        "not " * 249 + "x",
        "[" * 40 + "]" * 40,
        "a" + "[0]" * 300,
        "1" + "+1" * 100,
        "[" + ",".join(["1"] * 250) + "]",
        "a" * 1001,
        "x == " + '"' + "y" * 2000 + '"',
    ],
)
def test_oversized_or_deeply_nested_input_is_an_expression_error(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)

    assert any(word in caught.value.message for word in ("too long", "deeper", "parts", "nested"))


def test_the_limits_leave_room_for_realistic_rules() -> None:
    text = " and ".join(f"f{i} > {i}" for i in range(40))

    assert compile_expression(text).evaluate({f"f{i}": i + 1 for i in range(40)}) is True


@pytest.mark.parametrize(
    ("text", "context", "fragment"),
    [
        ('"a" * n', {"n": 10**9}, "numbers only"),
        ("items * n", {"items": [1], "n": 10**9}, "numbers only"),
        ("n * items", {"items": [1], "n": 10**9}, "numbers only"),
        ("a * a * a", {"a": 10**7}, "out of range"),
        ("a + 1", {"a": 10**400}, "out of range"),
        ("a - 1", {"a": float("inf")}, "out of range"),
        ("t + t", {"t": "x" * 60_000}, "longer than"),
        ('"abc" > 3', {}, "cannot compare text with a number"),
        ('[1] < ["a"]', {}, "cannot compare"),
        ("amount > 5", {"amount": None}, "`amount` is empty"),
        ("5 <= amount", {"amount": None}, "`amount` is empty"),
        ("1 / zero", {"zero": 0}, "division by zero"),
        ("1 // zero", {"zero": 0}, "division by zero"),
        ("1 % zero", {"zero": 0.0}, "division by zero"),
        ("items[3]", {"items": [1]}, "out of range"),
        ('items["a"]', {"items": [1]}, "whole number"),
        ('row["b"]', {"row": {"a": 1}}, "no entry 'b'"),
        ("n[0]", {"n": 5}, "cannot take an item"),
        ("n[0:1]", {"n": 5}, "cannot slice"),
        ("-t", {"t": "x"}, "`-` needs numbers"),
        ("empty + 1", {"empty": None}, "empty value"),
        ('"a" + [1]', {}, "cannot join"),
        ("1 in n", {"n": 5}, "`in` needs a list or text"),
        ("1 in t", {"t": "abc"}, "inside text"),
        ("len(n)", {"n": 5}, "`len` needs"),
        ("sum(t)", {"t": "abc"}, "`sum` needs a list"),
        ("sum([1, empty])", {"empty": None}, "`sum` needs numbers"),
        ("min([])", {}, "empty list"),
        ("max([1, empty])", {"empty": None}, "empty value"),
        ('max([1, "a"])', {}, "mixed values"),
        ("round(1.5, 100)", {}, "-18 to 18"),
        ("abs(t)", {"t": "x"}, "`abs` needs numbers"),
        ("lower(n)", {"n": 5}, "`lower` needs text"),
        ("any(n)", {"n": 5}, "`any` needs a list"),
        ("max_growth([1], [1, 2])", {}, "equal length"),
    ],
)
def test_evaluation_errors_say_what_is_wrong(
    text: str, context: dict[str, object], fragment: str
) -> None:
    error = rejected(text, context)

    assert fragment in error.message
    assert error.hint("en")


def test_an_unknown_name_lists_the_available_names() -> None:
    error = rejected("amout > 5", {"amount": 1, "dept": "x"})

    assert "unknown name `amout`" in error.message
    assert "amount, dept" in error.hint("en")
    assert error.offset == 0


def test_errors_carry_the_character_offset_of_the_bad_part() -> None:
    with pytest.raises(ExpressionError) as attribute:
        compile_expression('dept == "研发部" and x.y')
    evaluation = rejected('dept == "研发部" and 1 / zero', {"dept": "研发部", "zero": 0})

    assert attribute.value.offset == 18
    assert evaluation.offset == 18


def test_expression_errors_belong_to_the_root_error_type() -> None:
    assert issubclass(ExpressionError, OAFlowError)
    assert isinstance(compile_expression("1"), Expression)


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 4) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from([*map(str, range(10)), "True", "False"]))
    shape = draw(st.sampled_from(["binary", "binary", "unary", "chain"]))
    left, right = draw(arithmetic(depth - 1)), draw(arithmetic(depth - 1))
    if shape == "unary":
        return f"({draw(st.sampled_from(['-', '+', 'not ']))}{left})"
    if shape == "chain":
        third = draw(arithmetic(depth - 1))
        ops = draw(st.lists(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), min_size=2))
        return f"({left} {ops[0]} {right} {ops[1]} {third})"
    ops = ["+", "-", "*", "/", "//", "%", "and", "or", "<", "<=", ">", ">=", "==", "!="]
    return f"({left} {draw(st.sampled_from(ops))} {right})"


@settings(max_examples=300)
@given(arithmetic())
def test_random_arithmetic_and_logic_match_python(text: str) -> None:
    try:
        expected = eval(text, {"__builtins__": {}}, {})
    except ZeroDivisionError:
        with pytest.raises(ExpressionError, match="division by zero"):
            compile_expression(text).evaluate({})
        return

    result = compile_expression(text).evaluate({})

    assert result == expected
    assert type(result) is type(expected)
