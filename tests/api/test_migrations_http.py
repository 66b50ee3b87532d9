"""POST /api/processes/{key}/migrations (VER-4) over HTTP: a dry run, the migration, a
mapping naming no node (problem+json, nothing done) and a caller who is no administrator."""

from __future__ import annotations

from migration_scenario import KEY, prepare

from .conftest import Server

PATH = f"/api/processes/{KEY}/migrations"


def test_a_dry_run_then_the_migration_over_http(api: Server) -> None:
    found = prepare(api.app)
    admin = api.signed_in("admin")
    body = {"from": 1, "to": "V1.1", "map": {"review": "head_review"}, "dry_run": True}
    dry = admin.post(PATH, json=body, params={"lang": "en"})
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["from"]["version"], report["to"]["version"]) == (1, 2)
    assert report["counts"] == {"migrated": 0, "would_migrate": 1, "refused": 2}
    outcomes = {i["business_key"]: i for i in report["instances"]}
    assert outcomes[found.at_review]["moves"] == [{"from": "review", "to": "head_review"}]
    problems = outcomes[found.at_receive]["problems"]
    assert [p["code"] for p in problems] == [
        "migration.task_lands_nowhere",
        "migration.form_problem",
    ]
    assert "receive (Goods received)" in problems[0]["text"] and problems[0]["hint"]

    done = admin.post(PATH, json={**body, "dry_run": False})
    assert done.status_code == 200, done.text
    assert done.json()["counts"] == {"migrated": 1, "would_migrate": 0, "refused": 2}
    assert done.json()["instances"][0]["outcome_label"] == "已迁移"
    shown = admin.get(f"/api/instances/{found.at_review}").json()
    assert shown["timeline"][-1]["kind"] == "migrated"


def test_bad_input_is_a_problem_and_changes_nothing(api: Server) -> None:
    prepare(api.app)
    admin = api.signed_in("admin")
    bad = admin.post(PATH, json={"from": "1", "to": "2", "map": {"reveiw": "head_review"}})
    assert bad.status_code == 422, bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["code"] == "migration.bad_map" and "reveiw" in bad.json()["title"]
    same = admin.post(PATH, json={"from": "2", "to": "V1.1"})
    assert (same.status_code, same.json()["code"]) == (422, "migration.same_version")
    huge = admin.post(PATH, json={"from": "9" * 30, "to": 2})
    assert (huge.status_code, huge.json()["code"]) == (422, "migration.no_such_version")
    unknown = admin.post(PATH, json={"from": 1, "to": 2, "extra": True})
    assert unknown.status_code == 422
    missing = admin.post("/api/processes/nothing/migrations", json={"from": 1, "to": 2})
    assert missing.status_code == 404
    refused = api.signed_in("mkt.head").post(PATH, json={"from": 1, "to": 2, "dry_run": True})
    assert (refused.status_code, refused.json()["code"]) == (403, "access.denied")
    again = admin.post(PATH, json={"from": 1, "to": 2, "dry_run": True}).json()
    assert again["counts"]["would_migrate"] == 0  # no mapping: the renamed node lands nowhere
