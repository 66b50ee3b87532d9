"""Nodes: YAML mappings -> ``Node`` (shape only; meaning is checked in ``validate``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from oaflow.domain import places
from oaflow.domain.definition import Node, NodeType, Route
from oaflow.domain.errors import fault
from oaflow.domain.expressions import compile_expression
from oaflow.domain.loader_ledger import parse_ledger
from oaflow.domain.loader_parts import (
    PICKS,
    compile_in,
    parse_assignment,
    parse_outputs,
    parse_planned,
    parse_recipients,
    parse_time_limit,
    parse_trigger,
)
from oaflow.domain.loader_sla import parse_sla
from oaflow.domain.places import Place
from oaflow.domain.text import Text
from oaflow.domain.wording import closest
from oaflow.domain.yaml_lines import LineList, LineMap, Reader, show

NODE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NODE_TYPES = tuple(t.value for t in NodeType)
_TASK_KEYS = (
    "assignee",
    "time_limit",
    "trigger",
    "planned",
    "inputs",
    "outputs",
    "sla",
    "on_empty",
    "next",
)
_DECISION_KEYS = ("on_reject", "mode", "pass_ratio", "if_initiator", "dedupe")
#: the keys each node type takes besides id, type and name
TYPE_KEYS: dict[NodeType, tuple[str, ...]] = {
    NodeType.INITIATE: ("next", "inputs"),
    NodeType.APPROVAL: (*_TASK_KEYS, *_DECISION_KEYS),
    NodeType.CONFIRM: (*_TASK_KEYS, *_DECISION_KEYS),
    NodeType.HANDLE: _TASK_KEYS,
    NodeType.FEEDBACK: _TASK_KEYS,
    NodeType.MILESTONE: _TASK_KEYS,
    NodeType.MULTI_INSTANCE: (
        *[k for k in _TASK_KEYS if k != "assignee"],
        "on_reject",
        "over",
        "pick",
        "task",
    ),
    NodeType.EXCLUSIVE: ("routes", "default", "decision"),
    NodeType.PARALLEL: ("next",),
    NodeType.JOIN: ("next",),
    NodeType.SERVICE: ("next", "service", "send", "ledger"),
    NodeType.NOTIFY: ("next", "notify"),
    NodeType.ARCHIVE: ("next", "archive_name"),
    NodeType.END: (),
}
_ALL_KEYS = frozenset(key for keys in TYPE_KEYS.values() for key in keys)
_TASK_KINDS = ("handle", "confirm", "approval")


_NEVER = compile_expression("false")  # stands in for a condition that did not compile


class NodeReader:
    """Reads the node list; remembers which nodes were dropped or only partly read."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        self.dropped: set[str] = set()  # ids of nodes left out
        self.tainted: set[tuple[str, str]] = set()  # (node id, key) of every bad part
        self.links_broken = False  # a node or one of its links could not be read

    def nodes(self, value: object, line: int | None) -> dict[str, Node]:
        if not isinstance(value, LineList) or not value:
            self.r.add("definition.nodes.not_list", line, value=show(value))
            self.links_broken = True
            return {}
        nodes: dict[str, Node] = {}
        for index, raw in enumerate(value):
            node = self.node(raw, value.line_of(index))
            if node is not None:
                self._add(nodes, node)
        return nodes

    def _add(self, nodes: dict[str, Node], node: Node) -> None:
        if node.id in nodes:
            first = nodes[node.id].line
            self.r.add("definition.node.id_twice", node.line, node=node.id, first=first)
            return
        nodes[node.id] = node

    def node(self, raw: object, line: int | None) -> Node | None:
        example = "`- {id: step, type: handle, name: {zh: 步骤, en: Step}}`"
        m = self.r.mapping(raw, places.A_NODE, line, example)
        if m is None:
            self.links_broken = True
            return None
        node_id, node_type = self._id(m), self._type(m)
        if node_id is None or node_type is None:
            self.links_broken = True
            if node_id is not None:
                self.dropped.add(node_id)
            return None
        return self._build(m, node_id, node_type)

    def _id(self, m: LineMap) -> str | None:
        if "id" not in m:
            self.r.add("definition.node.no_id", m.line)
            return None
        value = m["id"]
        if isinstance(value, str) and NODE_ID.match(value):
            return value
        self.r.add("definition.node.bad_id", m.line_of("id"), value=show(value))
        return None

    def _type(self, m: LineMap) -> NodeType | None:
        if "type" not in m:
            self.r.add("definition.node.no_type", m.line, types=", ".join(NODE_TYPES))
            return None
        value = m["type"]
        if isinstance(value, str) and value in NODE_TYPES:
            return NodeType(value)
        types = ", ".join(NODE_TYPES)
        close = closest(value, NODE_TYPES) if isinstance(value, str) else None
        advice = (
            fault("definition.hint.type_close", word=close, types=types)
            if close
            else fault("definition.hint.use_type", types=types)
        )
        self.r.add(
            "definition.node.unknown_type", m.line_of("type"), value=show(value), advice=advice
        )
        return None

    def _build(self, m: LineMap, node_id: str, node_type: NodeType) -> Node:
        what = places.node(node_id)
        self._check_keys(m, what, node_type)
        name = self.r.text(m, "name", what) if "name" in m else None
        parts: dict[str, Any] = {}
        for key, read in _PARTS.items():
            if key in m and key in TYPE_KEYS[node_type]:
                count = len(self.r.problems)
                parts.update(read(self, m, what))
                if len(self.r.problems) > count:
                    self.tainted.add((node_id, key))
        if "default" in parts:
            parts["routes"] = (*parts.get("routes", ()), parts.pop("default"))
        return Node(id=node_id, type=node_type, name=name or Text(node_id), line=m.line, **parts)

    def _check_keys(self, m: LineMap, what: Place, node_type: NodeType) -> None:
        allowed = ("id", "type", "name", *TYPE_KEYS[node_type])
        misplaced = [k for k in m if k in _ALL_KEYS and k not in allowed]
        for key in misplaced:
            takes = [f"`{k}`" for k in TYPE_KEYS[node_type]] or fault("definition.hint.no_keys")
            self.r.add(
                "definition.node.key_not_for_type",
                m.line_of(key),
                key=key,
                what=what,
                type=node_type.value,
                takes=takes,
            )
        plain = LineMap()
        plain.line = m.line
        for key in m:
            if key not in misplaced:
                plain[key] = m[key]
                plain.key_lines[key] = m.key_lines[key]
        self.r.keys(plain, what, allowed, ("name",))

    # --- the parts; each returns the Node keyword arguments it read ---------------------

    def _next(self, m: LineMap, what: Place) -> dict[str, Any]:
        value = m["next"]
        targets = [value] if isinstance(value, str) else value
        if isinstance(targets, list) and targets and all(isinstance(t, str) for t in targets):
            return {"next": tuple(targets)}
        self.links_broken = True
        self.r.add(
            "definition.node.bad_next",
            m.line_of("next"),
            what=places.key_of("next", what),
            value=show(value),
        )
        return {}

    def _routes(self, m: LineMap, what: Place) -> dict[str, Any]:
        value = m["routes"]
        if not isinstance(value, LineList) or not value:
            self.links_broken = True
            self.r.add(
                "definition.node.bad_routes",
                m.line_of("routes"),
                what=places.key_of("routes", what),
                value=show(value),
            )
            return {}
        routes = (self._route(item, what, value.line_of(i)) for i, item in enumerate(value))
        return {"routes": tuple(r for r in routes if r is not None)}

    def _route(self, raw: object, what: Place, line: int | None) -> Route | None:
        where = places.route_of(what)
        m = self.r.mapping(raw, where, line, "`{when: 'amount > 1000', to: big_amount}`")
        if m is None or not self.r.keys(m, where, ("when", "to"), ("when", "to")):
            self.links_broken = True
            return None
        to = self.r.string(m, "to", where)
        when = compile_in(self.r, m["when"], places.key_of("when", where), m.line_of("when"))
        if to is None:
            self.links_broken = True
            return None
        # a bad condition is already reported; keep the route so its target is checked too
        return Route(to, when or _NEVER, m.line)

    def _default(self, m: LineMap, what: Place) -> dict[str, Any]:
        to = self.r.string(m, "default", what)
        if to is None:
            self.links_broken = True
            return {}
        return {"default": Route(to, None, m.line_of("default"))}

    def _decision(self, m: LineMap, what: Place) -> dict[str, Any]:
        table = self.r.string(m, "decision", what)
        if table is not None and "routes" in m:
            self.r.add("definition.node.routes_and_decision", m.line_of("decision"), what=what)
        return {"decision": table} if table else {}

    def _assignee(self, m: LineMap, what: Place) -> dict[str, Any]:
        assignee = parse_assignment(
            self.r, m["assignee"], places.assignee_of(what), m.line_of("assignee")
        )
        return {"assignee": assignee} if assignee else {}

    def _time_limit(self, m: LineMap, what: Place) -> dict[str, Any]:
        limit = parse_time_limit(self.r, m["time_limit"], what, m.line_of("time_limit"))
        return {"time_limit": limit} if limit else {}

    def _trigger(self, m: LineMap, what: Place) -> dict[str, Any]:
        return {"trigger": parse_trigger(self.r, m["trigger"], what, m.line_of("trigger"))}

    def _planned(self, m: LineMap, what: Place) -> dict[str, Any]:
        planned = parse_planned(self.r, m, what)
        return {"planned": planned} if planned else {}

    def _inputs(self, m: LineMap, what: Place) -> dict[str, Any]:
        return {"inputs": self.r.strings(m, "inputs", what)}

    def _outputs(self, m: LineMap, what: Place) -> dict[str, Any]:
        return {"outputs": parse_outputs(self.r, m["outputs"], what, m.line_of("outputs"))}

    def _on_reject(self, m: LineMap, what: Place) -> dict[str, Any]:
        target = self.r.string(m, "on_reject", what)
        return {"on_reject": target} if target else {}

    def _over(self, m: LineMap, what: Place) -> dict[str, Any]:
        over = compile_in(self.r, m["over"], places.key_of("over", what), m.line_of("over"))
        return {"over": over} if over else {}

    def _mode(self, m: LineMap, what: Place) -> dict[str, Any]:
        mode = self.r.choice(m, "mode", what, ("all", "any", "sequence", "ratio"))
        return {"mode": mode} if mode else {}

    def _pass_ratio(self, m: LineMap, what: Place) -> dict[str, Any]:
        ratio = self.r.number(m, "pass_ratio", what)
        if ratio is not None and not 0 < ratio <= 1:
            self.r.add(
                "definition.node.bad_pass_ratio",
                m.line_of("pass_ratio"),
                what=places.key_of("pass_ratio", what),
                ratio=f"{ratio:g}",
            )
            return {}
        return {"pass_ratio": ratio} if ratio is not None else {}

    def _pick(self, m: LineMap, what: Place) -> dict[str, Any]:
        pick = self.r.choice(m, "pick", what, PICKS)
        return {"pick": pick} if pick else {}

    def _task(self, m: LineMap, what: Place) -> dict[str, Any]:
        task = self.r.choice(m, "task", what, _TASK_KINDS)
        return {"task": NodeType(task)} if task else {}

    def _service(self, m: LineMap, what: Place) -> dict[str, Any]:
        service = self.r.string(m, "service", what)
        return {"service": service} if service else {}

    def _send(self, m: LineMap, what: Place) -> dict[str, Any]:
        return {"send": self.r.strings(m, "send", what)}

    def _ledger(self, m: LineMap, what: Place) -> dict[str, Any]:
        ledger = parse_ledger(self.r, m["ledger"], what, m.line_of("ledger"))
        return {"ledger": ledger} if ledger else {}

    def _notify(self, m: LineMap, what: Place) -> dict[str, Any]:
        return {"notify": parse_recipients(self.r, m["notify"], what, m.line_of("notify"))}

    def _archive_name(self, m: LineMap, what: Place) -> dict[str, Any]:
        name = self.r.string(m, "archive_name", what)
        return {"archive_name": name} if name else {}


