"""YAML that remembers lines, and a reader that collects shape problems (used by the loader).

``read_yaml`` builds plain dicts and lists whose subclasses ``LineMap`` / ``LineList`` know
the line of every key and item, so each problem can name ``file:line``. ``Reader`` wraps
the typed getters the loader needs; each getter records a problem and returns ``None``
instead of raising, so that one pass reports every problem.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

import yaml

from oaflow.domain.errors import Problem
from oaflow.domain.text import Text


class LineMap(dict[Any, Any]):
    """A YAML mapping with the line of the mapping and of each key (1-based)."""

    line: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A YAML sequence with the line of the sequence and of each item (1-based)."""

    line: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int | None:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LineLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | None):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        line = key_node.start_mark.line + 1
        if key in result:
            loader.duplicates.append((str(key), line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_list(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList()
    result.line = node.start_mark.line + 1
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(item.start_mark.line + 1)
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


def read_yaml(text: str) -> tuple[object, list[tuple[str, int]]]:
    """Parse ``text``; return the data and the (key, line) of every duplicated key."""
    loader = _LineLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def yaml_problem(error: yaml.YAMLError, file: str) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    reason = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    detail = f"{context}, {reason}" if context else reason
    return Problem(
        f"the file is not valid YAML: {detail}",
        "check indentation and quoting on this line and the one before it; "
        "quote texts that contain ': ', '#', '{' or start with '*', '&' or '!'",
        file,
        line,
    )


def suggest(word: str, choices: Iterable[str]) -> str:
    """'did you mean `x`?' for the choice closest to ``word`` (ignoring case), or ''."""
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"did you mean `{by_lower[close[0]]}`?" if close else ""


def show(value: object) -> str:
    """A value as a person would write it in YAML, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a mapping"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Reader:
    """Typed getters over LineMaps; every bad value becomes a Problem, never an exception."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, message: str, hint: str, line: int | None) -> None:
        self.problems.append(Problem(message, hint, self.file, line))

    def mapping(self, value: object, what: str, line: int | None, example: str) -> LineMap | None:
        if isinstance(value, LineMap):
            return value
        self.add(f"{what} must be a mapping; got {show(value)}", f"write it as {example}", line)
        return None

    def keys(self, m: LineMap, what: str, allowed: Iterable[str], required: Iterable[str]) -> bool:
        """Report unknown and missing keys; True if there were none.

        A missing key that an unknown key resembles (a typo) is reported once, as the typo.
        """
        allowed_set = set(allowed)
        count = len(self.problems)
        meant = {self._unknown_key(m, k, what, allowed_set) for k in m if k not in allowed_set}
        for key in required:
            if key not in m and key not in meant:
                self.add(f"{what} has no `{key}`", f"add `{key}: ...` to {what}", m.line)
        return len(self.problems) == count

    def _unknown_key(self, m: LineMap, key: object, what: str, allowed: set[str]) -> str:
        """Report ``key``; return the allowed key it resembles, or ''."""
        close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
        known = ", ".join(f"`{k}`" for k in sorted(allowed))
        hint = f"did you mean `{close[0]}`?" if close else f"remove it; {what} takes {known}"
        self.add(f"unknown key `{key}` in {what}", hint, m.key_lines.get(key, m.line))
        return close[0] if close else ""

    def string(self, m: LineMap, key: str, what: str) -> str | None:
        """The text under ``key``; None (and no problem) when the key is absent."""
        if key not in m:
            return None
        value = m[key]
        if isinstance(value, str) and value.strip():
            return value
        self.add(
            f"`{key}` of {what} must be a non-empty text; got {show(value)}",
            f"write `{key}: some-text` (quote it if it looks like a number or true/false)",
            m.line_of(key),
        )
        return None

    def choice(self, m: LineMap, key: str, what: str, choices: tuple[str, ...]) -> str | None:
        value = m.get(key)
        if key not in m:
            return None
        if isinstance(value, str) and value in choices:
            return value
        close = suggest(str(value), choices) if isinstance(value, str) else ""
        options = " | ".join(choices)
        self.add(
            f"`{key}` of {what} must be one of {options}; got {show(value)}",
            close or f"write `{key}: {choices[0]}`",
            m.line_of(key),
        )
        return None

    def strings(self, m: LineMap, key: str, what: str) -> tuple[str, ...]:
        value = m.get(key, [])
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        self.add(
            f"`{key}` of {what} must be a list of texts; got {show(value)}",
            f"write `{key}: [first, second]`",
            m.line_of(key),
        )
        return ()

    def flag(self, m: LineMap, key: str, what: str) -> bool:
        value = m.get(key, False)
        if isinstance(value, bool):
            return value
        self.add(
            f"`{key}` of {what} must be true or false; got {show(value)}",
            f"write `{key}: true` or leave it out",
            m.line_of(key),
        )
        return False

    def number(self, m: LineMap, key: str, what: str) -> float | None:
        value = m.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        self.add(
            f"`{key}` of {what} must be a number; got {show(value)}",
            f"write `{key}: 24`",
            m.line_of(key),
        )
        return None

    def text(self, m: LineMap, key: str, what: str) -> Text | None:
        """``{zh, en}`` or a plain string (taken as zh)."""
        value = m.get(key)
        line = m.line_of(key)
        if isinstance(value, str) and value.strip():
            return Text(value)
        if not isinstance(value, LineMap):
            self._bad_text(key, what, value, line)
            return None
        if not self.keys(value, f"`{key}` of {what}", ("zh", "en"), ("zh",)):
            return None
        zh, en = value.get("zh"), value.get("en", "")
        if not isinstance(zh, str) or not zh.strip() or not isinstance(en, str):
            self._bad_text(key, what, value, line)
            return None
        return Text(zh, en)

    def _bad_text(self, key: str, what: str, value: object, line: int | None) -> None:
        self.add(
            f"`{key}` of {what} must be a text in Chinese and English; got {show(value)}",
            f"write `{key}: {{zh: 中文名称, en: English name}}`",
            line,
        )
