"""A version diff for people (VER-2, VER-3): the changes as rows (JSON, tables) and the
flowchart with its changed nodes marked — added and changed ones on the version's diagram,
removed ones on the diagram of the version before. Pure: the adapters show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.definition_diff import DefinitionDiff
from oaflow.present.flowchart import Chart, layout


def change_rows(diff: DefinitionDiff | None) -> list[dict[str, Any]]:
    """Each change as a row: where, what kind, and its words in both languages."""
    if diff is None:
        return []
    return [
        {"area": c.area, "kind": c.kind, "subject": c.subject, "zh": c.words.zh, "en": c.words.en}
        for c in diff.changes
    ]


@dataclass(frozen=True)
class MarkedChart:
    """A diagram and the state each of its marked nodes is drawn in."""

    chart: Chart
    node_states: dict[str, str]


def changed_chart(
    definition: ProcessDefinition, diff: DefinitionDiff | None, lang: str
) -> MarkedChart:
    """The version's diagram, its added and changed nodes marked."""
    marks = diff.node_marks() if diff is not None else {}
    return MarkedChart(layout(definition, lang), marks)


def removed_chart(
    previous: ProcessDefinition | None, diff: DefinitionDiff | None, lang: str
) -> MarkedChart | None:
    """The version before's diagram with the nodes this version removed marked (None when
    nothing was removed)."""
    if previous is None or diff is None or not diff.removed_nodes:
        return None
    return MarkedChart(layout(previous, lang), dict.fromkeys(diff.removed_nodes, "removed"))


def removed_names(
    previous: ProcessDefinition | None, diff: DefinitionDiff | None, lang: str
) -> list[str]:
    """The names of the nodes this version removed."""
    if previous is None or diff is None:
        return []
    return [previous.node(n).name.get(lang) for n in diff.removed_nodes]