_PARTS: dict[str, Callable[[NodeReader, LineMap, Place], dict[str, Any]]] = {
    "next": NodeReader._next,
    "routes": NodeReader._routes,
    "default": NodeReader._default,
    "decision": NodeReader._decision,
    "assignee": NodeReader._assignee,
    "time_limit": NodeReader._time_limit,
    "trigger": NodeReader._trigger,
    "planned": NodeReader._planned,
    "inputs": NodeReader._inputs,
    "outputs": NodeReader._outputs,
    "on_reject": NodeReader._on_reject,
    "over": NodeReader._over,
    "pick": NodeReader._pick,
    "task": NodeReader._task,
    "service": NodeReader._service,
    "send": NodeReader._send,
    "ledger": NodeReader._ledger,
    "notify": NodeReader._notify,
    "archive_name": NodeReader._archive_name,
    "sla": lambda self, m, what: _sla(self.r, m, what),
    "mode": NodeReader._mode,
    "on_empty": lambda self, m, what: _choice(
        self.r, m, what, "on_empty", ("fail", "pass", "admin")
    ),
    "if_initiator": lambda self, m, what: _choice(
        self.r, m, what, "if_initiator", ("pass", "head")
    ),
    "dedupe": lambda self, m, what: {"dedupe": self.r.flag(m, "dedupe", what)},
    "pass_ratio": NodeReader._pass_ratio,
}


def _choice(
    r: Reader, m: LineMap, what: Place, key: str, choices: tuple[str, ...]
) -> dict[str, Any]:
    value = r.choice(m, key, what, choices)
    return {key: value} if value else {}


def _sla(r: Reader, m: LineMap, what: Place) -> dict[str, Any]:
    sla = parse_sla(r, m["sla"], what, m.line_of("sla"))
    return {"sla": sla} if sla is not None else {}
