"""The API's object-level authorisation (BOLA) matrix, through HTTP on a real server.

Real data is made through the API first: instances of the four built-in processes started
by people of several departments and moved on (acknowledged, approved, transferred, copied,
urged, commented), exceptions, deputies, API tokens, a channel, a template, a policy. Then
people of several departments and every role (member, head, supervising leader, general
manager, administrator, auditor; one of them through a bearer token instead of a session)
call every operation of the live OpenAPI description that takes an id, with every id that
is *foreign* to them, and every list operation.

"Foreign" is computed here, from the database rows and the rules as the documentation
states them (domain/security.py, docs/cli.md "Who acts"), never by asking the API: a
person sees an instance they took part in — started it, hold or held one of its tasks (as
assignee, candidate, the one who finished it, or the one a deputy holds it for), or got one
of its messages in their inbox — and, as a head or supervising leader, every instance that
touched (started in, or had a task in) a department they head or supervise or one below it;
the general manager, administrators and auditors see every instance.

What a foreign id must get, per kind of path parameter (``RULES``), decided from the
OpenAPI responses (every operation documents 403 "not allowed (… permission)" and the ones
taking an id 404 "not found, or outside the caller's scope") and the service layer's rules:

- a task, instance or deliverable file outside one's scope: 404, answered exactly like an
  id that does not exist (same status, code and wording), so nobody learns that it exists;
- someone else's API token: 404 like a missing one — except for auditors, who may list
  every token (GET /api/tokens) and so get 403 when they try to revoke one (only
  administrators revoke others' tokens);
- another user's password, deputy or notification preferences: 403 (administrators only);
  users are not secret (GET /api/users is everybody's directory), so 403 leaks nothing (the
  logins tried are the other callers': people of every role and several departments);
- configuration — channels, templates, per-process access, policies, calendar days: 403
  for every existing name to everyone without the role (administrators change it; auditors
  and administrators read templates and per-process access);
- process definitions (show, versions, diagram) are readable by every role holding
  ``view`` (all roles by default): no id is foreign there.

A new operation with a path parameter is covered automatically when its parameter is a
task id, a business key or a file id (the scope rules above apply); any other must be given
a rule in ``RULES``, else the test fails naming the operation. Ids in request bodies and
every list (each GET without a path parameter, with its filters) are checked too; and the
database's tables are the same after all the calls as before.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import product
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select

from oaflow.services import survey_sweep
from oaflow.storage import tables

from .conftest import Server

SEE_ALL = frozenset({"general_manager", "administrator", "auditor"})
#: who calls, and how: a cookie session (with CSRF) or a bearer token
CALLERS: tuple[tuple[str, str], ...] = (
    ("csd.staff", "session"),  # member
    ("fin.staff", "session"),  # member
    ("prd.staff", "session"),  # member who took part in nothing
    ("csd.head", "session"),  # head
    ("fin.head", "session"),  # head
    ("rnd.head", "token"),  # head, through an API token
    ("vp.market", "session"),  # supervising leader: mkt, sal, csd, svc
    ("vp.admin", "session"),  # supervising leader: leg, cmp, fin
    ("gm", "session"),  # general manager
    ("admin", "session"),  # administrator
    ("auditor", "session"),  # auditor
)
#: everyone who acts while the data is made
ACTORS = (
    "csd.head",
    "csd.staff",
    "fin.head",
    "fin.staff",
    "itd.head",
    "leg.head",
    "mkt.head",
    "sal.head",
    "rnd.head",
    "prd.head",
    "leg.staff",
    "svc.head",
    "admin",
)
NOWHERE_TASK = 987_654_321
NOWHERE_KEY = "TS209912999"
NOWHERE_TOKEN = 987_654_321
NOWHERE_FILE = 987_654_321
NOWHERE_MEETING = "MTG209912999"
NOWHERE_EXCEPTION = "ABN20991299"
NOWHERE_ARCHIVE = "投诉归档-2099-不存在"


# -- the data, made through the API ---------------------------------------------------------
def canary(tag: str) -> str:
    """A string that appears only in the data of one object."""
    return f"bola-canary-{tag}"


def local(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M")


def ok(answer: httpx.Response, expected: int = 200) -> Any:
    assert answer.status_code == expected, f"{answer.request.url}: {answer.text}"
    return answer.json() if answer.content else None


class People:
    """Signed-in clients of the people who make the data, by login."""

    def __init__(self, api: Server) -> None:
        self.api = api
        self.sessions = {login: api.signed_in(login) for login in ACTORS}

    def __getitem__(self, login: str) -> Any:
        return self.sessions[login]

    def task(self, login: str, business_key: str, node: str) -> int:
        """``login``'s open task at ``node`` of ``business_key`` (from their inbox)."""
        inbox = ok(self[login].get("/api/tasks", params={"limit": 500}))["items"]
        found = [
            t["id"] for t in inbox if t["business_key"] == business_key and t["node"]["id"] == node
        ]
        assert found, f"{login} has no task at {node} of {business_key}: {inbox}"
        return int(found[0])

    def decide(self, login: str, business_key: str, node: str) -> None:
        task_id = self.task(login, business_key, node)
        ok(self[login].post(f"/api/tasks/{task_id}/ack"))
        ok(self[login].post(f"/api/tasks/{task_id}/approve", json={"note": canary(node)}))


#: the complaints' phone numbers by title (the database keeps them sealed)
PHONES = {canary(f"complaint-{n}-title"): f"1390000{n:04d}" for n in range(1, 5)}


def complaint(n: int, kind: str) -> dict[str, Any]:
    title = canary(f"complaint-{n}-title")
    return {
        "title": title,
        "customer": canary(f"complaint-{n}-customer"),
        "phone": PHONES[title],
        "complaint_type": kind,
        "description": canary(f"complaint-{n}-description"),
    }


