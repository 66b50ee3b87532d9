"""Satisfaction surveys through HTTP (MTR-2): the caller's open surveys, answering once, the
answers of one instance — in the instance's scope, errors as problem+json."""

from __future__ import annotations

from tests.contract.test_surveys import complaint_to_its_end

from oaflow.services import survey_sweep, timers

from .conftest import Server


def test_a_head_answers_the_survey_of_a_completed_instance_once(api: Server) -> None:
    key = complaint_to_its_end(api.app)
    timers.fire_due(api.app, api.app.now() + survey_sweep.SETTLE)
    prd = api.signed_in("prd.head")
    [mine] = prd.get("/api/surveys").json()
    assert (mine["business_key"], mine["department"]["code"], mine["score"]) == (key, "prd", None)
    path = f"/api/surveys/{mine['id']}"
    for bad in ({"score": 0}, {"score": 6}, {"score": "5"}, {"score": 4, "comment": "x" * 1001}):
        refused = prd.post(path, json=bad)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert api.signed_in("csd.head").post(path, json={"score": 3}).status_code == 403
    assert api.signed_in("fin.head").post(path, json={"score": 3}).status_code == 404
    assert prd.get(path).json()["score"] is None  # nothing changed

    answered = prd.post(path, json={"score": 5, "comment": "配合顺畅"})
    assert answered.status_code == 200
    assert answered.json()["answered_by"]["login"] == "prd.head"
    again = prd.post(path, json={"score": 1}, headers={"Accept-Language": "en"})
    assert (again.status_code, again.json()["code"]) == (409, "survey.answered")
    assert "already answered by Chen Zhiqiang" in again.json()["title"]
    assert prd.get("/api/surveys").json() == []

    shown = api.signed_in("csd.head").get(f"/api/instances/{key}/surveys").json()
    assert [(s["department"]["code"], s["score"], s["comment"]) for s in shown] == [
        ("csd", None, ""),
        ("prd", 5, "配合顺畅"),
    ]
    assert api.signed_in("fin.head").get(f"/api/instances/{key}/surveys").status_code == 404
    paths = prd.get("/api/openapi.json").json()["paths"]
    assert {"/api/surveys", "/api/surveys/{survey_id}"} <= set(paths)
    assert "/api/instances/{business_key}/surveys" in paths
