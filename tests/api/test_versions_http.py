"""Versions over HTTP (VER-1..3): publishing a major or minor version with a change note,
a version with what changed in it, the diff of two versions by reference, and the clear
404 and 422 answers for references and notes that do not fit."""

from __future__ import annotations

from oaflow.processes import builtin_source

from .conftest import Server


def test_publish_versions_one_version_and_a_diff(api: Server) -> None:
    admin = api.signed_in("admin")
    text, file = builtin_source("new-product-launch")
    faster = text.replace(
        "time_limit: {hours: 72, basis: calendar}", "time_limit: {hours: 48, basis: calendar}"
    )
    body = {"source": faster, "file": file, "note": "研发方案时限缩短"}
    published = admin.post("/api/processes", json=body)
    assert published.status_code == 201, published.text
    assert published.json()["label"].startswith("V1.1-")
    assert "rnd.head" in published.json()["notified"]
    major = admin.post("/api/processes", json={"source": text, "file": file, "major": True})
    assert major.json()["label"].startswith("V2.0-") and major.json()["version"] == 3

    reader = api.signed_in("csd.staff")  # every role reads definitions
    versions = reader.get("/api/processes/new-product-launch/versions").json()
    assert [(v["major"], v["minor"], v["note"]) for v in versions] == [
        (2, 0, ""),
        (1, 1, "研发方案时限缩短"),
        (1, 0, ""),
    ]
    one = reader.get("/api/processes/new-product-launch/versions/V1.1").json()
    assert one["version"] == 2 and one["previous"]["label"].startswith("V1.0-")
    assert [c["zh"] for c in one["changes"]] == ["节点「研发方案输出」时限 72 → 48 小时"]
    assert one["page"] == "/knowledge/new-product-launch/versions/2"
    first = reader.get("/api/processes/new-product-launch/versions/1").json()
    assert first["previous"] is None and first["changes"] == []

    diff = reader.get(
        "/api/processes/new-product-launch/diff", params={"from": "3", "to": "V1.1"}
    ).json()
    assert (diff["old"]["version"], diff["new"]["version"]) == (3, 2)
    (change,) = diff["changes"]
    assert change == {
        "area": "node",
        "kind": "changed",
        "subject": "n003",
        "zh": "节点「研发方案输出」时限 72 → 48 小时",
        "en": 'Node "R&D plan" time limit: 72 → 48 h',
    }


def test_bad_references_and_notes_are_refused_clearly(api: Server) -> None:
    admin = api.signed_in("admin")
    missing = admin.get("/api/processes/new-product-launch/versions/V7.0")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["code"] == "process.version_unknown"
    nowhere = admin.get("/api/processes/nope/diff", params={"from": "1", "to": "2"})
    assert nowhere.status_code == 404 and nowhere.json()["code"] == "process.not_published"
    assert admin.get("/api/processes/new-product-launch/diff").status_code == 422
    text, file = builtin_source("new-product-launch")
    long_note = admin.post(
        "/api/processes", json={"source": text, "file": file, "note": "x" * 2001}
    )
    assert long_note.status_code == 422
    versions = admin.get("/api/processes/new-product-launch/versions").json()
    assert len(versions) == 1  # nothing was published