def populate(api: Server) -> People:
    """Instances, tasks, messages, exceptions, deputies, tokens and configuration
    belonging to several departments, made through the API."""
    people = People(api)
    now = datetime.now()
    period = {"starts": local(now - timedelta(hours=1)), "ends": local(now + timedelta(days=30))}
    # deputies: one's own, and one an administrator names
    ok(people["itd.head"].put("/api/users/itd.head/deputy", json={"deputy": "itd.staff", **period}))
    ok(people["admin"].put("/api/users/svc.head/deputy", json={"deputy": "svc.staff", **period}))

    def start(login: str, process: str, form: dict[str, Any]) -> str:
        made = ok(
            people[login].post("/api/instances", json={"process": process, "form": form}), 201
        )
        return str(made["summary"]["business_key"])

    c1 = start("csd.head", "customer-complaint", complaint(1, "quality"))  # → prd
    start("csd.staff", "customer-complaint", complaint(2, "logistics"))  # stays in csd
    c3 = start("csd.head", "customer-complaint", complaint(3, "service"))  # → svc's deputy
    b1 = start(
        "fin.head",
        "annual-budget",
        {
            "title": canary("budget-title"),
            "fiscal_year": 2031,
            "departments": ["fin", "itd"],
            "total_cap": 3_000_000,
            "remarks": canary("budget-remarks"),
        },
    )
    p1 = start(
        "mkt.head",
        "new-product-launch",
        {
            "title": canary("launch-title"),
            "product_name": canary("launch-product"),
            "collaborating_departments": ["sal", "rnd"],
        },
    )
    m1 = start(
        "leg.staff",
        "project-milestones",
        {
            "title": canary("milestones-title"),
            "project_lead": "leg.head",
            "m1_date": local(now + timedelta(days=60)),
            "m1_department": "leg",
            "m2_date": local(now + timedelta(days=90)),
            "m2_department": "cmp",
            "m3_date": local(now + timedelta(days=120)),
            "m3_department": "leg",
        },
    )
    # the complaints move on: C1 to production, C3 to the service desk (its head's deputy)
    people.decide("csd.head", c1, "triage")
    people.decide("csd.head", c3, "triage")
    handle = people.task("prd.head", c1, "handle")
    ok(people["prd.head"].post(f"/api/tasks/{handle}/ack"))
    progress = {"percent": 40, "note": canary("c1-progress")}
    ok(people["prd.head"].post(f"/api/tasks/{handle}/progress", json=progress))
    ok(people["csd.head"].post(f"/api/tasks/{handle}/comment", json={"note": canary("c1-comment")}))
    ok(people["csd.head"].post(f"/api/tasks/{handle}/urge", json={"note": canary("c1-urge")}))
    copy = {"to": ["fin.staff"], "note": canary("c1-copy")}  # fin.staff takes part by a copy
    ok(people["csd.head"].post(f"/api/tasks/{handle}/copy", json=copy))
    # the budget: finance hands its part to a colleague, IT's deputy holds IT's part
    budget = people.task("fin.head", b1, "dept_budgets")
    transfer = {"to": "fin.staff", "note": canary("b1-transfer")}
    ok(people["fin.head"].post(f"/api/tasks/{budget}/transfer", json=transfer))
    # the launch: 市场部 submits the requirement (001 需求提交), sales and R&D confirm, the
    # supervising leader's review comes next
    submit = people.task("mkt.head", p1, "n001")
    ok(people["mkt.head"].post(f"/api/tasks/{submit}/complete", json={}))
    people.decide("sal.head", p1, "confirm_requirements")
    people.decide("rnd.head", p1, "confirm_requirements")
    # deliverables uploaded for open tasks (their names are canaries)
    budget_part = people.task("fin.staff", b1, "dept_budgets")
    milestone = people.task("leg.head", m1, "m1")
    holders = (("prd.head", handle), ("fin.staff", budget_part), ("leg.head", milestone))
    for login, task_id in holders:
        name = f"{canary(f'file-{task_id}')}.txt"
        upload = {"file": (name, b"bola deliverable\n", "text/plain")}
        ok(people[login].post(f"/api/tasks/{task_id}/files", files=upload), 201)
    # a complaint handled to its end: its archive (ARC-1) is in its instance's scope
    c4 = start("csd.head", "customer-complaint", complaint(4, "quality"))
    people.decide("csd.head", c4, "triage")
    outputs = {
        ("prd.head", "handle"): {"cause": canary("c4-cause"), "solution": canary("c4-solution")},
        ("csd.head", "reply"): {"reply": canary("c4-reply")},
    }
    for (login, node), fields in outputs.items():
        if node == "reply":
            people.decide("csd.head", c4, "review")
        task_id = people.task(login, c4, node)
        ok(people[login].post(f"/api/tasks/{task_id}/ack"))
        ok(people[login].post(f"/api/tasks/{task_id}/complete", json={"fields": fields}))
    # its satisfaction surveys (MTR-2), opened by the worker's sweep a minute after its end
    assert survey_sweep.fire_one(api.app, api.app.now() + survey_sweep.SETTLE)
    # exceptions reported by hand
    reporters = (
        ("csd.head", c1, "handle"),
        ("fin.head", b1, "dept_budgets"),
        ("leg.staff", m1, "m1"),
    )
    for login, key, node in reporters:
        report = {"node": node, "description": canary(f"exception-{key}")}
        ok(people[login].post(f"/api/instances/{key}/exceptions", json=report), 201)
    # weekly meetings (MTG-1/2): customer service's and finance's (held now), each with an
    # action item, and their weekly schedules
    due = local(now + timedelta(days=7))
    for head, member, department in (
        ("csd.head", "csd.staff", "csd"),
        ("fin.head", "fin.staff", "fin"),
    ):
        code = ok(people[head].post("/api/meetings", json={"department": department}), 201)["code"]
        schedule = {"department": department, "weekday": "mon", "at": "10:00"}
        ok(people[head].post("/api/meeting-schedules", json=schedule), 201)
        item = {"title": canary(f"action-{department}"), "owner": member, "due": due}
        ok(people[member].post(f"/api/meetings/{code}/actions", json={"items": [item]}), 201)
    # configuration, by the administrator
    channel = {"name": "bola-channel", "kind": "recording", "settings": {}}
    ok(people["admin"].post("/api/channels", json=channel), 201)
    template = {"subject": "bola {{ title }}", "body": "bola {{ title }}"}
    ok(people["admin"].put("/api/templates/urge", params={"locale": "zh"}, json=template))
    ok(people["admin"].put("/api/policies/bola", json={"departments": ["leg"]}))
    return people


