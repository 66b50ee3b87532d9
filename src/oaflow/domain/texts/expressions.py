"""Texts of the errors and problems of rule expressions (DEF-5).

``expression.kind.*`` say what sort of value was found, ``expression.construct.*`` what
syntax was used; both are parameters of other texts.
"""

from __future__ import annotations

from oaflow.domain.texts import Entry

_SIMPLER = ("拆成几个更简单的条件", "split it into several simpler conditions")
_SMALLER = ("使用 ±10^18 以内的数字", "use numbers within ±10^18")
_SYNTAX = (
    "检查括号和引号；比较用 `==`，逻辑用 `and`/`or`/`not`",
    "check brackets and quotes; use `==` to compare and `and`/`or`/`not` for logic",
)
_ALLOWED = (
    "可以使用：比较、and/or/not、+ - * / // %、数字、文本、列表、名称、items[0] 这样的下标，"
    "以及 len、sum、min、max 等函数",
    "allowed: comparisons, and/or/not, + - * / // %, numbers, text, lists, "
    "names, subscripts like items[0] and the functions len, sum, min, max, ...",
)


def _entry(zh: str, en: str, hint: tuple[str, str] = ("", "")) -> Entry:
    return Entry(zh, en, *hint)


KINDS = {
    "expression.kind.null": Entry("空值（null）", "an empty value (null)"),
    "expression.kind.boolean": Entry("布尔值", "a boolean"),
    "expression.kind.number": Entry("数字", "a number"),
    "expression.kind.text": Entry("文本", "text"),
    "expression.kind.list": Entry("列表", "a list"),
    "expression.kind.record": Entry("记录", "a record"),
    "expression.kind.other": Entry("{type} 类型的值", "a {type}"),
    "expression.count.range": Entry("{low} 到 {high} 个", "{low} to {high}"),
    "expression.symbol.power": Entry("`**`（乘方）", "`**` (power)"),
    "expression.symbol.other": Entry("这个运算符", "this operator"),
}

CONSTRUCTS = {
    "expression.construct.attribute": Entry("属性访问（`.`）", "attribute access (`.`)"),
    "expression.construct.lambda": Entry("lambda 函数", "lambda functions"),
    "expression.construct.comprehension": Entry("推导式", "comprehensions"),
    "expression.construct.generator": Entry("生成器表达式", "generator expressions"),
    "expression.construct.f_string": Entry("f 字符串", "f-strings"),
    "expression.construct.assignment": Entry("赋值表达式（`:=`）", "assignment expressions (`:=`)"),
    "expression.construct.starred": Entry("星号表达式（`*x`）", "starred expressions (`*x`)"),
    "expression.construct.dict": Entry("字典字面量（{{...}}）", "dict literals ({{...}})"),
    "expression.construct.set": Entry("集合字面量（{{...}}）", "set literals ({{...}})"),
    "expression.construct.conditional": Entry(
        "条件表达式（`a if c else b`）", "conditional expressions (`a if c else b`)"
    ),
    "expression.construct.await": Entry("await 表达式", "await expressions"),
    "expression.construct.yield": Entry("yield 表达式", "yield expressions"),
    "expression.construct.slice": Entry("`[...]` 之外的切片", "slices outside `[...]`"),
    "expression.construct.other": Entry("`{name}` 表达式", "`{name}` expressions"),
}

HINTS = {
    "expression.hint.allowed": Entry(*_ALLOWED),
    "expression.hint.power": Entry("直接写乘法，例如 `x * x`", "multiply explicitly, e.g. `x * x`"),
    "expression.hint.use_and": Entry("请用 `and`", "use `and`"),
    "expression.hint.use_or": Entry("请用 `or`", "use `or`"),
    "expression.hint.use_not_equal": Entry("请用 `!=`", "use `!=`"),
    "expression.hint.left_shift": Entry(
        "不支持移位；请用乘法或除法，例如 `x * 2`",
        "shifts are not available; multiply or divide, e.g. `x * 2`",
    ),
    "expression.hint.right_shift": Entry(
        "不支持移位；请用 `>` 比较或用除法，例如 `x // 2`",
        "shifts are not available; compare with `>` or divide, e.g. `x // 2`",
    ),
    "expression.hint.available_names": Entry("可用的名称：{names}", "available names: {names}"),
    "expression.hint.no_names": Entry("这里没有可用的名称", "no names are available here"),
}

