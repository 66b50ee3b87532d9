"""The completion forecast over HTTP (GET /api/forecasts): the running instances one may
see with their expected completion, deadline and state; the at_risk filter; an unknown
process answered as problem+json. (The numbers are checked against a crafted history in
tests/contract/test_forecast.py.)"""

from __future__ import annotations

from .conftest import Server
from .test_admin_routes import COMPLAINT


def test_the_forecasts_of_the_running_instances(api: Server) -> None:
    csd = api.signed_in("csd.head")
    started = csd.post("/api/instances", json={"process": "customer-complaint", "form": COMPLAINT})
    assert started.status_code == 201, started.text
    key = started.json()["summary"]["business_key"]

    answer = csd.get("/api/forecasts", params={"process": "customer-complaint"})
    assert answer.status_code == 200, answer.text
    (found,) = [f for f in answer.json() if f["business_key"] == key]
    assert found["state"] == "on_track" and found["current"][0]["id"] == "triage"
    # no history yet: each node's time limit (triage 4, handle 48, review 8, reply 8 h)
    assert [(n["node"]["id"], n["median"] / 3600, n["source"]) for n in found["nodes"]] == [
        ("triage", 4, "limit"),
        ("handle", 48, "limit"),
        ("review", 8, "limit"),
        ("reply", 8, "limit"),
    ]
    # 68 h, less the working time the open triage has already run: the server's clock is
    # the real one, so in working hours (Shanghai) a second or two has passed since the start
    assert 68 * 3600 - 60 < found["remaining_p90"] <= 68 * 3600 and found["deadline"] is not None
    risky = csd.get("/api/forecasts", params={"at_risk": "true"})
    assert risky.status_code == 200 and risky.json() == []
    assert api.signed_in("fin.head").get("/api/forecasts").json() == []  # not theirs

    bad = csd.get("/api/forecasts", params={"process": "nope", "lang": "en"})
    assert bad.status_code == 404 and bad.json()["code"] == "analysis.unknown_process"