def tokens_for_everyone(api: Server, people: People) -> dict[str, str]:
    """An API token of each caller (its name a canary), one an administrator made for the
    auditor; the secrets by login."""
    secrets = {}
    for login, _ in CALLERS:
        http = people.sessions.get(login) or api.signed_in(login)
        body = {"name": canary(f"token-{login}"), "scopes": ["read", "write"]}
        secrets[login] = ok(http.post("/api/tokens", json=body), 201)["token"]
    body = {"name": canary("token-made-for-auditor"), "login": "auditor", "scopes": ["read"]}
    ok(people["admin"].post("/api/tokens", json=body), 201)
    return secrets


# -- what is foreign, from the rows and the documented rules --------------------------------
@dataclass
class Instance:
    id: int
    key: str
    initiator: str
    department: str
    data: dict[str, Any]
    title: str
    people: set[str] = field(default_factory=set)  # who took part
    departments: set[str] = field(default_factory=set)  # departments it touched


@dataclass
class World:
    """The rows the matrix is computed from (read with SQL, not through the services)."""

    users: dict[str, dict[str, Any]]
    departments: dict[str, dict[str, Any]]
    instances: dict[str, Instance]
    tasks: dict[int, dict[str, Any]]  # id → row, with "key" and "candidates"
    inbox: dict[int, dict[str, Any]]  # id → row, with "key"
    tokens: dict[int, dict[str, Any]]
    files: dict[int, dict[str, Any]]  # id → row, with "key"
    processes: list[str]
    channels: list[str]
    policies: list[str]
    events: list[str]
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → row
    items: dict[int, dict[str, Any]] = field(default_factory=dict)  # with "department"
    schedules: dict[int, dict[str, Any]] = field(default_factory=dict)
    exceptions: dict[str, str] = field(default_factory=dict)  # code → business key
    archives: dict[str, str] = field(default_factory=dict)  # name → business key
    surveys: dict[int, str] = field(default_factory=dict)  # id → business key

    def roles(self, login: str) -> set[str]:
        roles = set(self.users[login]["roles"])
        if any(d["head"] == login for d in self.departments.values()):
            roles.add("head")
        if any(d["leader"] == login for d in self.departments.values()):
            roles.add("supervising_leader")
        return roles

    def below(self, codes: Iterable[str]) -> set[str]:
        found: set[str] = set()
        todo = list(codes)
        while todo:
            code = todo.pop()
            if code not in found:
                found.add(code)
                todo += [c for c, d in self.departments.items() if d["parent"] == code]
        return found

    def visible(self, login: str) -> set[str]:
        """The business keys ``login`` may see (the documented data scope)."""
        if self.roles(login) & SEE_ALL:
            return set(self.instances)
        mine = self.below(
            c for c, d in self.departments.items() if login in (d["head"], d["leader"])
        )
        return {
            key for key, i in self.instances.items() if login in i.people or i.departments & mine
        }

    def foreign_keys(self, login: str) -> list[str]:
        return sorted(set(self.instances) - self.visible(login))

    def foreign_tasks(self, login: str) -> list[int]:
        seen = self.visible(login)
        return sorted(i for i, t in self.tasks.items() if t["key"] not in seen)

    def foreign_files(self, login: str) -> list[int]:
        seen = self.visible(login)
        return sorted(i for i, f in self.files.items() if f["key"] not in seen)

    def own_tasks(self, login: str) -> set[int]:
        return {
            i
            for i, t in self.tasks.items()
            if login in (t["assignee"], t["on_behalf_of"]) or login in t["candidates"]
        }

    def meeting_departments(self, login: str) -> set[str] | None:
        """The departments whose meetings ``login`` sees (with the invitations), None: all."""
        if self.roles(login) & SEE_ALL:
            return None
        led = [c for c, d in self.departments.items() if login in (d["head"], d["leader"])]
        return set(self.users[login]["departments"]) | self.below(led)

    def foreign_exceptions(self, login: str) -> list[str]:
        seen = self.visible(login)
        return sorted(code for code, key in self.exceptions.items() if key not in seen)

    def foreign_archives(self, login: str) -> list[str]:
        seen = self.visible(login)
        return sorted(name for name, key in self.archives.items() if key not in seen)

    def foreign_surveys(self, login: str) -> list[int]:
        """Surveys of instances ``login`` does not see (a department's head, who answers for
        it, sees the instances that had tasks there)."""
        seen = self.visible(login)
        return sorted(i for i, key in self.surveys.items() if key not in seen)

    def foreign_meetings(self, login: str) -> list[str]:
        scope = self.meeting_departments(login)
        if scope is None:
            return []
        return sorted(
            code
            for code, m in self.meetings.items()
            if m["department"] not in scope and login not in m["participants"]
        )

    def foreign_items(self, login: str) -> list[int]:
        scope = self.meeting_departments(login)
        if scope is None:
            return []
        return sorted(
            i for i, t in self.items.items() if t["department"] not in scope and t["owner"] != login
        )

    def foreign_schedules(self, login: str) -> list[int]:
        scope = self.meeting_departments(login)
        if scope is None:
            return []
        return sorted(i for i, m in self.schedules.items() if m["department"] not in scope)

    def leaks(self, login: str) -> list[str]:
        """Strings of objects foreign to ``login``: none may appear in an answer to them."""
        found = []
        for key in self.foreign_keys(login):
            i = self.instances[key]
            found += [key, i.title]
            found += [v for v in i.data.values() if isinstance(v, str) and "bola-canary" in v]
            found += [PHONES[i.title]] if i.title in PHONES else []
        found += [self.files[f]["name"] for f in self.foreign_files(login)]
        found += self.foreign_meetings(login)
        found += [self.items[i]["title"] for i in self.foreign_items(login)]
        if not self.roles(login) & {"auditor", "administrator"}:
            found += [t["name"] for t in self.tokens.values() if t["login"] != login]
        return found


