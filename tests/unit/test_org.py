"""The organisation model (ORG-1): lookups, derived roles, reference checks."""

from __future__ import annotations

import pytest

from oaflow.domain.errors import Problem
from oaflow.domain.org import ROLES, Department, Organisation, User, organisation_problems
from oaflow.domain.text import Text


def dept(code: str, parent: str | None = None, **kw: object) -> Department:
    return Department(code, Text(f"{code}部", code.upper()), parent, **kw)  # type: ignore[arg-type]


def user(login: str, *departments: str, **kw: object) -> User:
    name = Text(f"用户{login}", f"User {login}")
    return User(login, name, f"{login}@x.cn", departments, **kw)  # type: ignore[arg-type]


def org_of(departments: list[Department], users: list[User]) -> Organisation:
    return Organisation({d.code: d for d in departments}, {u.login: u for u in users})


@pytest.fixture
def org() -> Organisation:
    return org_of(
        [
            dept("hq", head="gm"),
            dept("rnd", "hq", head="rnd.head", interfaces=("rnd.a", "rnd.b"), leader="vp"),
            dept("lab", "rnd", head="lab.head"),
            dept("fin", "hq", head=None, leader="vp2"),
        ],
        [
            user("gm", "hq", roles=frozenset({"general_manager"})),
            user("vp", "hq"),
            user("vp2", "hq", active=False),
            user("rnd.head", "rnd"),
            user("rnd.a", "rnd", "lab"),
            user("rnd.b", "rnd", active=False),
            user("lab.head", "lab"),
            user("admin", roles=frozenset({"administrator"})),
        ],
    )


def test_head_interfaces_and_members(org: Organisation) -> None:
    assert org.head_of("rnd") == "rnd.head"
    assert org.head_of("fin") is None
    assert org.head_of("nope") is None
    assert org.interfaces_of("rnd") == ("rnd.a", "rnd.b")
    assert org.interfaces_of("nope") == ()
    assert org.members_of("rnd") == ("rnd.head", "rnd.a")  # rnd.b is inactive
    assert org.members_of("lab") == ("rnd.a", "lab.head")


def test_leader_is_inherited_from_the_parent(org: Organisation) -> None:
    assert org.leader_of("rnd") == "vp"
    assert org.leader_of("lab") == "vp"
    assert org.leader_of("hq") is None
    assert org.leader_of("nope") is None


def test_leader_lookup_survives_a_cycle() -> None:
    looped = org_of([dept("a", "b"), dept("b", "a")], [])
    assert looped.leader_of("a") is None


def test_tree_and_primary_department(org: Organisation) -> None:
    assert org.children_of("hq") == ("rnd", "fin")
    assert org.children_of("lab") == ()
    assert org.primary_department("rnd.a") == "rnd"
    assert org.primary_department("admin") is None
    assert org.primary_department("nobody") is None


def test_roles_explicit_and_derived(org: Organisation) -> None:
    assert org.users_with_role("head") == ("gm", "rnd.head", "lab.head")
    assert org.users_with_role("supervising_leader") == ("vp",)  # vp2 is inactive
    assert org.users_with_role("general_manager") == ("gm",)
    assert org.users_with_role("administrator") == ("admin",)
    assert org.users_with_role("auditor") == ()
    assert "admin" not in org.users_with_role("member")
    assert org.roles_of("vp") == {"member", "supervising_leader"}
    assert org.roles_of("nobody") == frozenset()


def test_names_in_both_languages(org: Organisation) -> None:
    assert org.department_name("rnd") == "rnd部"
    assert org.department_name("rnd", "en") == "RND"
    assert org.department_name("gone") == "gone"
    assert org.user_name("gm") == "用户gm"
    assert org.user_name("gm", "en") == "User gm"
    assert org.user_name("ghost", "en") == "ghost"


def test_names_for_validation(org: Organisation) -> None:
    names = org.names()
    assert names.departments == {"hq", "rnd", "lab", "fin"}
    assert "rnd.b" in names.users
    assert names.roles == ROLES


def test_reference_problems_are_all_reported_with_lines() -> None:
    broken = org_of(
        [
            dept("a", "missing", head="ghost", interfaces=("nobody",), leader="phantom"),
            dept("b", "c"),
            dept("c", "b"),
            dept("self", "self"),
        ],
        [user("u", "a", "nowhere")],
    )
    lines = {("department", "a"): 1, ("department", "b"): 2, ("user", "u"): 9}
    problems = organisation_problems(broken, "org.yaml", lambda k, n: lines.get((k, n)))
    found = {(p.line, p.message) for p in problems}
    assert found == {
        (1, "department a: parent 'missing' is not a known department"),
        (1, "department a: head 'ghost' is not a known user"),
        (1, "department a: leader 'phantom' is not a known user"),
        (1, "department a: interface person 'nobody' is not a known user"),
        (9, "user u: department 'nowhere' is not a known department"),
        (2, "departments form a cycle: b → c → b"),
        (None, "departments form a cycle: self → self"),
    }
    assert all(isinstance(p, Problem) and p.hint() and p.file == "org.yaml" for p in problems)


def test_a_sound_organisation_has_no_problems(org: Organisation) -> None:
    assert organisation_problems(org, "f", lambda k, n: None) == []
