"""Bad input never half-applies or crashes (SEC-6), through the real `oaflow` command: each
case found by trying the product gives exit 1 (2 for wrong usage), a clear message on stderr
(never a traceback: `run_oaflow` checks) and an unchanged database (its dump before and
after are equal). And every command states who acts (--as), checked like any caller.

The cases act on a complaint in progress: TS202403001, whose triage (task 1) csd.head has
approved, so task 2 (原因分析与处理) waits for prd.head.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.acceptance

FORM = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}
DEEP = 100_000
SET_TEMPLATE = ("notify", "template", "set", "overdue", "--as", "admin", "--subject", "s")


def deep_yaml() -> str:
    return "key: " + "[" * DEEP + "]" * DEEP + "\n"


def deep_template() -> str:
    return "{% if true %}" * 5_000 + "x" + "{% endif %}" * 5_000


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    stderr: tuple[str, ...]  # texts the message must contain
    files: dict[str, str | bytes | None] = field(default_factory=dict)  # None: a folder


CASES: dict[str, Case] = {
    # found by trying the product (issue 10, point 6)
    "a time far in the future": Case(
        ("--now", "9999-12-31T23:59", "task", "ack", "2", "--as", "prd.head"),
        1,
        ("9999-12-31T23:59", "1970–2099"),
    ),
    "a time before the calendar": Case(
        ("--now", "0001-01-01", "tasks", "--as", "prd.head"), 1, ("0001-01-01",)
    ),
    "an id beyond 64 bits": Case(
        ("task", "show", "99999999999999999999", "--as", "prd.head"), 2, ("task_id",)
    ),
    "an unreachable PostgreSQL server": Case(
        ("--db", "postgresql://nobody@127.0.0.1:1/none", "tasks", "--as", "prd.head"),
        1,
        ("无法打开数据库", "127.0.0.1:1"),
    ),
    "a folder given as an organisation file": Case(
        ("org", "import", "folder.yaml", "--as", "admin"),
        1,
        ("folder.yaml", "文件夹"),
        {"folder.yaml": None},
    ),
    "a folder given as a form": Case(
        ("start", "customer-complaint", "--as", "csd.head", "--form", "form.json"),
        1,
        ("form.json", "文件夹"),
        {"form.json": None},
    ),
    "a folder given as a definition": Case(
        ("process", "publish", "p.yaml", "--as", "admin"), 1, ("p.yaml", "文件夹"), {"p.yaml": None}
    ),
    "a definition nested 100,000 deep": Case(
        ("process", "publish", "deep.yaml", "--as", "admin"), 1, ("deep.yaml",), {"deep.yaml": ""}
    ),
    "an organisation nested 100,000 deep": Case(
        ("org", "import", "deep.yaml", "--as", "admin"), 1, ("deep.yaml",), {"deep.yaml": ""}
    ),
    "a NUL byte in an organisation file": Case(
        ("org", "import", "nul.csv", "--as", "admin"),
        1,
        ("nul.csv",),
        {"nul.csv": "type,code,name_zh\ndepartment,x\x00y,部门\n"},
    ),
    "a template nested 5,000 deep": Case(
        (*SET_TEMPLATE, "--body-file", "deep.txt"),
        1,
        ("模板",),
        {"deep.txt": ""},
    ),
    "a template that prints a method": Case(
        (*SET_TEMPLATE, "--body-file", "method.txt"),
        1,
        ("模板",),
        {"method.txt": "{{ 'x'.format }}"},
    ),
    # an export to a folder that does not exist: said, not a traceback
    **{
        f"{args[0]} {args[1]} into a missing folder": Case(args, 1, ("无法写入文件", "nope/"))
        for args in (
            ("template", "blank", "1", "--output", "nope/t.xlsx"),
            ("bpmn", "export", "customer-complaint", "--as", "admin", "--output", "nope/c.bpmn"),
            ("exception", "pareto", "--month", "2024-03", "--as", "admin", "--xlsx", "nope/p.xlsx"),
        )
    },
    # every command states who acts, and the same checks apply (point 1)
    "org import without --as": Case(("org", "import", "org.yaml"), 2, ("--as",)),
    "calendar set without --as": Case(("calendar", "set", "2024-03-05", "--off"), 2, ("--as",)),
    "instance show without --as": Case(("instance", "show", "TS202403001"), 2, ("--as",)),
    "exception list without --as": Case(("exception", "list"), 2, ("--as",)),
    "outbox list without --as": Case(("outbox", "list"), 2, ("--as",)),
    "org import by a department head": Case(
        ("org", "import", "org.yaml", "--as", "prd.head"),
        1,
        ("prd.head", "管理"),
        {"org.yaml": "x"},
    ),
    "calendar set by a department head": Case(
        ("calendar", "set", "2024-03-05", "--off", "--as", "prd.head"), 1, ("prd.head", "管理")
    ),
    "someone else's notification preferences": Case(
        ("notify", "prefs", "csd.head", "--as", "prd.head", "--no-digest"), 1, ("prd.head", "管理")
    ),
    "publish by a department head": Case(
        ("process", "publish", "p.yaml", "--as", "csd.head"),
        1,
        ("csd.head", "管理"),
        {"p.yaml": "x"},
    ),
    "the outbox for a department head": Case(("outbox", "list", "--as", "prd.head"), 1, ("审计",)),
    "an instance outside one's scope": Case(
        ("instance", "show", "TS202403001", "--as", "sal.head"), 1, ("TS202403001", "不存在")
    ),
    "a task outside one's scope": Case(
        ("task", "show", "2", "--as", "sal.head"), 1, ("任务 2 不存在",)
    ),
}


def write_files(folder: Path, files: dict[str, str | bytes | None]) -> None:
    for name, content in files.items():
        path = folder / name
        if content is None:
            path.mkdir()
        elif name.startswith("deep.") and content == "":
            path.write_text(deep_template() if name.endswith(".txt") else deep_yaml())
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def in_progress(fresh_cli: Callable[[], Any]) -> dict[str, Any]:
    cli = fresh_cli()
    data = json.dumps(FORM, ensure_ascii=False)
    cli("start", "customer-complaint", "--as", "csd.head", "--data", data)
    cli("task", "approve", "1", "--as", "csd.head")
    return {"db": cli.db, "dump": cli.dump()}


@pytest.fixture(scope="module")
def outcomes(in_progress: dict[str, Any], fresh_cli: Callable[[], Any], parallel: Any) -> Any:
    def attempt(case: Case) -> tuple[Any, list[str]]:
        cli = fresh_cli()
        shutil.copyfile(in_progress["db"], cli.db)
        write_files(cli.db.parent, case.files)
        try:
            result: Any = cli(*case.args, expect=None)
        except AssertionError as crashed:  # a traceback: reported by the case's own test
            result = crashed
        return result, cli.dump()

    return parallel({name: (lambda case=case: attempt(case)) for name, case in CASES.items()})


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_clearly_and_changes_nothing(
    name: str, outcomes: dict[str, Any], in_progress: dict[str, Any]
) -> None:
    case = CASES[name]
    result, dump = outcomes[name]
    if isinstance(result, AssertionError):
        raise result
    assert result.code == case.code, str(result)
    for text in case.stderr:
        assert text in result.err, f"{text!r} not in:\n{result}"
    assert dump == in_progress["dump"], f"{name} changed the database"