def read_world(api: Server) -> World:
    with api.app.db.read() as conn:
        rows = lambda table: [dict(r._mapping) for r in conn.execute(select(table))]  # noqa: E731
        users = {u["login"]: u for u in rows(tables.users)}
        departments = {d["code"]: d for d in rows(tables.departments)}
        instances = {
            r["business_key"]: Instance(
                r["id"], r["business_key"], r["initiator"], r["department"], r["data"], r["title"]
            )
            for r in rows(tables.instances)
        }
        by_id = {i.id: i for i in instances.values()}
        candidates: dict[int, set[str]] = {}
        for c in rows(tables.task_candidates):
            candidates.setdefault(c["task_id"], set()).add(c["login"])
        tasks = {}
        for t in rows(tables.tasks):
            instance = by_id[t["instance_id"]]
            held = candidates.get(t["id"], set()) | set(t["candidates"] or [])
            tasks[t["id"]] = {**t, "key": instance.key, "candidates": held}
            holders = {t["assignee"], t["on_behalf_of"], t["finished_by"]} - {None}
            instance.people |= held | holders
            instance.departments |= {t["department"]} - {None}
        messages = {o["message_id"]: o for o in rows(tables.outbox)}
        inbox = {}
        for n in rows(tables.inbox):
            instance_id = messages[n["message_id"]]["instance_id"]
            key = by_id[instance_id].key if instance_id in by_id else None
            inbox[n["id"]] = {**n, "key": key}
            if key is not None:
                instances[key].people.add(n["login"])
        for i in instances.values():
            i.people.add(i.initiator)
            i.departments.add(i.department)
        tokens = {t["id"]: t for t in rows(tables.api_tokens)}
        files = {f["id"]: {**f, "key": by_id[f["instance_id"]].key} for f in rows(tables.files)}
        processes = sorted({d["key"] for d in rows(tables.definitions)})
        channels = [e["name"] for e in rows(tables.endpoints)]
        setting = tables.settings.c
        stored = select(setting.value).where(setting.name == "compliance_policies")
        policies_text = conn.execute(stored).scalar()
    from oaflow.notify.templates import EVENTS

    policies = sorted(json.loads(policies_text)) if policies_text else ["bola"]
    world = World(
        users,
        departments,
        instances,
        tasks,
        inbox,
        tokens,
        files,
        processes,
        channels,
        policies,
        list(EVENTS),
    )
    with api.app.db.read() as conn:
        rows = lambda table: [dict(r._mapping) for r in conn.execute(select(table))]  # noqa: E731
        meetings = {m["id"]: m for m in rows(tables.meetings)}
        world.meetings = {m["code"]: m for m in meetings.values()}
        world.items = {
            i["id"]: {**i, "department": meetings[i["meeting_id"]]["department"]}
            for i in rows(tables.action_items)
        }
        world.schedules = {s["id"]: s for s in rows(tables.meeting_schedules) if s["active"]}
        keys = {i.id: i.key for i in world.instances.values()}
        world.exceptions = {e["code"]: keys[e["instance_id"]] for e in rows(tables.exceptions)}
        world.archives = {a["name"]: keys[a["instance_id"]] for a in rows(tables.archives)}
        assert world.archives, "no archive: the matrix would not cover its routes"
        world.surveys = {s["id"]: keys[s["instance_id"]] for s in rows(tables.surveys)}
        assert world.surveys, "no survey: the matrix would not cover its routes"
    return world


