"""Organisation files (ORG-2): YAML and CSV, every problem at once, round trips."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oaflow.domain.errors import ValidationError
from oaflow.domain.org import ROLES, Department, Organisation, User
from oaflow.domain.orgfile import org_to_csv, org_to_yaml, parse_org_csv, parse_org_yaml
from oaflow.domain.text import Text

DOC = Path(__file__).parents[2] / "docs" / "organisation.md"

SMALL_YAML = """\
departments:
  - {code: hq, name: {zh: 总部, en: Headquarters}, head: gm}
  - code: rnd
    name: {zh: 研发部, en: R&D}
    parent: hq
    head: rnd.head
    interfaces: [rnd.staff]
    leader: gm
users:
  - {login: gm, name: {zh: 冯国栋, en: Feng Guodong}, departments: [hq], roles: [general_manager]}
  - {login: rnd.head, name: 张伟, email: rnd.head@x.cn, departments: [rnd]}
  - {login: rnd.staff, name: {zh: 刘洋}, departments: [rnd, hq], active: false}
"""


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> set[tuple[int | None, str]]:
    assert all(p.text("zh") and p.hint("zh") for p in error.value.problems)  # in Chinese too
    return {(p.line, p.message) for p in error.value.problems}


def doc_block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"docs/organisation.md has no {language} example"
    return match.group(1)


# --- reading ----------------------------------------------------------------------------


def test_yaml_is_read_with_chinese_names() -> None:
    org = parse_org_yaml(SMALL_YAML, "org.yaml")
    assert org.departments["rnd"] == Department(
        "rnd", Text("研发部", "R&D"), "hq", "rnd.head", ("rnd.staff",), "gm"
    )
    assert org.users["rnd.head"] == User("rnd.head", Text("张伟"), "rnd.head@x.cn", ("rnd",))
    staff = org.users["rnd.staff"]
    assert (staff.name, staff.active, staff.departments) == (Text("刘洋"), False, ("rnd", "hq"))
    assert org.users["gm"].roles == {"general_manager"}


def test_csv_is_read_with_a_bom_and_both_list_separators() -> None:
    text = (
        "\ufefftype,id,name_zh,name_en,parent,head,interfaces,leader,departments,roles,active\r\n"
        "department,hq,总部,HQ,,boss,a；b,,,,\r\n"
        'user,boss,"王,建国",,,,,,hq,general_manager; auditor,是\r\n'
        "user,a,甲,,,,,,hq,,\r\n"
        ",,,,,,,,,,\r\n"
        "user,b,乙,,,,,,hq,,否\r\n"
    )
    org = parse_org_csv(text, "org.csv")
    assert org.departments["hq"].interfaces == ("a", "b")
    assert org.users["boss"].name == Text("王,建国")
    assert org.users["boss"].roles == {"general_manager", "auditor"}
    assert org.users["a"].active and not org.users["b"].active


def test_the_documented_examples_parse_to_the_same_organisation() -> None:
    from_yaml = parse_org_yaml(doc_block("yaml"), "organisation.md")
    from_csv = parse_org_csv(doc_block("csv"), "organisation.md")
    assert from_yaml == from_csv
    assert from_yaml.users["rnd.staff"].active is False
    assert from_yaml.leader_of("rnd") == "vp.tech"


# --- every problem at once --------------------------------------------------------------

BROKEN_YAML = """\
departments:
  - {code: hq, name: 总部}
  - {code: hq, name: 又一个总部}
  - {code: a, name: 甲, parent: nowhere, head: ghost, interfaces: [nobody], leader: phantom}
  - {code: b, name: 乙, parent: c}
  - {code: c, name: 丙, parent: b}
  - {code: Bad!, name: 坏}
  - {code: d, colour: red}
users:
  - {login: u1, name: 用户, departments: [hq]}
  - {login: u1, name: 重复, departments: [hq]}
  - {login: Bad Login, name: 坏}
  - {login: u2, name: 用户二, departments: [mars], roles: [king], email: not-an-address}
  - {login: u3, name: 用户三, active: maybe}
