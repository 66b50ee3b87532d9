"""The `sla` key of a task node: reminders, warnings and escalation (TIME-2..5)."""

from __future__ import annotations

from typing import Any, cast

from oaflow.domain import places
from oaflow.domain.definition import SLA_ROLES, Escalation, EscalationAction, Sla
from oaflow.domain.errors import Fault, fault
from oaflow.domain.places import Place
from oaflow.domain.yaml_lines import LineList, LineMap, Reader, show

ACK_KEYS = ("remind_after", "remind_again_after", "escalate_after", "escalate_to")
ACTIONS = ("notify", "reassign", "auto_approve", "auto_reject")
EXAMPLE = (
    "`sla: {acknowledge: {remind_after: 24, escalate_after: 48}, warn_at: [0.75], "
    "escalation: [{after: 8, to: [responsible_leader], action: notify}]}`"
)
MAX_HOURS = 8760.0


def recipient_problem(name: str) -> Fault | None:
    """Why ``name`` is not a recipient form, or None."""
    if name in SLA_ROLES or (name.partition(":")[0] in ("user", "field") and name[5:].strip()):
        return None
    return fault("definition.sla.unknown_recipient", name=name, roles=", ".join(SLA_ROLES))


def parse_sla(r: Reader, value: object, what: Place, line: int | None) -> Sla | None:
    where = places.key_of("sla", what)
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


def _acknowledge(r: Reader, value: object, where: Place, line: int | None) -> dict[str, Any]:
    what = places.key_of("acknowledge", where)
    m = r.mapping(value, what, line, "`acknowledge: {remind_after: 24, escalate_after: 48}`")
    if m is None or not r.keys(m, what, ACK_KEYS, ()):
        return {}
    found: dict[str, Any] = {}
    for key in ACK_KEYS[:3]:
        if key in m and (hours := _hours(r, m, key, what)) is not None:
            found[key] = hours
    if "escalate_to" in m:
        found["escalate_to"] = recipient_list(r, m, "escalate_to", what)
    return found


def _hours(r: Reader, m: LineMap, key: str, what: Place) -> float | None:
    hours = r.number(m, key, what)
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        r.add(
            "definition.sla.hours_out_of_range",
            m.line_of(key),
            what=places.key_of(key, what),
            max=f"{MAX_HOURS:.0f}",
            hours=f"{hours:g}",
        )
        return None
    return hours


def recipient_list(r: Reader, m: LineMap, key: str, what: Place) -> tuple[str, ...]:
    """The recipient names under ``key`` (each checked: a known name, ``user:``, ``field:``)."""
    names = r.strings(m, key, what)
    for name in names:
        if (problem := recipient_problem(name)) is not None:
            r.add(
                "definition.sla.bad_recipient",
                m.line_of(key),
                problem=problem,
                what=places.key_of(key, what),
            )
    return names


def _shares(r: Reader, m: LineMap, where: Place) -> tuple[float, ...]:
    value = m["warn_at"]
    ok = isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1 for v in value
    )
    if not ok:
        r.add(
            "definition.sla.bad_warn_at",
            m.line_of("warn_at"),
            what=places.key_of("warn_at", where),
            value=show(value),
        )
        return ()
    return tuple(sorted(float(v) for v in cast(list[float], value)))


def _chain(r: Reader, value: object, where: Place, line: int | None) -> tuple[Escalation, ...]:
    if not isinstance(value, LineList):
        r.add(
            "definition.sla.bad_escalation",
            line,
            what=places.key_of("escalation", where),
            value=show(value),
            example=EXAMPLE,
        )
        return ()
    levels = (_level(r, item, where, value.line_of(i)) for i, item in enumerate(value))
    return tuple(level for level in levels if level is not None)


def _level(r: Reader, raw: object, where: Place, line: int | None) -> Escalation | None:
    what = places.level_of(where)
    m = r.mapping(raw, what, line, "`{after: 8, to: [responsible_leader], action: notify}`")
    if m is None or not r.keys(m, what, ("after", "to", "action"), ("after", "to")):
        return None
    after = _hours(r, m, "after", what)
    to = recipient_list(r, m, "to", what)
    action = r.choice(m, "action", what, ACTIONS) or "notify"
    if after is None or not to:
        return None
    return Escalation(after, to, cast(EscalationAction, action), m.line)


def _check_order(r: Reader, sla: Sla, where: Place, line: int | None) -> None:
    if not sla.remind_after <= sla.remind_again_after <= sla.escalate_after:
        r.add(
            "definition.sla.reminders_after_escalation",
            line,
            what=where,
            remind=f"{sla.remind_after:g}",
            again=f"{sla.remind_again_after:g}",
            escalate=f"{sla.escalate_after:g}",
        )
    afters = [level.after for level in sla.escalation]
    if afters != sorted(afters):
        r.add("definition.sla.levels_out_of_order", line, what=where)


__all__ = ["parse_sla", "recipient_problem"]
