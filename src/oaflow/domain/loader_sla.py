"""The `sla` key of a task node: reminders, warnings and escalation (TIME-2..5)."""

from __future__ import annotations

from typing import Any, cast

from oaflow.domain.definition import SLA_ROLES, Escalation, EscalationAction, Sla
from oaflow.domain.yaml_lines import LineList, LineMap, Reader, show

ACK_KEYS = ("remind_after", "remind_again_after", "escalate_after", "escalate_to")
ACTIONS = ("notify", "reassign", "auto_approve", "auto_reject")
EXAMPLE = (
    "`sla: {acknowledge: {remind_after: 24, escalate_after: 48}, warn_at: [0.75], "
    "escalation: [{after: 8, to: [responsible_leader], action: notify}]}`"
)
MAX_HOURS = 8760.0


def recipient_problem(name: str) -> str | None:
    """Why ``name`` is not a recipient form, or None."""
    if name in SLA_ROLES or (name.partition(":")[0] in ("user", "field") and name[5:].strip()):
        return None
    return f"unknown recipient `{name}`; use {', '.join(SLA_ROLES)}, user:LOGIN or field:NAME"


def parse_sla(r: Reader, value: object, what: str, line: int | None) -> Sla | None:
    where = f"`sla` of {what}"
    m = r.mapping(value, where, line, EXAMPLE)
    keys = ("acknowledge", "warn_at", "escalation", "pause_when_waiting")
    if m is None or not r.keys(m, where, keys, ()):
        return None
    parts: dict[str, Any] = {"line": m.line}
    if "pause_when_waiting" in m:
        parts["pause_when_waiting"] = r.flag(m, "pause_when_waiting", where)
    if "acknowledge" in m:
        parts.update(_acknowledge(r, m["acknowledge"], where, m.line_of("acknowledge")))
    if "warn_at" in m:
        parts["warn_at"] = _shares(r, m, where)
    if "escalation" in m:
        parts["escalation"] = _chain(r, m["escalation"], where, m.line_of("escalation"))
    sla = Sla(**parts)
    _check_order(r, sla, where, m.line)
    return sla


def _acknowledge(r: Reader, value: object, where: str, line: int | None) -> dict[str, Any]:
    what = f"`acknowledge` of {where}"
    m = r.mapping(value, what, line, "`acknowledge: {remind_after: 24, escalate_after: 48}`")
    if m is None or not r.keys(m, what, ACK_KEYS, ()):
        return {}
    found: dict[str, Any] = {}
    for key in ACK_KEYS[:3]:
        if key in m and (hours := _hours(r, m, key, what)) is not None:
            found[key] = hours
    if "escalate_to" in m:
        found["escalate_to"] = _recipients(r, m, "escalate_to", what)
    return found


def _hours(r: Reader, m: LineMap, key: str, what: str) -> float | None:
    hours = r.number(m, key, what)
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        r.add(
            f"`{key}` of {what} must be 0 to {MAX_HOURS:.0f} hours; got {hours:g}",
            "give the hours after dispatch (or after the deadline), e.g. 24",
            m.line_of(key),
        )
        return None
    return hours


def _recipients(r: Reader, m: LineMap, key: str, what: str) -> tuple[str, ...]:
    names = r.strings(m, key, what)
    for name in names:
        if (problem := recipient_problem(name)) is not None:
            r.add(f"{problem} (in `{key}` of {what})", "fix the recipient", m.line_of(key))
    return names


def _shares(r: Reader, m: LineMap, where: str) -> tuple[float, ...]:
    value = m["warn_at"]
    ok = isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1 for v in value
    )
    if not ok:
        r.add(
            f"`warn_at` of {where} must be a list of shares between 0 and 1; got {show(value)}",
            "e.g. `warn_at: [0.5, 0.75]` warns when half and three quarters of the time are used",
            m.line_of("warn_at"),
        )
        return ()
    return tuple(sorted(float(v) for v in cast(list[float], value)))


def _chain(r: Reader, value: object, where: str, line: int | None) -> tuple[Escalation, ...]:
    if not isinstance(value, LineList):
        r.add(
            f"`escalation` of {where} must be a list of levels; got {show(value)}",
            f"write it like {EXAMPLE}",
            line,
        )
        return ()
    levels = (_level(r, item, where, value.line_of(i)) for i, item in enumerate(value))
    return tuple(level for level in levels if level is not None)


def _level(r: Reader, raw: object, where: str, line: int | None) -> Escalation | None:
    what = f"an escalation level of {where}"
    m = r.mapping(raw, what, line, "`{after: 8, to: [responsible_leader], action: notify}`")
    if m is None or not r.keys(m, what, ("after", "to", "action"), ("after", "to")):
        return None
    after = _hours(r, m, "after", what)
    to = _recipients(r, m, "to", what)
    action = r.choice(m, "action", what, ACTIONS) or "notify"
    if after is None or not to:
        return None
    return Escalation(after, to, cast(EscalationAction, action), m.line)


def _check_order(r: Reader, sla: Sla, where: str, line: int | None) -> None:
    if not sla.remind_after <= sla.remind_again_after <= sla.escalate_after:
        r.add(
            f"{where}: reminders must come before the escalation "
            f"({sla.remind_after:g} ≤ {sla.remind_again_after:g} ≤ {sla.escalate_after:g} hours)",
            "order remind_after ≤ remind_again_after ≤ escalate_after",
            line,
        )
    afters = [level.after for level in sla.escalation]
    if afters != sorted(afters):
        r.add(
            f"{where}: escalation levels must be in order of `after`",
            "list the levels from the earliest to the latest",
            line,
        )


__all__ = ["parse_sla", "recipient_problem"]
