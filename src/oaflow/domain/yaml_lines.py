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

from oaflow.domain.errors import Fault, Problem, fault, problem
from oaflow.domain.places import Place, key_of
from oaflow.domain.text import Text
from oaflow.domain.wording import did_you_mean

#: deepest nesting of mappings and lists a definition or organisation file may have
MAX_DEPTH = 64


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


class TooDeep(yaml.YAMLError):
    """The YAML nests deeper than :data:`MAX_DEPTH` (refused before Python's stack runs out)."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(f"nested deeper than {MAX_DEPTH}")
        self.problem_mark = mark


class KeyNotPlain(yaml.YAMLError):
    """A mapping key that is itself a list or a mapping."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("a mapping key must be a plain value")
        self.problem_mark = mark


class BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing documents nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise TooDeep(event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _LineLoader(BoundedLoader):
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
            raise KeyNotPlain(key_node.start_mark)
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


def yaml_fault(error: yaml.YAMLError) -> Fault:
    """What is wrong with a text that is not YAML (or nests too deep)."""
    if isinstance(error, TooDeep):
        return fault("yaml.too_deep", limit=MAX_DEPTH)
    if isinstance(error, KeyNotPlain):
        return fault("yaml.key_not_plain")
    if isinstance(error, yaml.reader.ReaderError):
        return fault("yaml.bad_character", character=f"U+{error.character:04X}")
    reason = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    return fault("yaml.invalid", detail=f"{context}, {reason}" if context else reason)


def yaml_line(error: yaml.YAMLError, text: str) -> int | None:
    """The line (1-based) ``error`` is about, or None."""
    if isinstance(error, yaml.reader.ReaderError):
        return text.count("\n", 0, error.position) + 1
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def yaml_problem(error: yaml.YAMLError, file: str, text: str) -> Problem:
    return Problem(yaml_fault(error), file, yaml_line(error, text))


def show(value: object) -> str | Fault:
    """A value as a person would write it in YAML, shortened (a mapping or a list by name)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, dict):
        return fault("value.a_mapping")
    elif isinstance(value, list):
        return fault("value.a_list")
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Reader:
    """Typed getters over LineMaps; every bad value becomes a Problem, never an exception."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, code: str, line: int | None, /, **params: Any) -> None:
        self.problems.append(problem(code, self.file, line, **params))

    def mapping(
        self, value: object, what: Place, line: int | None, example: str | Fault
    ) -> LineMap | None:
        if isinstance(value, LineMap):
            return value
        self.add(
            "definition.value.not_mapping", line, what=what, value=show(value), example=example
        )
        return None

    def keys(
        self, m: LineMap, what: Place, allowed: Iterable[str], required: Iterable[str]
    ) -> bool:
        """Report unknown and missing keys; True if there were none.

        A missing key that an unknown key resembles (a typo) is reported once, as the typo.
        """
        allowed_set = set(allowed)
        count = len(self.problems)
        meant = {self._unknown_key(m, k, what, allowed_set) for k in m if k not in allowed_set}
        for key in required:
            if key not in m and key not in meant:
                self.add("definition.key.missing", m.line, what=what, key=key)
        return len(self.problems) == count

    def _unknown_key(self, m: LineMap, key: object, what: Place, allowed: set[str]) -> str:
        """Report ``key``; return the allowed key it resembles, or ''."""
        close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
        known = [f"`{k}`" for k in sorted(allowed)]
        advice = (
            fault("general.did_you_mean", word=close[0])
            if close
            else fault("definition.hint.remove_key", what=what, known=known)
        )
        self.add(
            "definition.key.unknown",
            m.key_lines.get(key, m.line),
            key=key,
            what=what,
            advice=advice,
        )
        return close[0] if close else ""

    def string(self, m: LineMap, key: str, what: Place) -> str | None:
        """The text under ``key``; None (and no problem) when the key is absent."""
        if key not in m:
            return None
        value = m[key]
        if isinstance(value, str) and value.strip():
            return value
        self.add(
            "definition.value.not_text",
            m.line_of(key),
            what=key_of(key, what),
            key=key,
            value=show(value),
        )
        return None

    def choice(self, m: LineMap, key: str, what: Place, choices: tuple[str, ...]) -> str | None:
        value = m.get(key)
        if key not in m:
            return None
        if isinstance(value, str) and value in choices:
            return value
        close = did_you_mean(value, choices) if isinstance(value, str) else None
        self.add(
            "definition.value.not_choice",
            m.line_of(key),
            what=key_of(key, what),
            options=" | ".join(choices),
            value=show(value),
            advice=close or fault("definition.hint.write_choice", key=key, choice=choices[0]),
        )
        return None

    def strings(self, m: LineMap, key: str, what: Place) -> tuple[str, ...]:
        value = m.get(key, [])
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        self.add(
            "definition.value.not_texts",
            m.line_of(key),
            what=key_of(key, what),
            key=key,
            value=show(value),
        )
        return ()

    def flag(self, m: LineMap, key: str, what: Place) -> bool:
        value = m.get(key, False)
        if isinstance(value, bool):
            return value
        self.add(
            "definition.value.not_flag",
            m.line_of(key),
            what=key_of(key, what),
            key=key,
            value=show(value),
        )
        return False

    def number(self, m: LineMap, key: str, what: Place) -> float | None:
        value = m.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        self.add(
            "definition.value.not_number",
            m.line_of(key),
            what=key_of(key, what),
            key=key,
            value=show(value),
        )
        return None

    def text(self, m: LineMap, key: str, what: Place) -> Text | None:
        """``{zh, en}`` or a plain string (taken as zh)."""
        value = m.get(key)
        line = m.line_of(key)
        if isinstance(value, str) and value.strip():
            return Text(value)
        if not isinstance(value, LineMap):
            self._bad_text(key, what, value, line)
            return None
        if not self.keys(value, key_of(key, what), ("zh", "en"), ("zh",)):
            return None
        zh, en = value.get("zh"), value.get("en", "")
        if not isinstance(zh, str) or not zh.strip() or not isinstance(en, str):
            self._bad_text(key, what, value, line)
            return None
        return Text(zh, en)

    def _bad_text(self, key: str, what: Place, value: object, line: int | None) -> None:
        self.add(
            "definition.value.not_bilingual",
            line,
            what=key_of(key, what),
            key=key,
            value=show(value),
        )