COMPILING = {
    "expression.not_text": _entry(
        "表达式必须是文本，而不是{kind}",
        "an expression must be text, not {kind}",
        ("例如 `amount > 1000`", "e.g. `amount > 1000`"),
    ),
    "expression.too_long": _entry(
        "表达式太长（{length} 个字符；上限为 {limit}）",
        "expression is too long ({length} characters; the limit is {limit})",
        _SIMPLER,
    ),
    "expression.empty": _entry(
        "表达式为空",
        "expression is empty",
        ("写一个条件，例如 `amount > 1000`", "write a condition such as `amount > 1000`"),
    ),
    "expression.syntax": _entry("语法错误：{detail}", "syntax error: {detail}", _SYNTAX),
    "expression.unparsable": _entry(
        "无法解析该表达式（{error}）", "cannot parse the expression ({error})", _SYNTAX
    ),
    "expression.too_deep": _entry(
        "表达式嵌套超过 {limit} 层", "expression is nested deeper than {limit}", _SIMPLER
    ),
    "expression.too_many_parts": _entry(
        "表达式超过 {limit} 个组成部分", "expression has more than {limit} parts", _SIMPLER
    ),
    "expression.not_allowed": _entry(
        "规则表达式中不允许使用：{construct}",
        "not allowed in a rule expression: {construct}",
        _ALLOWED,
    ),
    "expression.literal_not_allowed": _entry(
        "不允许使用 {type} 字面量", "{type} literals are not allowed", _ALLOWED
    ),
    "expression.literal_out_of_range": _entry(
        "数字超出范围（超过 ±10^18）", "number is out of range (beyond ±10^18)", _SMALLER
    ),
    "expression.dunder_name": _entry(
        "不允许使用以 `__` 开头的名称（`{name}`）",
        "names starting with `__` are not allowed (`{name}`)",
        ("直接使用表单字段的名称", "use the plain name of a form field"),
    ),
    "expression.invert": _entry(
        "不允许使用位运算符 `~`",
        "the bit operator `~` is not allowed",
        ("逻辑运算请用 `not`", "use `not` for logic"),
    ),
    "expression.operator_not_allowed": _entry(
        "不允许使用运算符 {symbol}",
        "the operator {symbol} is not allowed",
        ("{advice}", "{advice}"),
    ),
    "expression.is_not_allowed": _entry(
        "不允许使用 `is` / `is not`",
        "`is` / `is not` are not allowed",
        ("请用 `==` 或 `!=`：`x == null`", "use `==` or `!=`: `x == null`"),
    ),
    "expression.slice_step": _entry(
        "不允许使用带步长的切片",
        "slices with a step are not allowed",
        ("请写成 `items[a:b]`", "use `items[a:b]`"),
    ),
    "expression.attribute": _entry(
        "不允许使用属性访问（`.`）", "attribute access (`.`) is not allowed", _ALLOWED
    ),
    "expression.call_not_named": _entry(
        "只能调用有名称的函数",
        "only named functions can be called",
        ("可用的函数：{functions}", "available functions: {functions}"),
    ),
    "expression.unknown_function": _entry(
        "未知的函数 `{name}`",
        "unknown function `{name}`",
        ("可用的函数：{functions}", "available functions: {functions}"),
    ),
    "expression.keyword_arguments": _entry(
        "`{name}(...)` 中不允许使用关键字参数",
        "keyword arguments are not allowed in `{name}(...)`",
        ("例如 `{example}`", "for example `{example}`"),
    ),
    "expression.argument_count": _entry(
        "`{name}` 需要 {expected} 个参数，实际给了 {count} 个",
        "`{name}` takes {expected} argument(s), got {count}",
        ("例如 `{example}`", "for example `{example}`"),
    ),
}

