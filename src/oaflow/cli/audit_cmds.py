"""`oaflow audit list|verify`: the audit log (SEC-4) — configuration changes, sign-ins and
refused requests — and the check of every hash chain (auditors and administrators)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    console,
    local,
    print_json,
    print_rows,
    run_as,
    zh,
)
from oaflow.domain.audit_chain import Finding, utc_iso
from oaflow.domain.clock import parse_instant
from oaflow.domain.security import Principal
from oaflow.services import audit
from oaflow.services.app import App
from oaflow.services.audit import AuditEntry, Verification

group = typer.Typer(
    help="The audit log: configuration changes, sign-ins, refused requests; verify the chains.",
    no_args_is_help=True,
)

SHORT = 24  # characters of a detail's value in the table
DAMAGE = {
    "edited": ("被修改", "edited"),
    "deleted": ("被删除", "deleted"),
    "inserted": ("被插入", "inserted"),
}


@group.command("list")
def list_(
    as_: AsOpt,
    since: Annotated[
        str | None, typer.Option("--since", help="Only entries at or after this ISO-8601 instant.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 100,
    json_: JsonOpt = False,
) -> None:
    """The newest entries of the audit log, newest first (times in UTC with --json)."""

    def body(app: App, who: Principal) -> None:
        start = parse_instant(since, app.calendar.tz) if since else None
        found = audit.entries(app, who, start, limit)
        print_rows(
            json_,
            [_entry_json(app, e) for e in found],
            zh("审计日志", "Audit log"),
            [
                "#",
                zh("时间", "time"),
                zh("操作人", "actor"),
                zh("操作", "action"),
                zh("对象", "target"),
                zh("来源", "from"),
                zh("详情", "detail"),
            ],
            [
                [e.seq, local(app, e.at), e.actor, e.action, e.target, e.address, _detail(e)]
                for e in found
            ],
        )

    run_as(as_, body)


def _entry_json(app: App, entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": utc_iso(entry.at),
        "at_local": local(app, entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "address": entry.address,
        "detail": dict(entry.detail),
    }


def _detail(entry: AuditEntry) -> str:
    """The detail in short, ``name=value`` (long values cut: --json has them whole)."""
    return ", ".join(f"{name}={_short(value)}" for name, value in entry.detail.items())


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


@group.command("verify")
def verify(as_: AsOpt, json_: JsonOpt = False) -> None:
    """Check every hash chain (each instance's history, the audit log): name each edited,
    deleted or inserted entry and exit 1, or say what is intact and exit 0."""

    def body(app: App, who: Principal) -> None:
        found = audit.verify(app, who)
        if json_:
            print_json(_verification_json(found))
        else:
            for finding in found.findings:
                console.print(finding_text(finding), markup=False)
            console.print(_summary(found), markup=False)
        if not found.intact:
            raise typer.Exit(1)

    run_as(as_, body)


def finding_text(finding: Finding) -> str:
    """``history of TS202403001 seq 5: edited``, ``audit seq 12: deleted``."""
    damage = zh(*DAMAGE[finding.damage])
    if finding.chain == "history":
        return zh(
            f"实例 {finding.key} 的历史第 {finding.seq} 条：{damage}",
            f"history of {finding.key} seq {finding.seq}: {damage}",
        )
    if finding.seq == 0:
        return zh(f"审计日志的链头：{damage}", f"audit head: {damage}")
    return zh(f"审计日志第 {finding.seq} 条：{damage}", f"audit seq {finding.seq}: {damage}")


def _summary(found: Verification) -> str:
    instances, events, entries = found.instances, found.history_entries, found.audit_entries
    checked = zh(
        f"{instances} 个实例的 {events} 条历史、{entries} 条审计日志",
        f"{instances} instance(s) with {events} history entries, {entries} audit entries",
    )
    if found.intact:
        return zh(f"完好：{checked}，哈希链均未被改动", f"intact: {checked}")
    broken = len(found.findings)
    return zh(
        f"发现 {broken} 处被改动（已检查{checked}）", f"{broken} broken place(s) in {checked}"
    )


def _verification_json(found: Verification) -> dict[str, Any]:
    return {
        "intact": found.intact,
        "instances": found.instances,
        "history_entries": found.history_entries,
        "audit_entries": found.audit_entries,
        "findings": [
            {
                "chain": f.chain,
                "key": f.key,
                "seq": f.seq,
                "damage": f.damage,
                "text": finding_text(f),
            }
            for f in found.findings
        ],
    }