# -- the operations, from the live OpenAPI description --------------------------------------
@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    params: dict[str, Any]  # path parameter → schema, in order
    query: dict[str, Any]  # query parameter → schema
    body: dict[str, Any] | None  # {"media": …, "schema": …}
    responses: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def operations(spec: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = op.get("parameters", [])
            content = op.get("requestBody", {}).get("content", {})
            media = next(iter(content), None)
            found.append(
                Operation(
                    method.upper(),
                    path,
                    {p["name"]: p.get("schema", {}) for p in parameters if p["in"] == "path"},
                    {p["name"]: p.get("schema", {}) for p in parameters if p["in"] == "query"},
                    {"media": media, "schema": content[media]["schema"]} if media else None,
                    frozenset(op["responses"]),
                )
            )
    return found


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """A schema without its ``$ref``, and the name of the component it referred to."""
    ref = schema.get("$ref")
    if not ref:
        return None, schema
    name = ref.rsplit("/", 1)[1]
    return name, spec["components"]["schemas"][name]


def enum_values(spec: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    _, schema = resolve(spec, schema)
    found = list(schema.get("enum", []))
    if "const" in schema:
        found.append(schema["const"])
    for option in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        found += enum_values(spec, option)
    return found


# -- rules: what a foreign id gets, by kind of path parameter -------------------------------
ADMINISTRATORS = frozenset({"administrator"})
READERS = frozenset({"administrator", "auditor"})  # Permission.AUDIT


@dataclass(frozen=True)
class Rule:
    """``scope``: a task or instance id (404 outside the scope); ``token``: someone else's
    API token; ``own``: another user's login (administrators only: 403); ``config``:
    configuration that only ``may`` roles read or change (403 for the others); ``public``:
    readable by every role, nothing foreign."""

    kind: str
    may: frozenset[str] = frozenset()
    why: str = ""


#: path parameters that identify an object in someone's data scope (covered automatically)
SCOPED = {"task_id": "task", "business_key": "instance", "file_id": "file"}
RULES: dict[tuple[str, str], Rule] = {
    ("DELETE", "/api/tokens/{token_id}"): Rule("token", why="one's own; anyone's for admins"),
    ("PUT", "/api/users/{login}/password"): Rule("own"),
    ("PUT", "/api/users/{login}/deputy"): Rule("own"),
    ("DELETE", "/api/users/{login}/deputy"): Rule("own"),
    ("GET", "/api/users/{login}/preferences"): Rule("own"),
    ("PUT", "/api/users/{login}/preferences"): Rule("own"),
    ("GET", "/api/processes/{key}"): Rule("public", why="definitions: view, every role"),
    ("GET", "/api/processes/{key}/versions"): Rule("public"),
    ("GET", "/api/processes/{key}/versions/{ref}"): Rule("public"),
    ("GET", "/api/processes/{key}/diff"): Rule("public"),
    ("GET", "/api/processes/{key}/diagram"): Rule("public"),
    ("GET", "/api/processes/{key}/access"): Rule("config", READERS),
    ("PUT", "/api/processes/{key}/access/{permission}"): Rule("config", ADMINISTRATORS),
    ("POST", "/api/users/{login}/move-tasks"): Rule("config", ADMINISTRATORS),
    ("PUT", "/api/calendar/days/{day}"): Rule("config", ADMINISTRATORS),
    ("PATCH", "/api/channels/{name}"): Rule("config", ADMINISTRATORS),
    ("DELETE", "/api/channels/{name}"): Rule("config", ADMINISTRATORS),
    ("POST", "/api/channels/{name}/test"): Rule("config", ADMINISTRATORS),
    ("GET", "/api/templates/{event}"): Rule("config", READERS),
    ("GET", "/api/templates/{event}/preview"): Rule("config", READERS),
    ("PUT", "/api/templates/{event}"): Rule("config", ADMINISTRATORS),
    ("DELETE", "/api/templates/{event}"): Rule("config", ADMINISTRATORS),
    ("PUT", "/api/policies/{tag}"): Rule("config", ADMINISTRATORS),
    # meetings: seen by their department's members, heads and leaders and their participants
    ("DELETE", "/api/meeting-schedules/{schedule_id}"): Rule("schedule"),
    ("GET", "/api/meetings/{code}"): Rule("meeting"),
    ("GET", "/api/archives/{name}"): Rule("archive", why="the instance's scope"),
    ("GET", "/api/archives/{name}/zip"): Rule("archive"),
    ("POST", "/api/archives/{name}/verify"): Rule("archive"),
    ("GET", "/api/exceptions/{code}"): Rule("exception"),
    ("POST", "/api/exceptions/{code}/report"): Rule("exception"),
    ("POST", "/api/exceptions/{code}/coordinate"): Rule("exception"),
    ("POST", "/api/exceptions/{code}/resolve"): Rule("exception"),
    ("POST", "/api/exceptions/{code}/verify"): Rule("exception"),
    ("POST", "/api/exceptions/{code}/reopen"): Rule("exception"),
    ("GET", "/api/meetings/{code}/report.xlsx"): Rule("meeting"),
    ("POST", "/api/meetings/{code}/actions"): Rule("meeting"),
    ("POST", "/api/meetings/{code}/no-resolutions"): Rule("meeting"),
    ("POST", "/api/actions/{item_id}/done"): Rule("action", why="one's own; seen: 403"),
    ("GET", "/api/processes/{key}/bpmn"): Rule("public", why="a definition, as its diagram"),
    ("GET", "/api/sheets/{number}/blank"): Rule("public", why="the manual's blank templates"),
    ("GET", "/api/sheets/2/processes/{key}"): Rule("public", why="a definition as Template 2"),
    ("POST", "/api/processes/{key}/migrations"): Rule("config", ADMINISTRATORS),
    ("GET", "/api/services/{service}"): Rule("config", READERS),
    ("PUT", "/api/services/{service}"): Rule("config", ADMINISTRATORS),
    ("DELETE", "/api/services/{service}"): Rule("config", ADMINISTRATORS),
    ("GET", "/api/incidents/{call_id}"): Rule("config", READERS),
    ("POST", "/api/incidents/{call_id}/retry"): Rule("config", ADMINISTRATORS),
    ("POST", "/api/incidents/{call_id}/skip"): Rule("config", ADMINISTRATORS),
    # a ledger's rows are filtered to the caller's departments (tests/api/test_integration_http)
    ("GET", "/api/ledgers/{name}"): Rule("public", why="rows in the caller's scope"),
    ("GET", "/api/ledgers/{name}/export"): Rule("public", why="rows in the caller's scope"),
    ("GET", "/api/surveys/{survey_id}"): Rule("survey", why="the instance's scope"),
    ("POST", "/api/surveys/{survey_id}"): Rule("survey", why="seen, not one's department: 403"),
}


def rule_of(op: Operation) -> Rule | None:
    if (op.method, op.path) in RULES:
        return RULES[(op.method, op.path)]
    if len(op.params) == 1 and next(iter(op.params)) in SCOPED:
        return Rule("scope")
    return None


#: valid request bodies by schema name: a foreign id must be refused for what it is, not
#: for a body that would be refused anyway
def bodies(now: datetime) -> dict[str, Any]:
    return {
        "Note": {"note": "bola"},
        "Progress": {"percent": 10, "note": "bola"},
        "Complete": {"fields": {}, "note": "bola"},
        "Return": {"to": "triage", "note": "bola"},
        "Transfer": {"to": "gm", "note": "bola"},
        "People": {"to": ["gm"], "note": "bola"},
        "AddSigner": {"to": "gm", "position": "after"},
        "Reason": {"reason": "bola"},
        "ExceptionReport": {"node": "triage", "description": "bola"},
        "ExceptionExplanation": {
            "category": "需求变更",
            "cause": "bola",
            "expected": local(now + timedelta(days=2)),
        },
        "ExceptionCoordination": {
            "plan": "bola",
            "handler": "gm",
            "deadline": local(now + timedelta(days=2)),
        },
        "ExceptionResolution": {"note": "bola"},
        "ExceptionVerification": {"result": "bola"},
        "ExceptionReopening": {"reason": "bola"},
        "Password": {"password": "bola-password-1"},
        "Deputy": {"deputy": "gm", "starts": local(now), "ends": local(now + timedelta(days=1))},
        "Preferences": {"locale": "en"},
        "Grant": {"roles": ["member"]},
        "Policy": {"departments": ["leg"]},
        "Template": {"subject": "bola", "body": "bola"},
        "CalendarDay": {"kind": "off", "name": "bola"},
        "ChannelChange": {"enabled": False},
        "MoveTasks": {"to": "gm"},
        "Migration": {"from": 1, "to": 1, "dry_run": True},
        "SurveyAnswer": {"score": 3, "comment": "bola"},
    }


def sample(spec: dict[str, Any], schema: dict[str, Any], known: dict[str, Any]) -> Any:
    """A valid value of ``schema`` (``known`` bodies by schema name first)."""
    name, schema = resolve(spec, schema)
    if name in known:
        return known[name]
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    if options:
        return sample(spec, options[0], known)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: sample(spec, props[k], known) for k in schema.get("required", [])}
    if kind == "array":
        return [sample(spec, schema.get("items", {}), known)] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    return "bola".ljust(schema.get("minLength", 0), "a")


# -- calling ---------------------------------------------------------------------------------
@dataclass
class Caller:
    login: str
    via: str
    http: httpx.Client
    roles: set[str]


def call(caller: Caller, spec: dict[str, Any], op: Operation, values: dict[str, Any]) -> Any:
    path = op.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    kwargs: dict[str, Any] = {}
    if op.body is not None:
        value = sample(spec, op.body["schema"], bodies(datetime.now()))
        if op.body["media"] == "application/json":
            kwargs["json"] = value
        else:  # a form with files
            _, schema = resolve(spec, op.body["schema"])
            props = schema.get("properties", {})
            files = {
                k: ("bola.txt", b"bola", "text/plain")
                for k, v in props.items()
                if v.get("format") == "binary" or "contentMediaType" in v
            }
            kwargs["files"] = files
            kwargs["data"] = {k: v for k, v in value.items() if k not in files}
    return caller.http.request(op.method, path, **kwargs)


def same_answer(a: httpx.Response, b: httpx.Response, a_id: Any, b_id: Any) -> bool:
    """Whether answer ``a`` (to id ``a_id``) is answer ``b`` to an id that does not exist
    (``b_id``, unique in any text) but for the id."""

    return a.status_code == b.status_code and a.text == b.text.replace(str(b_id), str(a_id))


def leaked(answer: httpx.Response, leaks: list[str], sent: Iterable[Any] = ()) -> list[str]:
    body = answer.content.decode("utf-8", "replace")
    sent_texts = {str(s) for s in sent}  # what the caller sent it knows (an archive's name
    # holds its instance's title): an answer naming it shows nothing foreign
    return [
        s
        for s in leaks
        if not any(s in t for t in sent_texts) and re.search(rf"{re.escape(s)}(?![\w-])", body)
    ]


def snapshot(api: Server) -> dict[str, list[tuple[Any, ...]]]:
    """Every business table's rows (not sessions nor sign-in failures, which calls touch)."""
    skip = {"sessions", "sign_in_failures"}
    with api.app.db.read() as conn:
        return {
            t.name: sorted((tuple(map(repr, r)) for r in conn.execute(select(t))), key=str)
            for t in tables.metadata.sorted_tables
            if t.name not in skip and not t.name.startswith("audit")
        }


# -- the cases of one caller and one operation ----------------------------------------------
@dataclass(frozen=True)
class Case:
    values: dict[str, Any]
    expected: int
    nowhere: dict[str, Any] | None = None  # ids that do not exist: the answer must be alike


def config_values(world: World, spec: dict[str, Any], op: Operation, name: str) -> list[Any]:
    """The existing names of a configuration's path parameter (a name that does not exist
    may get 404 before 403: the names of processes, events and days are no secret)."""
    today = datetime.now().date()
    found: dict[str, list[Any]] = {
        "key": world.processes,
        "login": sorted({login for login, _ in CALLERS}),
        "name": world.channels,
        # the templates' events are one fixed catalogue: the one customised, the first, the last
        "event": sorted({"urge", world.events[0], world.events[-1]}),
        "tag": world.policies,
        "day": [today.isoformat(), (today + timedelta(days=400)).isoformat()],
        "service": ["finance.sync_budget", "bola.nowhere"],  # configured by --demo, and not
        "call_id": [1, 999_999],  # incidents: administrators' business, whichever id
    }
    values = found.get(name) or enum_values(spec, op.params[name])
    assert values, f"{op.label}: no values known for the path parameter {name!r}"
    return values


#: what a meeting's path parameter names: the foreign ones of a caller, one that is nowhere
MEETING_KINDS: dict[str, tuple[Any, Any]] = {
    "meeting": (World.foreign_meetings, NOWHERE_MEETING),
    "exception": (World.foreign_exceptions, NOWHERE_EXCEPTION),
    "archive": (World.foreign_archives, NOWHERE_ARCHIVE),
    "action": (World.foreign_items, NOWHERE_TASK),
    "schedule": (World.foreign_schedules, NOWHERE_TASK),
    "survey": (World.foreign_surveys, NOWHERE_TASK),
}


def cases(world: World, spec: dict[str, Any], op: Operation, caller: Caller) -> Iterator[Case]:
    rule = rule_of(op)
    assert rule is not None
    roles = caller.roles
    if rule.kind == "scope":
        (name,) = op.params
        if SCOPED[name] == "task":
            for task_id in world.foreign_tasks(caller.login):
                yield Case({name: task_id}, 404, {name: NOWHERE_TASK})
        elif SCOPED[name] == "file":
            for file_id in world.foreign_files(caller.login):
                yield Case({name: file_id}, 404, {name: NOWHERE_FILE})
        else:
            for key in world.foreign_keys(caller.login):
                yield Case({name: key}, 404, {name: NOWHERE_KEY})
    elif rule.kind in MEETING_KINDS:
        (name,) = op.params
        foreign, nowhere = MEETING_KINDS[rule.kind]
        for value in foreign(world, caller.login):
            yield Case({name: value}, 404, {name: nowhere})
    elif rule.kind == "token" and "administrator" not in roles:
        (name,) = op.params
        others = sorted(i for i, t in world.tokens.items() if t["login"] != caller.login)
        for token_id in others:
            if "auditor" in roles:  # they see every token; revoking is for administrators
                yield Case({name: token_id}, 403)
            else:
                yield Case({name: token_id}, 404, {name: NOWHERE_TOKEN})
    elif rule.kind == "own" and "administrator" not in roles:
        for login in sorted({login for login, _ in CALLERS} - {caller.login}):
            yield Case({"login": login}, 403)
    elif rule.kind == "config" and not roles & rule.may:
        names = list(op.params)
        for combo in product(*(config_values(world, spec, op, n) for n in names)):
            yield Case(dict(zip(names, combo, strict=True)), 403)


def problem_code(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("code"))
    except (ValueError, AttributeError):
        return "?"


# -- the matrix ------------------------------------------------------------------------------
def signed_callers(api: Server, world: World, secrets: dict[str, str]) -> list[Caller]:
    found = []
    for login, via in CALLERS:
        http = api.with_token(secrets[login]) if via == "token" else api.signed_in(login).http
        found.append(Caller(login, via, http, world.roles(login)))
    return found


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    per_operation: Counter[str] = field(default_factory=Counter)
    changes: int = 0
    problems: list[str] = field(default_factory=list)


def try_foreign_ids(
    world: World, spec: dict[str, Any], op: Operation, caller: Caller, tally: Tally
) -> None:
    """Every foreign id of ``caller`` on ``op``: the expected refusal, problem+json, nothing
    of the foreign object, and (404) the very answer an id that does not exist gets."""
    leaks = world.leaks(caller.login)
    nowhere: httpx.Response | None = None
    for case in cases(world, spec, op, caller):
        if str(case.expected) not in op.responses:
            tally.problems.append(f"{op.label}: refuses with {case.expected}, undocumented")
        answer = call(caller, spec, op, case.values)
        tally.statuses[answer.status_code] += 1
        tally.per_operation[op.label] += 1
        tally.changes += op.method != "GET"
        where = f"{caller.login} ({caller.via}) {op.label} {case.values}"
        if answer.status_code != case.expected:
            tally.problems.append(
                f"{where}: {answer.status_code}, not {case.expected}: {answer.text[:300]}"
            )
            continue
        if not answer.headers.get("content-type", "").startswith("application/problem+json"):
            tally.problems.append(f"{where}: not problem+json")
        found = leaked(answer, leaks, case.values.values())
        if found:
            tally.problems.append(f"{where}: the answer shows foreign data {found}")
        if case.nowhere is not None:
            nowhere = nowhere or call(caller, spec, op, case.nowhere)
            (sent,), (missing,) = case.values.values(), case.nowhere.values()
            if not same_answer(answer, nowhere, sent, missing):
                tally.problems.append(
                    f"{where}: answered unlike an id that does not exist: "
                    f"{answer.text[:200]} / {nowhere.text[:200]}"
                )


def test_bola_matrix(api: Server, capsys: pytest.CaptureFixture[str]) -> None:
    people = populate(api)
    secrets = tokens_for_everyone(api, people)
    world = read_world(api)
    callers = signed_callers(api, world, secrets)
    spec = ok(api.client().get("/api/openapi.json"))
    ops = operations(spec)
    with_ids = [op for op in ops if op.params]
    uncovered = [op.label for op in with_ids if rule_of(op) is None]
    assert not uncovered, (
        f"operations with a path parameter the BOLA matrix does not cover: {uncovered}; "
        "give each a Rule in RULES (tests/api/test_bola.py)"
    )
    for caller in callers:  # the data has both sides for every caller who sees a part
        if not caller.roles & SEE_ALL:
            assert world.foreign_keys(caller.login), caller.login
    partly = ("csd.staff", "fin.staff", "csd.head", "fin.head", "rnd.head", "vp.market", "vp.admin")
    assert all(world.visible(login) for login in partly)

    before = snapshot(api)
    tally = Tally()
    for caller in callers:
        for op in with_ids:
            try_foreign_ids(world, spec, op, caller, tally)
    body_calls = body_id_matrix(world, callers, tally.problems)
    after = snapshot(api)
    changed = sorted(name for name in before if before[name] != after.get(name))
    if changed:
        tally.problems.append(f"calls with foreign ids changed the tables {changed}")
    lists = list_matrix(world, spec, ops, callers, tally.problems)

    kinds = {op.label: getattr(rule_of(op), "kind", "") for op in with_ids}
    idle = [
        label
        for label, kind in kinds.items()
        if kind != "public" and not tally.per_operation[label]
    ]
    assert not idle, f"operations no caller tried a foreign id on: {idle}"
    statuses = tally.statuses
    with capsys.disabled():
        print(
            f"\nBOLA: {len(callers)} callers × {len(with_ids)} operations with a path parameter: "
            f"{statuses.total()} foreign-id calls → {statuses[404]} × 404, {statuses[403]} × 403, "
            f"{sum(n for s, n in statuses.items() if 200 <= s < 300)} × 2xx, "
            f"{sum(n for s, n in statuses.items() if s >= 500)} × 5xx "
            f"({tally.changes} of them state-changing; database unchanged: {not changed}); "
            f"{body_calls} calls with foreign ids in the body; "
            f"{lists['calls']} list calls, {lists['rows']} rows, {lists['foreign']} foreign rows"
        )
    problems = list(dict.fromkeys(tally.problems))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def body_id_matrix(world: World, callers: list[Caller], problems: list[str]) -> int:
    """Ids in request bodies: batch approval of foreign tasks is refused like for tasks that
    do not exist; marking others' notifications read changes none; a token for someone
    else, an instance in a department not one's own and re-driving or discarding deliveries
    are refused (403) to those who may not."""
    calls = 0

    def expect(caller: Caller, path: str, body: dict[str, Any], status: int) -> httpx.Response:
        nonlocal calls
        calls += 1
        answer = caller.http.post(path, json=body)
        if answer.status_code != status:
            problems.append(f"{caller.login} POST {path} {body}: {answer.status_code}, not "
                            f"{status}: {answer.text[:300]}")  # fmt: skip
        found = leaked(answer, world.leaks(caller.login))
        if found:
            problems.append(f"{caller.login} POST {path} {body}: shows foreign data {found}")
        return answer

    for caller in callers:
        admin = "administrator" in caller.roles
        missing = expect(caller, "/api/tasks/approve-batch", {"tasks": [NOWHERE_TASK]}, 422)
        for task_id in world.foreign_tasks(caller.login):
            answer = expect(caller, "/api/tasks/approve-batch", {"tasks": [task_id]}, 422)
            if not same_answer(answer, missing, task_id, NOWHERE_TASK):
                problems.append(f"{caller.login} approve-batch [{task_id}] answered unlike a "
                                f"task that does not exist: {answer.text[:300]}")  # fmt: skip
        others = sorted(i for i, n in world.inbox.items() if n["login"] != caller.login)
        for ids in (others, others[:1], others[-1:]):
            answer = expect(caller, "/api/notifications/read", {"ids": ids}, 200)
            if answer.status_code == 200 and answer.json() != {"changed": 0}:
                problems.append(f"{caller.login} marked others' notifications {ids} read")
        if not admin:
            for other, _ in CALLERS:
                if other != caller.login:
                    body = {"name": "bola", "login": other, "scopes": ["read"]}
                    expect(caller, "/api/tokens", body, 403)
            for path in ("/api/deliveries/retry", "/api/deliveries/discard"):
                expect(caller, path, {"ids": [1]}, 403)
        mine = set(world.users[caller.login]["departments"])
        for department in sorted(set(world.departments) - mine)[:3]:
            form = {"title": "bola", "department": department, "project_lead": "gm",
                    "m1_date": "2031-03-01T18:00", "m1_department": "leg",
                    "m2_date": "2031-04-01T18:00", "m2_department": "leg",
                    "m3_date": "2031-05-01T18:00", "m3_department": "leg"}  # fmt: skip
            body = {"process": "project-milestones", "form": form}
            expect(caller, "/api/instances", body, 403)
    return calls


#: lists only auditors and administrators read (Permission.AUDIT): 403 for everyone else
AUDIT_LISTS = frozenset(
    {"/api/outbox", "/api/deliveries", "/api/channels", "/api/templates", "/api/policies",
     "/api/organisation", "/api/services", "/api/incidents"}
)  # fmt: skip


def query_variants(
    world: World, spec: dict[str, Any], op: Operation, caller: Caller
) -> list[dict[str, Any]]:
    """The list without filters, then narrowed by every filter towards foreign data (for
    those who see every instance, the list without filters)."""
    base: dict[str, Any] = {}
    if "limit" in op.query:
        base["limit"] = op.query["limit"].get("maximum", 500)
    if "month" in op.query:  # the cause analysis: this month's exceptions (populate's)
        base["month"] = datetime.now().strftime("%Y-%m")
    if "period" in op.query:  # the review report: this month's
        base["period"] = datetime.now().strftime("%Y-%m")
    variants = [base]
    foreign = [world.instances[k] for k in world.foreign_keys(caller.login)]
    if not foreign:
        return variants
    for name, schema in op.query.items():
        values: list[Any] = enum_values(spec, schema)
        if name == "department":
            values = sorted(world.departments)
        elif name == "initiator":
            values = sorted({i.initiator for i in world.instances.values()})
        elif name == "process":
            values = world.processes
        elif name == "q":
            values = [i.title for i in foreign] or ["bola"]
        elif name == "to":
            values = [login for login, _ in CALLERS]
        elif name in ("unread", "overdue"):
            values = [True]
        variants += [{**base, name: v} for v in values]
    return variants


def list_rows(path: str, body: Any) -> list[dict[str, Any]] | None:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    return body if isinstance(body, list) else None


def foreign_row(world: World, caller: Caller, path: str, row: dict[str, Any]) -> bool:
    """Whether a row of list ``path`` is not the caller's to see (the documented rules)."""
    login, visible = caller.login, world.visible(caller.login)
    reader = bool(caller.roles & READERS)
    key = row.get("business_key")
    if path == "/api/tasks":  # one's inbox: the tasks one holds (or one's deputy holds)
        return row["id"] not in world.own_tasks(login) or key not in visible
    if path in ("/api/instances", "/api/exceptions"):
        return key not in visible
    if path == "/api/notifications":
        return world.inbox.get(row["id"], {}).get("login") != login
    if path == "/api/tokens":
        return not reader and row["login"] != login
    if path == "/api/deputies":
        return not reader and login not in (row["user"]["login"], row["deputy"]["login"])
    return isinstance(key, str) and key in world.instances and key not in visible


def list_matrix(
    world: World,
    spec: dict[str, Any],
    ops: list[Operation],
    callers: list[Caller],
    problems: list[str],
) -> Counter[str]:
    """Every list (every GET without a path parameter) for every caller, with its filters:
    no foreign row, nothing of a foreign object anywhere in the answer."""
    counts: Counter[str] = Counter()
    for caller in callers:
        leaks = world.leaks(caller.login)
        reader = bool(caller.roles & READERS)
        for op in (o for o in ops if o.method == "GET" and not o.params):
            for params in query_variants(world, spec, op, caller):
                answer = caller.http.get(op.path, params=params)
                counts["calls"] += 1
                where = f"{caller.login} GET {op.path} {params}"
                wanted = 403 if op.path in AUDIT_LISTS and not reader else 200
                if answer.status_code != wanted:
                    problems.append(f"{where}: {answer.status_code}, not {wanted}")
                    continue
                found = leaked(answer, leaks)
                if found:
                    problems.append(f"{where}: the answer shows foreign data {found}")
                is_json = answer.headers.get("content-type", "").endswith("json")
                rows = list_rows(op.path, answer.json()) if wanted == 200 and is_json else None
                for row in rows or []:
                    counts["rows"] += 1
                    if isinstance(row, dict) and foreign_row(world, caller, op.path, row):
                        counts["foreign"] += 1
                        problems.append(f"{where}: a foreign row {json.dumps(row)[:300]}")
                if op.path == "/api/instances" and params == {"limit": 500}:
                    shown = {r["business_key"] for r in rows or []}
                    if shown != world.visible(caller.login):
                        problems.append(
                            f"{where}: shows {sorted(shown)}, the rules say "
                            f"{sorted(world.visible(caller.login))}"
                        )
    return counts