EVALUATING = {
    "expression.name_unknown": _entry(
        "未知的名称 `{name}`", "unknown name `{name}`", ("{advice}", "{advice}")
    ),
    "expression.needs_numbers": _entry(
        "`{what}` 需要数字，实际是{kind}",
        "`{what}` needs numbers, got {kind}",
        ("检查字段类型，或先判断是否为 null", "check the field types, or test for null first"),
    ),
    "expression.number_out_of_range": _entry(
        "`{what}` 中的数字超出范围（超过 ±10^18）",
        "a number in `{what}` is out of range (beyond ±10^18)",
        _SMALLER,
    ),
    "expression.needs_list": _entry(
        "`{what}` 需要列表，实际是{kind}",
        "`{what}` needs a list, got {kind}",
        ("例如 `{example}`", "e.g. `{example}`"),
    ),
    "expression.value_too_long": _entry(
        "`+` 会得到长度超过 {limit} 的值", "`+` would build a value longer than {limit}", _SIMPLER
    ),
    "expression.cannot_join": _entry(
        "`+` 不能把{left}和{right}连在一起",
        "`+` cannot join {left} and {right}",
        ("文本只能和文本相连", "join text with text"),
    ),
    "expression.numbers_only": _entry(
        "`{symbol}` 只能用于数字，实际是{left}和{right}",
        "`{symbol}` works on numbers only, got {left} and {right}",
        (
            "不允许这样重复或组合文本和列表",
            "repeating or combining text and lists this way is not allowed",
        ),
    ),
    "expression.division_by_zero": _entry(
        "除数为零",
        "division by zero",
        (
            "先检查除数，例如 `b != 0 and a / b > 1`",
            "check the divisor first, e.g. `b != 0 and a / b > 1`",
        ),
    ),
    "expression.compare_empty": _entry(
        "无法使用 `{symbol}`：`{empty}` 为空",
        "cannot use `{symbol}`: `{empty}` is empty",
        (
            "先检查它是否有值，例如 `{empty} != null and ...`",
            "check it has a value first, e.g. `{empty} != null and ...`",
        ),
    ),
    "expression.compare_kinds": _entry(
        "不能用 `{symbol}` 比较{left}和{right}",
        "cannot compare {left} with {right} using `{symbol}`",
        ("数字和数字比较，文本和文本比较", "compare numbers with numbers and text with text"),
    ),
    "expression.in_text": _entry(
        "不能在文本中查找{kind}",
        "cannot look for {kind} inside text",
        ("在文本中只能查找文本", "look for text in text"),
    ),
    "expression.in_needs_list": _entry(
        "`in` 的右边需要列表或文本，实际是{kind}",
        "`in` needs a list or text on the right, got {kind}",
        ('例如 `dept in ["研发部", "财务部"]`', 'e.g. `dept in ["研发部", "财务部"]`'),
    ),
    "expression.in_cannot_look": _entry(
        "不能在{container}中查找{item}", "cannot look for {item} in {container}"
    ),
    "expression.no_entry": _entry(
        "记录中没有 {key} 这一项",
        "no entry {key} in the record",
        ("可用的键：{keys}", "available keys: {keys}"),
    ),
    "expression.not_indexable": _entry(
        "不能从{kind}中取元素",
        "cannot take an item of {kind}",
        ("请对列表或记录取元素", "use a list or a record"),
    ),
    "expression.index_out_of_range": _entry(
        "下标 {index} 超出范围（长度为 {length}）",
        "index {index} is out of range (length {length})",
        ("请检查 `len`", "check `len`"),
    ),
    "expression.bad_index": _entry(
        "下标必须是整数，实际是{kind}",
        "an index must be a whole number, got {kind}",
        ("例如 `items[0]`", "e.g. `items[0]`"),
    ),
    "expression.not_sliceable": _entry(
        "不能对{kind}切片", "cannot slice {kind}", ("请对列表或文本切片", "slice a list or text")
    ),
    "expression.len_needs_list": _entry(
        "`len` 需要列表或文本，实际是{kind}",
        "`len` needs a list or text, got {kind}",
        ("例如 `len(items) > 0`", "e.g. `len(items) > 0`"),
    ),
    "expression.empty_list": _entry(
        "对空列表求 `{function}`",
        "`{function}` of an empty list",
        ("先检查 `len(...) > 0`", "check `len(...) > 0` first"),
    ),
    "expression.null_value": _entry(
        "`{function}` 遇到了空值（null）",
        "`{function}` got an empty value (null)",
        ("先把每个值都填上", "fill in every value first"),
    ),
    "expression.mixed_values": _entry(
        "`{function}` 无法比较不同类型的值",
        "`{function}` cannot compare mixed values",
        ("只用数字", "use numbers only"),
    ),
    "expression.round_digits": _entry(
        "`round` 的位数必须是 -18 到 18 之间的整数",
        "`round` digits must be a whole number from -18 to 18",
        ("例如 `round(x, 2)`", "e.g. `round(x, 2)`"),
    ),
    "expression.needs_text": _entry(
        "`{function}` 需要文本，实际是{kind}",
        "`{function}` needs text, got {kind}",
        ("例如 `{example}`", "e.g. `{example}`"),
    ),
    "expression.unequal_lists": _entry(
        "`max_growth` 需要两个长度相同的列表，实际长度为 {first} 和 {second}",
        "`max_growth` needs lists of equal length, got {first} and {second}",
        ("两个列表中每个部门各给一个值", "pass one value per department in both lists"),
    ),
}

TEXTS: dict[str, Entry] = {**KINDS, **CONSTRUCTS, **HINTS, **COMPILING, **EVALUATING}