"""


def test_yaml_reports_every_problem_with_its_line() -> None:
    with pytest.raises(ValidationError) as error:
        parse_org_yaml(BROKEN_YAML, "org.yaml")
    found = problems_of(error)
    assert found == {
        (3, "duplicate department 'hq' (first at line 2)"),
        (4, "department a: parent 'nowhere' is not a known department"),
        (4, "department a: head 'ghost' is not a known user"),
        (4, "department a: interface person 'nobody' is not a known user"),
        (4, "department a: leader 'phantom' is not a known user"),
        (5, "departments form a cycle: b → c → b"),
        (7, "department: code 'Bad!' is not valid"),
        (8, "department d: unknown key 'colour'"),
        (8, "department d: name is missing or malformed"),
        (11, "duplicate user 'u1' (first at line 10)"),
        (12, "user: login 'Bad Login' is not valid"),
        (13, "user u2: unknown role 'king'"),
        (13, "user u2: email 'not-an-address' is not an address"),
        (13, "user u2: department 'mars' is not a known department"),
        (14, "user u3: active 'maybe' is not true or false"),
    }
    assert all(p.hint() and p.file == "org.yaml" for p in error.value.problems)


def test_csv_reports_every_problem_with_its_line() -> None:
    text = (
        "type,id,name_zh,parent,head,interfaces,leader,departments,roles\n"
        "department,hq,总部,,,,,,\n"
        "department,hq,总部,,,,,,\n"
        "department,a,甲,nowhere,ghost,nobody,phantom,,\n"
        'department,b,"乙\n(两行)",c,,,,,\n'
        "department,c,丙,b,,,,,\n"
        "user,u1,用户,,,,,mars,king\n"
        "user,Bad Login,坏,,,,,,\n"
        "user,u2,,,,,,hq,\n"
        "group,g,组,,,,,,\n"
        "user,u3,用户三,hq,,,,hq,\n"
        "user,u4,用户四,,,,,hq,,extra\n"
    )
    with pytest.raises(ValidationError) as error:
        parse_org_csv(text, "org.csv")
    assert problems_of(error) == {
        (3, "duplicate department 'hq' (first at line 2)"),
        (4, "department a: parent 'nowhere' is not a known department"),
        (4, "department a: head 'ghost' is not a known user"),
        (4, "department a: interface person 'nobody' is not a known user"),
        (4, "department a: leader 'phantom' is not a known user"),
        (5, "departments form a cycle: b → c → b"),
        (8, "user u1: unknown role 'king'"),
        (8, "user u1: department 'mars' is not a known department"),
        (9, "user: login 'Bad Login' is not valid"),
        (10, "user u2: name is missing or malformed"),
        (11, "type 'group' is neither department nor user"),
        (12, "user row: columns ['parent'] do not apply"),
        (13, "the row has more cells than the header"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("type,id\n", "header: missing ['name_zh']"),
        ("type,id,name_zh,colour\n", "header: unknown columns ['colour']"),
        ("", "header: missing ['type', 'id', 'name_zh']"),
    ],
)
def test_csv_header_problems(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_org_csv(text, "org.csv")
    assert problems_of(error) == {(1, message)}


@pytest.mark.parametrize(
    ("text", "line", "start"),
    [
        ("departments: [\n  {code: a\n", 3, "the file is not valid YAML"),
        ("- a\n- b\n", 1, "the file must be a mapping"),
        ("departments: {a: 1}\n", 1, "departments must be a list"),
        ("departments:\n  - just text\n", 2, "a department must be a mapping"),
        ("teams: []\n", 1, "unknown key 'teams'"),
        ("users:\n  - {login: a, name: 甲, departments: hq}\n", 2, "user a: department 'hq'"),
        ("users:\n  - {login: 7, name: 甲}\n", 2, "user: login must be text"),
        ("users:\n  - {login: a, name: 甲, roles: [1]}\n", 2, "user a: roles must be a list of"),
        ("users:\n  - {login: a, name: 甲, roles: {x: 1}}\n", 2, "user a: roles must be a list"),
    ],
)
def test_yaml_shape_problems(text: str, line: int, start: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_org_yaml(text, "org.yaml")
    assert [(p.line, p.message[: len(start)]) for p in error.value.problems] == [(line, start)]


def test_empty_files_give_an_empty_organisation() -> None:
    assert parse_org_yaml("departments:\nusers:\n") == Organisation({}, {})
    assert parse_org_csv(org_to_csv(Organisation({}, {}))) == Organisation({}, {})


# --- writing and round trips ------------------------------------------------------------


def test_yaml_export_is_readable() -> None:
    text = org_to_yaml(parse_org_yaml(SMALL_YAML))
    assert "name: {zh: 研发部, en: R&D}" in text
    assert "interfaces: [rnd.staff]" in text
    assert "active: false" in text and "active: true" not in text


def test_csv_export_layout() -> None:
    text = org_to_csv(parse_org_yaml(SMALL_YAML))
    lines = text.split("\r\n")
    assert lines[0].startswith("type,id,name_zh,name_en,")
    assert lines[2] == "department,rnd,研发部,R&D,hq,rnd.head,rnd.staff,gm,,,,"
    assert lines[-2] == "user,rnd.staff,刘洋,,,,,,,rnd;hq,,false"
    assert text.endswith("\r\n")


def test_round_trip_of_a_hand_written_file() -> None:
    org = parse_org_yaml(SMALL_YAML)
    assert parse_org_yaml(org_to_yaml(org)) == org
    assert parse_org_csv(org_to_csv(org)) == org
    assert parse_org_csv("\ufeff" + org_to_csv(org)) == org


_CODE = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
_LOGIN = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,8}", fullmatch=True)
_WORD = st.text(
    st.characters(whitelist_categories=("L", "N", "P", "S", "Zs"), max_codepoint=0x2FFFF),
    min_size=1,
    max_size=12,
).filter(lambda s: s == s.strip())
_CHINESE = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1)
_NAME = st.builds(Text, st.one_of(_CHINESE, _WORD), st.one_of(st.just(""), _WORD))


@st.composite
def organisations(draw: st.DrawFn) -> Organisation:
    codes = draw(st.lists(_CODE, unique=True, max_size=6))
    logins = draw(st.lists(_LOGIN, unique=True, max_size=8))
    person = st.one_of(st.none(), st.sampled_from(logins)) if logins else st.none()
    departments: dict[str, Department] = {}
    for index, code in enumerate(codes):
        parent = draw(st.one_of(st.none(), st.sampled_from(codes[:index]))) if index else None
        interfaces = draw(st.lists(st.sampled_from(logins), unique=True)) if logins else []
        departments[code] = Department(
            code, draw(_NAME), parent, draw(person), tuple(interfaces), draw(person)
        )
    users = {login: draw(_users(login, codes)) for login in logins}
    return Organisation(departments, users)


def _users(login: str, codes: list[str]) -> st.SearchStrategy[User]:
    in_departments = st.lists(st.sampled_from(codes), unique=True) if codes else st.just([])
    return st.builds(
        User,
        st.just(login),
        _NAME,
        st.sampled_from(["", f"{login}@例子.cn"]),
        in_departments.map(tuple),
        st.frozensets(st.sampled_from(sorted(ROLES))),
        st.booleans(),
    )


@settings(max_examples=150, deadline=None)
@given(organisations())
def test_yaml_round_trip(org: Organisation) -> None:
    assert parse_org_yaml(org_to_yaml(org), "export.yaml") == org


@settings(max_examples=150, deadline=None)
@given(organisations())
def test_csv_round_trip(org: Organisation) -> None:
    assert parse_org_csv(org_to_csv(org), "export.csv") == org


# --- bad input: a clear problem with its line, never a crash -------------------------------


def test_yaml_nested_too_deep_is_a_problem() -> None:
    text = "departments: " + "[" * 100_000 + "]" * 100_000 + "\n"
    with pytest.raises(ValidationError) as error:
        parse_org_yaml(text, "org.yaml")
    (problem,) = error.value.problems
    assert (problem.code, problem.line) == ("yaml.too_deep", 1)


def test_a_nul_byte_in_yaml_is_a_problem_with_its_line() -> None:
    text = "departments:\n  - {code: rnd, name: 研发部}\n  - {code: hq, name: 总\x00部}\n"
    with pytest.raises(ValidationError) as error:
        parse_org_yaml(text, "org.yaml")
    (problem,) = error.value.problems
    assert (problem.code, problem.line) == ("yaml.bad_character", 3)


def test_a_nul_written_as_an_escape_in_yaml_is_a_problem_with_its_line() -> None:
    text = 'departments:\n  - {code: rnd, name: 研发部}\n  - {code: hq, name: "总\\0部"}\n'
    with pytest.raises(ValidationError) as error:
        parse_org_yaml(text, "org.yaml")
    assert problems_of(error) == {(3, "department hq: name contains the control character U+0000")}


def test_a_nul_byte_in_csv_is_a_problem_with_its_line() -> None:
    text = (
        "type,id,name_zh,email\n"
        "department,rnd,研发部,\n"
        "user,li.na,李\x00娜,\n"
        "user,wang,王,w\x00@example.com\n"
        "user,zh\x00ao,赵,\n"
    )
    with pytest.raises(ValidationError) as error:
        parse_org_csv(text, "org.csv")
    assert problems_of(error) == {
        (3, "user li.na: name contains the control character U+0000"),
        (4, "user wang: email contains the control character U+0000"),
        (5, "user: login contains the control character U+0000"),
    }
    zh = {p.fault.text("zh") for p in error.value.problems}
    assert "用户 li.na：name 含有控制字符 U+0000" in zh
