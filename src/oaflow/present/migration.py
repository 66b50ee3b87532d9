"""A migration's report (VER-4) as one document in a reader's language: the CLI's --json,
the API's answer and the page's table show the same thing."""

from __future__ import annotations

from typing import Any

from oaflow.domain.text import Text
from oaflow.services.migration import InstanceOutcome, MigrationReport, Outcome

OUTCOMES: dict[Outcome, Text] = {
    Outcome.MIGRATED: Text("已迁移", "migrated"),
    Outcome.WOULD_MIGRATE: Text("可迁移", "would migrate"),
    Outcome.REFUSED: Text("拒绝迁移", "refused"),
}


def report_document(report: MigrationReport, lang: str, tz: str) -> dict[str, Any]:
    """``report`` as JSON-ready values, its problems' texts and hints in ``lang``."""
    return {
        "key": report.key,
        "from": {"version": report.source.version, "label": report.source.label},
        "to": {"version": report.target.version, "label": report.target.label},
        "map": dict(report.mapping),
        "dry_run": report.dry_run,
        "counts": {o.value: report.count(o) for o in Outcome},
        "instances": [_instance(i, lang, tz) for i in report.instances],
    }


def _instance(outcome: InstanceOutcome, lang: str, tz: str) -> dict[str, Any]:
    return {
        "business_key": outcome.business_key,
        "title": outcome.title,
        "outcome": outcome.outcome.value,
        "outcome_label": OUTCOMES[outcome.outcome].get(lang),
        "at_nodes": list(outcome.at_nodes),
        "moves": [{"from": old, "to": new} for old, new in outcome.moves],
        "problems": [
            {"code": p.code, "text": p.text(lang, tz), "hint": p.hint(lang, tz)}
            for p in outcome.problems
        ],
    }


def summary(report: MigrationReport, lang: str) -> str:
    """One line: how many instances were (or would be) migrated and refused."""
    refused = report.count(Outcome.REFUSED)
    if report.dry_run:
        n = report.count(Outcome.WOULD_MIGRATE)
        zh = f"预演：{n} 个实例可迁移，{refused} 个将被拒绝；未做任何修改"
        en = f"dry run: {n} instance(s) would migrate, {refused} would be refused; nothing changed"
    else:
        n = report.count(Outcome.MIGRATED)
        zh = f"已迁移 {n} 个实例，拒绝 {refused} 个（保持原样）"
        en = f"{n} instance(s) migrated, {refused} refused (left as they were)"
    return Text(zh, en).get(lang)
