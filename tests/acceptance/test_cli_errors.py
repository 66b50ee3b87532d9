"""Errors through the real `oaflow` command (SPEC §18): a clear message on stderr, exit code 1
(2 for wrong usage), and nothing changed in the database.

The cases act on a complaint in progress: TS202403001, whose triage (task 1) csd.head has
approved, so task 2 (原因分析与处理, a handle task) waits for prd.head.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import string
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.acceptance

FORM = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}
GOOD = json.dumps(FORM, ensure_ascii=False)

MALFORMED_YAML = """\
key: bad-yaml
name: {zh: 坏的 YAML
nodes:
  - id: start
"""

# Six problems, each on a known line (the acceptable lines per problem are listed below).
SEVERAL_PROBLEMS = """\
key: broken-flow
name: {zh: 坏流程, en: Broken flow}
business_key: "BR{yyyy}{seq:03}"
initiators: [csd]
form:
  - {name: amount, type: number, required: true, label: {zh: 金额}}
nodes:
  - id: start
    type: initiate
    name: {zh: 发起}
    next: route
  - id: route
    type: exclusive
    name: {zh: 按金额}
    routes:
      - when: "amount > 1000"
        to: big
      - when: "amonut > 10"
        to: work
      - when: "amount ** 2 > 5"
        to: work
  - id: work
    type: handle
    name: {zh: 处理}
    assignee: {department: zzz}
    time_limit: {hours: -3}
    next: finish
  - id: finish
    type: end
    name: {zh: 结束}
"""
EXPECTED_PROBLEMS = {  # what the problem names → the lines it may be reported on
    "default": {12, 13},
    "`big`": {16, 17},
    "`amonut`": {18},
    "**": {20},
    "`zzz`": {25},
    "-3": {26},
}


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    stderr: tuple[str, ...]  # texts the message must contain


CASES = {
    "unknown process key": Case(
        ("start", "no-such-process", "--as", "csd.head", "--data", GOOD),
        1,
        ("no-such-process", "process list"),
    ),
    "someone else's task": Case(  # csd.head started the complaint: they see task 2
        (
            "task",
            "complete",
            "2",
            "--as",
            "csd.head",
            "--field",
            "cause=x",
            "--field",
            "solution=y",
        ),
        1,
        ("不是您的", "prd.head", "oaflow tasks --as"),
    ),
    # log.head took no part in the complaint and heads no department it touched: the task is
    # outside their scope, so it is answered exactly like a missing one (no existence leak)
    "a task outside one's scope": Case(
        (
            "task",
            "complete",
            "2",
            "--as",
            "log.head",
            "--field",
            "cause=x",
            "--field",
            "solution=y",
        ),
        1,
        ("任务 2 不存在", "oaflow tasks --as"),
    ),
    "an instance outside one's scope": Case(
        ("instance", "show", "TS202403001", "--as", "log.head"), 1, ("TS202403001", "不存在")
    ),
    "complete without a required output": Case(
        ("task", "complete", "2", "--as", "prd.head", "--field", "cause=模具磨损"),
        1,
        ("`solution`", "处理措施"),
    ),
    "approve a handle task": Case(
        ("task", "approve", "2", "--as", "prd.head"), 1, ("handle", "oaflow task complete 2")
    ),
    "progress before ack": Case(
        ("task", "progress", "2", "--as", "prd.head", "--percent", "50"), 1, ("待接收", "task ack")
    ),
    "act on a closed task": Case(("task", "ack", "1", "--as", "csd.head"), 1, ("已通过",)),
    "bad --data JSON": Case(
        ("start", "customer-complaint", "--as", "csd.head", "--data", '{"title": "x",'),
        1,
        ("JSON",),
    ),
    "form missing required fields": Case(
        ("start", "customer-complaint", "--as", "csd.head", "--data", '{"title": "x"}'),
        1,
        ("`customer`", "`complaint_type`", "`description`"),
    ),
    "form value not allowed": Case(
        (
            "start",
            "customer-complaint",
            "--as",
            "csd.head",
            "--data",
            json.dumps({**FORM, "complaint_type": "price"}),
        ),
        1,
        ("quality, logistics, service", "price"),
    ),
    "not an initiating department": Case(
        ("start", "customer-complaint", "--as", "prd.head", "--data", GOOD), 1, ("csd", "prd")
    ),
    "unknown user starts": Case(
        ("start", "customer-complaint", "--as", "nobody", "--data", GOOD), 1, ("nobody",)
    ),
    "unknown user's tasks": Case(("tasks", "--as", "nobody"), 1, ("nobody", "org users")),
    "unknown user acts": Case(("task", "ack", "2", "--as", "nobody"), 1, ("nobody",)),
    "unknown task": Case(("task", "show", "99", "--as", "prd.head"), 1, ("任务 99 不存在",)),
    # wrong usage: exit code 2
    "tasks without --as": Case(("tasks",), 2, ("--as",)),
    "task approve without --as": Case(("task", "approve", "2"), 2, ("--as",)),
    "start without a form": Case(
        ("start", "customer-complaint", "--as", "csd.head"), 2, ("--data",)
    ),
    "--field without =": Case(
        ("task", "complete", "2", "--as", "prd.head", "--field", "cause"), 2, ("NAME=VALUE",)
    ),
    "unknown --lang": Case(("--lang", "fr", "tasks", "--as", "prd.head"), 2, ("--lang",)),
}


def views(cli: Any) -> dict[str, Any]:
    """What users see of the database: the instance and everyone's task lists."""
    return {
        "instance": cli.json("instance", "show", "TS202403001", "--as", "csd.head"),
        "csd.head": cli.json("tasks", "--as", "csd.head"),
        "prd.head": cli.json("tasks", "--as", "prd.head"),
    }


@pytest.fixture(scope="module")
def in_progress(fresh_cli) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The complaint in progress (its database file, the dump of it and the views)."""
    cli = fresh_cli()
    assert (
        cli("start", "customer-complaint", "--as", "csd.head", "--data", GOOD).out.strip()
        == "TS202403001"
    )
    cli("task", "approve", "1", "--as", "csd.head")
    return {"db": cli.db, "dump": cli.dump(), "views": views(cli)}


@pytest.fixture(scope="module")
def outcomes(in_progress: dict[str, Any], fresh_cli, parallel) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Every case on its own copy of the database, side by side: (result, dump after)."""

    def attempt(case: Case) -> tuple[Any, list[str]]:
        cli = fresh_cli()
        shutil.copyfile(in_progress["db"], cli.db)
        return cli(*case.args, expect=None), cli.dump()

    return parallel({name: (lambda case=case: attempt(case)) for name, case in CASES.items()})


@pytest.mark.parametrize("name", list(CASES))
def test_error_exits_with_a_message_on_stderr_and_changes_nothing(
    name: str, outcomes: dict[str, Any], in_progress: dict[str, Any]
) -> None:
    case = CASES[name]
    result, dump = outcomes[name]
    assert result.code == case.code, str(result)
    assert result.out == "", str(result)
    for text in case.stderr:
        assert text in result.err, str(result)
    if case.code == 1:
        assert result.err.startswith("错误: "), str(result)
    assert dump == in_progress["dump"], f"the database changed: {result}"


def test_after_all_the_errors_the_views_are_unchanged(copy_db, in_progress: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """The same errors one after another on one database; then the views are as before."""
    cli = copy_db(in_progress["db"])
    for name in (
        "complete without a required output",
        "approve a handle task",
        "form value not allowed",
    ):
        case = CASES[name]
        cli(*case.args, expect=case.code)
    assert views(cli) == in_progress["views"]


def test_errors_are_in_english_with_lang_en(copy_db, in_progress: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    cli = copy_db(in_progress["db"])
    result = cli("task", "approve", "2", "--as", "prd.head", lang="en", expect=1)
    assert result.err.startswith("error: ") and "hint: " in result.err, str(result)


def test_validate_reports_malformed_yaml_with_file_and_line(
    tmp_path: Path, copy_db, in_progress: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    cli = copy_db(in_progress["db"])
    (tmp_path / "bad.yaml").write_text(MALFORMED_YAML, encoding="utf-8")
    result = cli("process", "validate", "bad.yaml", expect=1)
    assert result.out == ""
    assert re.search(r"^bad\.yaml:[23]: .*YAML", result.err, re.MULTILINE), str(result)


@pytest.fixture(scope="module")
def several(in_progress: dict[str, Any], fresh_cli, parallel) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """`process validate` and `process publish` of the definition with six problems."""

    def run(command: str) -> tuple[Any, list[str]]:
        cli = fresh_cli()
        shutil.copyfile(in_progress["db"], cli.db)
        (cli.db.parent / "broken.yaml").write_text(SEVERAL_PROBLEMS, encoding="utf-8")
        who = ("--as", "admin") if command == "publish" else ()  # validate needs no database
        return cli("process", command, "broken.yaml", *who, expect=None), cli.dump()

    return parallel(
        {command: (lambda command=command: run(command)) for command in ("validate", "publish")}
    )


@pytest.mark.parametrize("command", ["validate", "publish"])
def test_every_problem_is_reported_at_once_with_file_and_line(
    command: str, several: dict[str, Any], in_progress: dict[str, Any]
) -> None:
    result, dump = several[command]
    assert result.code == 1, str(result)
    assert result.out == "", str(result)
    lines = [line for line in result.err.splitlines() if line.strip()]
    *problems, summary = lines
    assert summary == f"共 {len(EXPECTED_PROBLEMS)} 个问题", str(result)
    assert len(problems) == len(EXPECTED_PROBLEMS), str(result)
    for line in problems:
        assert re.match(r"^broken\.yaml:\d+: .+ — 提示: .+", line), line  # in Chinese
    for needle, allowed in EXPECTED_PROBLEMS.items():
        found = [p for p in problems if needle in p]
        assert len(found) == 1, (needle, result.err)
        line_no = int(found[0].split(":")[1])
        assert line_no in allowed, (needle, found[0])
    assert dump == in_progress["dump"]  # publish stored nothing


def test_unknown_initiator_department_is_reported_with_its_line(
    tmp_path: Path, copy_db, in_progress: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    cli = copy_db(in_progress["db"])
    text = SEVERAL_PROBLEMS.replace("initiators: [csd]", "initiators: [nosuchdept]")
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    result = cli("process", "validate", "x.yaml", expect=1)
    (line,) = [p for p in result.err.splitlines() if "nosuchdept" in p]
    assert line.startswith("x.yaml:4: "), line


def test_a_bad_route_reports_both_its_expression_and_its_target(
    tmp_path: Path, copy_db, in_progress: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    cli = copy_db(in_progress["db"])
    text = SEVERAL_PROBLEMS.replace('"amount > 1000"', '"amount ** 3 > 1000"')
    (tmp_path / "y.yaml").write_text(text, encoding="utf-8")
    result = cli("process", "validate", "y.yaml", expect=1)
    assert "`big`" in result.err, str(result)


def test_a_database_that_was_never_initialised_gets_a_clear_message(fresh_cli) -> None:  # type: ignore[no-untyped-def]
    cli = fresh_cli()
    cli.db.unlink()
    result = cli("tasks", "--as", "csd.head", expect=None)
    assert result.code == 1 and "还没有 OA-Flow 数据库" in result.err, str(result)
    assert f"oaflow --db {cli.url} init" in result.err, str(result)


def test_oaflow_lang_in_the_environment_chooses_the_language(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from oaflow.cli.main import run; run()"]
    plain = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}

    def first_err_line(**env: str) -> str:
        done = subprocess.run(
            [*command, "--db", f"sqlite:///{tmp_path / 'none.db'}", "tasks", "--as", "x"],
            env={**plain, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1, done
        return done.stderr.splitlines()[0]

    assert first_err_line(OAFLOW_LANG="en").startswith("error:")
    assert first_err_line().startswith("错误")


NO_AS = ("init", "demo", "worker", "tick", "process validate", "link use", "keys new", "--db")


def test_every_hint_that_names_a_command_states_who_acts() -> None:
    """A hint is followed as written: a command it names carries --as unless it needs none."""
    from oaflow.cli.hints import HINTS

    commands = 0
    for code, hint in HINTS.items():
        for text in (hint.zh, hint.en):
            for command in re.findall(r"oaflow ([a-z][^`）;；，,)]*)", text):
                commands += 1
                if command.startswith(NO_AS) or command.endswith("--help"):
                    continue
                assert "--as" in command, (code, text)
            # the places a hint fills are names; a literal brace is doubled
            places = [name for _, name, _, _ in string.Formatter().parse(text) if name]
            assert all(name.isidentifier() for name in places), (code, text)
    assert commands > 40
