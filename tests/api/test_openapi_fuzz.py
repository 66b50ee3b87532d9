"""schemathesis against the live OpenAPI description of a real server (SEC, QUALITY.md "API
fuzzing"): every operation, signed in as two people — a department head through a cookie
session with its CSRF header, and an administrator through a bearer API token — with a
bounded number of generated requests each:

- valid requests (by the schema), once with every path parameter generated and once with
  the path parameters set to objects that exist (the caller's own task, instance, login …),
  so the requests reach the services and the answers are real bodies, not only 404s;
- invalid requests (against the schema), which must be refused with 4xx.

Every answer must be no server error (5xx), have a status code, content type and body the
description documents; invalid input must get 400/422 (or another documented 4xx), never
500. The run is deterministic (derandomised) so that a failure is reproducible; each
failure is reported with the curl command that reproduces it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from oaflow.services import auth, authz
from oaflow.services.setup import DEMO_PASSWORD

from .conftest import Server

#: generated requests per operation and signed-in person (bounded: the module stays near a
#: minute on two cores); OAFLOW_FUZZ_SCALE=20 fuzzes twenty times as long
SCALE = int(os.environ.get("OAFLOW_FUZZ_SCALE", "1"))
POSITIVE = 3 * SCALE
WITH_REAL_IDS = 4 * SCALE
NEGATIVE = 3 * SCALE
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]
#: what refuses invalid input: schemathesis's list and 413 (a body too large to keep for an
#: Idempotency-Key), but no 5xx
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}


@dataclass
class Person:
    """A signed-in caller whose credentials are made again (through the services, not a
    sign-in request, which the fuzzing may have throttled) when a request ended them
    (sign-out, a password change, a revoked token)."""

    login: str
    via: str  # "session" or "token"
    api: Server
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    renewed: int = 0

    def sign(self) -> None:
        app = self.api.app
        if self.via == "token":
            who = authz.principal(app, self.login)
            secret, _ = auth.create_token(app, who, self.login, "fuzz", ["read", "write"], 1)
            self.headers, self.cookies = {"Authorization": f"Bearer {secret}"}, {}
        else:
            signed = auth.sign_in(app, self.login, DEMO_PASSWORD, "fuzz")
            self.headers = {"X-CSRF-Token": signed.csrf}
            self.cookies = {"oaflow_session": signed.token}

    def renew_if_ended(self, http: requests.Session) -> None:
        me = http.get(
            f"{self.api.url}/api/me", headers=self.headers, cookies=self.cookies, timeout=30
        )
        if me.status_code == 401:
            self.sign()
            self.renewed += 1


def real_ids(api: Server, login: str) -> dict[str, Any]:
    """Path parameter values naming objects that exist and are ``login``'s to see: made
    through the API (an instance started, its first task, a channel, a policy)."""
    admin = api.signed_in("admin")
    head = api.signed_in("csd.head")
    form = {
        "title": "fuzz",
        "customer": "fuzz",
        "phone": "13900000000",
        "complaint_type": "quality",
        "description": "fuzz",
    }
    started = head.post("/api/instances", json={"process": "customer-complaint", "form": form})
    assert started.status_code == 201, started.text
    key = started.json()["summary"]["business_key"]
    task_id = started.json()["progress"][0]["task_id"]
    channel = {"name": "fuzz-channel", "kind": "recording", "settings": {}}
    assert admin.post("/api/channels", json=channel).status_code == 201
    assert admin.put("/api/policies/fuzz", json={"departments": ["leg"]}).status_code == 200
    return {
        "task_id": task_id,
        "business_key": key,
        "key": "customer-complaint",
        "login": login,
        "name": "fuzz-channel",
        "event": "urge",
        "tag": "fuzz",
        "permission": "view",
    }


#: operations whose path parameters are never set to one's own objects: changing one's own
#: password would end the caller's sign-in for good
RANDOM_IDS_ONLY = frozenset({"PUT /api/users/{login}/password"})


@dataclass
class Run:
    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def fuzz(
    operation: Any,
    person: Person,
    http: requests.Session,
    run: Run,
    mode: GenerationMode,
    examples: int,
    path_parameters: dict[str, Any] | None = None,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
    checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the budget is bounded
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(case=strategy)
    def probe(case: Any) -> None:
        response = case.call(
            base_url=person.api.url, session=http, headers=person.headers, cookies=person.cookies
        )
        run.calls[f"{person.login} {operation.label}"] += 1
        run.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks)
        except (AssertionError, BaseExceptionGroup) as failure:  # every failing operation
            run.failures.append(
                f"{person.login} ({person.via}, {mode.value}) {operation.label}: "
                f"{type(failure).__name__}: {str(failure)[:1500]}\n"
                f"  reproduce: {case.as_curl_command(headers=person.headers)}"
            )

    try:
        probe()
    except Unsatisfiable:  # nothing of the operation can be invalid (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE, operation.label
        run.calls["nothing to make invalid"] += 0


def test_openapi_fuzz(api: Server, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    people = [Person("csd.head", "session", api), Person("admin", "token", api)]
    ids = {p.login: real_ids(api, p.login) for p in people[:1]}
    ids["admin"] = {**ids["csd.head"], "login": "admin"}
    for person in people:
        person.sign()
    schema = schemathesis.openapi.from_url(
        f"{api.url}/api/openapi.json", config=schemathesis.Config.from_dict(CONFIG)
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    run = Run()
    with requests.Session() as http:
        for operation in operations:
            for person in people:
                passes: list[tuple[GenerationMode, int, dict[str, Any] | None]] = [
                    (GenerationMode.POSITIVE, POSITIVE, None),
                    (GenerationMode.NEGATIVE, NEGATIVE, None),
                ]
                names = [p.name for p in operation.path_parameters]
                known = {n: ids[person.login][n] for n in names if n in ids[person.login]}
                if names and len(known) == len(names) and operation.label not in RANDOM_IDS_ONLY:
                    passes.append((GenerationMode.POSITIVE, WITH_REAL_IDS, known))
                for mode, examples, path_parameters in passes:
                    fuzz(operation, person, http, run, mode, examples, path_parameters)
                    person.renew_if_ended(http)
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} operations × {len(people)} people, "
            f"{sum(run.calls.values())} requests in {seconds:.0f} s: "
            f"{dict(sorted(run.statuses.items()))}; credentials renewed "
            f"{sum(p.renewed for p in people)} times; {len(run.failures)} failures"
        )
    assert sum(run.statuses[s] for s in run.statuses if 200 <= s < 300) > len(operations)
    assert not run.failures, "\n\n".join(run.failures[:30])
