"""Errors any caller can present (issue 10, point 3): every error code raised anywhere has
its text in Chinese and in English in the one catalogue, with the same parameters; and no
module below the adapters names a command of the CLI (hints that do live in the CLI)."""

from __future__ import annotations

import ast
import importlib
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from oaflow.domain.errors import NotFoundError, OAFlowError
from oaflow.domain.texts import CATALOGUE, Entry

SRC = Path(__file__).resolve().parents[2] / "src" / "oaflow"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _error_classes() -> set[str]:
    """The names of OA-Flow's error classes, wherever they are defined."""
    for path in SRC.rglob("*.py"):
        module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        if "migrations" not in module and not module.endswith("__main__"):
            importlib.import_module(module.removesuffix(".__init__"))
    found, todo = set(), [OAFlowError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return found


#: what raises or builds an error from a code given as its first argument
MAKERS = {*_error_classes(), "fault", "Fault", "problem", "Problem"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _calls(path: Path) -> Iterator[tuple[int, str]]:
    """(line, code) of every call of an error maker; the code is the literal first argument,
    or a text with a space when it is not a code (a message, an f-string, several texts)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in MAKERS:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            code = first.value
            if name.endswith("Error") and len(node.args) > 1:
                code = f"{code} (with a hint)"
            yield node.lineno, code
        elif isinstance(first, ast.JoinedStr):
            yield node.lineno, ast.unparse(first)


def raised_codes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for line, code in _calls(path):
            found.setdefault(code, []).append(f"{path.relative_to(SRC)}:{line}")
    return found


def test_every_entry_speaks_both_languages_with_the_same_parameters() -> None:
    bad = []
    for code, entry in CATALOGUE.items():
        assert isinstance(entry, Entry)
        if not entry.zh or not entry.en or not CJK.search(entry.zh) or CJK.search(entry.en):
            bad.append(f"{code}: needs a Chinese and an English text")
        if _fields(entry.zh) != _fields(entry.en):
            bad.append(f"{code}: parameters differ {_fields(entry.zh)} / {_fields(entry.en)}")
        if bool(entry.hint_zh) != bool(entry.hint_en):
            bad.append(f"{code}: a hint in one language only")
        if _fields(entry.hint_zh) != _fields(entry.hint_en):
            bad.append(f"{code}: hint parameters differ")
    assert not bad, "\n".join(bad)
    print(f"{len(CATALOGUE)} codes, each in zh and en")


def test_every_code_raised_is_in_the_catalogue() -> None:
    codes = raised_codes()
    missing = {c: where for c, where in codes.items() if c not in CATALOGUE and " " not in c}
    assert not missing, "\n".join(f"{c}: {', '.join(w)}" for c, w in sorted(missing.items()))
    assert len(codes) > 0


def test_no_error_is_raised_without_a_code() -> None:
    legacy = {c: where for c, where in raised_codes().items() if " " in c}
    assert not legacy, "\n".join(f"{w[0]}: {c!r}" for c, w in sorted(legacy.items()))


def test_an_error_renders_its_parameters_in_each_language() -> None:
    error = NotFoundError("validation.problems", count=3)
    assert error.text("zh") == "发现 3 个问题"
    assert error.text("en") == "3 problem(s) found"


def _string_constants(path: Path) -> Iterator[tuple[int, str]]:
    """String literals that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


@pytest.mark.parametrize("layer", ["services", "engine", "domain"])
def test_no_module_below_the_adapters_names_a_cli_command(layer: str) -> None:
    named = [
        f"{path.relative_to(SRC)}:{line}: {text!r}"
        for path in sorted((SRC / layer).rglob("*.py"))
        for line, text in _string_constants(path)
        if re.search(r"\boaflow [a-z]", text)
    ]
    assert not named, "\n".join(named)
