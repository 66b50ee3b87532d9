"""The domain's errors and problems (definitions, organisation, calendar, forms, expressions,
notifications) are codes whose texts the catalogue has in Chinese and English, and the ways
out that name a command live in the CLI (cli/hints.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from oaflow.cli.hints import DOMAIN_HINTS
from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.definition import FormField
from oaflow.domain.errors import ExpressionError, InputError, Problem, ValidationError
from oaflow.domain.expressions import compile_expression
from oaflow.domain.forms import check_values
from oaflow.domain.loader import parse_definition
from oaflow.domain.orgfile import parse_org_yaml
from oaflow.domain.texts import CATALOGUE
from oaflow.domain.validate import check_definition
from oaflow.notify.channels.registry import check_endpoint_settings
from oaflow.notify.templates import check_template

SRC = Path(__file__).resolve().parents[2] / "src" / "oaflow"
CJK = re.compile(r"[\u4e00-\u9fff]")
AREAS = "definition|org|calendar|form|expression|template|channel|link|yaml|value|general"
CODE = re.compile(rf"^({AREAS})\.[a-z0-9_]+(\.[a-z0-9_]+)*$")
#: the modules of this area, and the call sites outside it that raise its codes
MODULES = [
    *(SRC / "domain").glob("*.py"),
    *(SRC / "notify").rglob("*.py"),
    SRC / "processes" / "__init__.py",
    SRC / "services" / "calendar.py",
    SRC / "services" / "notify_admin.py",
    SRC / "services" / "runtime.py",
    SRC / "engine" / "runtime.py",
]


def _codes_named(path: Path) -> set[str]:
    """Every string literal of ``path`` that reads like a code of this area."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value)
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_code_named_in_the_code_is_in_the_catalogue(path: Path) -> None:
    missing = sorted(code for code in _codes_named(path) if code not in CATALOGUE)
    assert not missing, missing


def test_cli_hints_are_for_known_codes_and_speak_both_languages() -> None:
    for code, hint in DOMAIN_HINTS.items():
        assert code in CATALOGUE, code
        assert CJK.search(hint.zh) and hint.en and not CJK.search(hint.en), code
        assert "oaflow" in hint.en or "--" in hint.en, f"{code}: a CLI hint names a command"


def _problems(text: str) -> list[Problem]:
    with pytest.raises(ValidationError) as raised:
        check_definition(text, "p.yaml")
    return raised.value.problems


def test_a_definition_problem_in_both_languages() -> None:
    _, problems = parse_definition(
        "key: a\nname: x\nbusiness_key: 'A{seq:02}'\nnodes: 3\n", "p.yaml"
    )
    (problem,) = problems
    assert problem.code == "definition.nodes.not_list"
    assert problem.text("en") == (
        "p.yaml:4: `nodes` must be a non-empty list of nodes; got 3 — hint: write `nodes:` "
        "followed by `- {id: ..., type: ..., name: ...}` items"
    )
    assert problem.text("zh") == (
        "p.yaml:4: `nodes` 必须是非空的节点列表；实际是 3 — 提示: 写 `nodes:`，"
        "下面每项写成 `- {id: ..., type: ..., name: ...}`"
    )


def test_places_and_suggestions_are_said_in_the_reader_s_language() -> None:
    text = """\
key: a
name: x
business_key: 'A{seq:02}'
nodes:
  - {id: s, type: initiate, name: s, next: h}
  - id: h
    type: handle
    name: h
    assignee: initiator
    time_limit: {hours: 2, basis: wrking}
    next: done
  - {id: done, type: end, name: e}
"""
    (problem,) = _problems(text)
    assert problem.message == (
        "`basis` of `time_limit` of node `h` must be one of working | calendar; got 'wrking'"
    )
    assert problem.hint("en") == "did you mean `working`?"
    assert problem.fault.text("zh") == (
        "节点 `h` 的 `time_limit` 的 `basis` 必须是 working | calendar 之一；实际是 'wrking'"
    )
    assert problem.hint("zh") == "是不是想写 `working`？"


def test_an_organisation_problem_in_both_languages() -> None:
    text = "departments:\n  - {code: rnd, name: 研发部, head: nobody}\n"
    with pytest.raises(ValidationError) as raised:
        parse_org_yaml(text, "org.yaml")
    (problem,) = raised.value.problems
    assert problem.code == "org.department.unknown_user"
    assert problem.message == "department rnd: head 'nobody' is not a known user"
    assert problem.fault.text("zh") == "部门 rnd：负责人 'nobody' 不是已有的用户"


def test_an_expression_error_in_both_languages() -> None:
    with pytest.raises(ExpressionError) as raised:
        compile_expression("amount ** 2 > 10")
    error = raised.value
    assert error.code == "expression.operator_not_allowed" and error.offset == 0
    assert error.text("en") == "the operator `**` (power) is not allowed"
    assert error.text("zh") == "不允许使用运算符 `**`（乘方）"
    assert error.hint("zh") == "直接写乘法，例如 `x * x`"


def test_form_faults_in_both_languages() -> None:
    field = FormField("amount", "number")
    (fault,) = check_values([field], {"amount": "lots"})
    assert fault.text("en") == "`amount` must be a number; got 'lots'"
    assert fault.text("zh") == "`amount` 必须是数字；实际是 'lots'"


def test_a_calendar_error_in_both_languages() -> None:
    with pytest.raises(InputError) as raised:
        WorkingCalendar(tz="Mars/Olympus")
    assert raised.value.code == "calendar.unknown_zone"
    assert raised.value.text("zh") == "未知的时区 'Mars/Olympus'"
    assert "IANA" in raised.value.hint("en") and "IANA" in raised.value.hint("zh")


def test_template_and_channel_problems_in_both_languages() -> None:
    (problem,) = check_template("{{ task }}", "{{ tsak }}")
    assert problem.text("en").startswith("body line 1: unknown variable 'tsak'; did you mean")
    assert problem.text("zh").startswith("正文第 1 行：未知的变量 'tsak'；是不是想写 'task'？")
    (channel,) = check_endpoint_settings("wecom", {"url": "https://example.com/hook"})
    assert channel.code == "channel.wecom.no_key"
    assert channel.text("zh").startswith("企业微信的 url 中没有 key 参数")
