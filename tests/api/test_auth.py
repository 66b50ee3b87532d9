"""Sign-in through HTTP (SEC-1): cookie sessions with CSRF protection, API tokens (random,
stored hashed, scoped, expiring, revocable), sign-out, deactivation and password changes
ending access, and throttled failed sign-ins."""

from __future__ import annotations

from datetime import timedelta

import yaml
from sqlalchemy import select, update

from oaflow.storage.tables import api_tokens, sessions

from .conftest import Server

ACCESS = "/api/processes/annual-budget/access"


def test_a_session_cookie_is_httponly_samesite_and_ends_at_sign_out(api: Server) -> None:
    http = api.client()
    signed = http.post("/api/session", json={"login": "mkt.head", "password": "demo"})
    assert signed.status_code == 200
    cookie = signed.headers["set-cookie"]
    assert "oaflow_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/" in cookie
    me = http.get("/api/me").json()
    assert me["person"]["login"] == "mkt.head" and me["departments"][0]["code"] == "mkt"
    with api.app.db.read() as conn:  # only the token's hash is kept
        kept = conn.execute(select(sessions.c.token_hash)).scalars().all()
    assert http.cookies["oaflow_session"] not in kept and len(kept) == 1

    old = http.cookies["oaflow_session"]
    out = http.delete("/api/session", headers={"X-CSRF-Token": signed.json()["csrf"]})
    assert out.status_code == 204
    replayed = api.client(cookies={"oaflow_session": old}).get("/api/me")
    assert replayed.status_code == 401 and replayed.json()["code"] == "auth.session_ended"


def test_changes_need_the_sessions_csrf_token(api: Server) -> None:
    http = api.client()
    csrf = http.post("/api/session", json={"login": "admin", "password": "demo"}).json()["csrf"]
    change = {"roles": ["head"]}
    assert http.get("/api/tasks").status_code == 200  # reading needs none
    for sent in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}):
        refused = http.put(ACCESS + "/initiate", json=change, headers=sent)
        assert refused.status_code == 403 and refused.json()["code"] == "auth.csrf"
    before = http.get(ACCESS).json()
    assert "member" in before["grants"]["initiate"]  # nothing changed
    ok = http.put(
        ACCESS + "/initiate",
        json=change,
        headers={"X-CSRF-Token": csrf},
    )
    assert ok.status_code == 200, ok.text
    assert http.get(ACCESS).json()["grants"]["initiate"] == ["head"]


def test_no_or_a_wrong_credential_is_401_and_says_nothing_about_the_account(api: Server) -> None:
    http = api.client()
    assert http.get("/api/tasks").json()["code"] == "auth.not_signed_in"
    wrong = http.post("/api/session", json={"login": "mkt.head", "password": "wrong-one"})
    unknown = http.post("/api/session", json={"login": "nobody", "password": "wrong-one"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["title"] == unknown.json()["title"]
    assert "set-cookie" not in wrong.headers
    bearer = api.with_token("oaf_not-a-real-token").get("/api/tasks")
    assert bearer.status_code == 401 and bearer.json()["code"] == "auth.token_invalid"
    assert wrong.headers["content-type"] == "application/problem+json"


def test_failed_sign_ins_are_throttled_per_account_and_per_address(api: Server) -> None:
    http = api.client()
    for _ in range(5):
        failed = http.post("/api/session", json={"login": "fin.head", "password": "guess-123"})
        assert failed.status_code == 401
    locked = http.post("/api/session", json={"login": "fin.head", "password": "demo"})
    assert locked.status_code == 429 and locked.json()["code"] == "auth.throttled"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60 + 1
    other = http.post("/api/session", json={"login": "fin.staff", "password": "demo"})
    assert other.status_code == 200  # another account from the same address still may

    logins = [f"nobody{i}" for i in range(30)]
    for login in logins[:25]:  # 5 + 25 = 30 failures from this address
        assert http.post("/api/session", json={"login": login, "password": "x"}).status_code == 401
    crowded = http.post("/api/session", json={"login": "hr.nobody", "password": "x"})
    assert crowded.status_code == 429
    assert (
        http.post("/api/session", json={"login": "fin.staff", "password": "demo"}).status_code
        == 429
    )


def test_api_tokens_are_scoped_hashed_expiring_and_revocable(api: Server) -> None:
    admin = api.signed_in("admin")
    issued = admin.post("/api/tokens", json={"name": "财务系统", "scopes": ["read"], "days": 30})
    assert issued.status_code == 201, issued.text
    secret, token_id = issued.json()["token"], issued.json()["details"]["id"]
    assert secret.startswith("oaf_") and len(secret) >= 4 + 43  # 256 random bits
    with api.app.db.read() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
    assert secret not in stored and len(stored) == 1
    assert secret not in admin.get("/api/tokens").text

    reader = api.with_token(secret)
    assert reader.get("/api/tasks").status_code == 200
    denied = reader.post("/api/instances", json={"process": "annual-budget", "form": {}})
    assert denied.status_code == 403 and denied.json()["code"] == "auth.token_scope"

    with api.app.db.write() as conn:
        conn.execute(update(api_tokens).values(expires_at=api.app.now() - timedelta(seconds=1)))
    assert reader.get("/api/tasks").status_code == 401
    with api.app.db.write() as conn:
        conn.execute(update(api_tokens).values(expires_at=api.app.now() + timedelta(days=1)))
    assert reader.get("/api/tasks").status_code == 200
    assert admin.delete(f"/api/tokens/{token_id}").status_code == 204
    assert reader.get("/api/tasks").status_code == 401

    others = api.signed_in("mkt.staff")  # tokens for someone else: administrators only
    refused = others.post(
        "/api/tokens", json={"name": "x", "scopes": ["read"], "login": "gm", "days": 1}
    )
    assert refused.status_code == 403
    assert others.delete(f"/api/tokens/{token_id}").status_code == 404


def test_deactivation_and_a_new_password_end_sessions_and_tokens(api: Server) -> None:
    staff = api.signed_in("mkt.staff")
    issued = staff.post("/api/tokens", json={"name": "mine", "scopes": ["read"]}).json()
    system = api.with_token(issued["token"])
    assert system.get("/api/me").status_code == 200

    admin = api.signed_in("admin")
    org = yaml.safe_load(admin.get("/api/organisation").text)
    for user in org["users"]:
        if user["login"] == "mkt.staff":
            user["active"] = False
    body = yaml.safe_dump(org, allow_unicode=True).encode()
    imported = admin.post("/api/organisation", files={"file": ("org.yaml", body, "text/yaml")})
    assert imported.status_code == 200, imported.text
    assert staff.get("/api/me").status_code == 401
    assert system.get("/api/me").status_code == 401
    again = api.client().post("/api/session", json={"login": "mkt.staff", "password": "demo"})
    assert again.status_code == 401

    head = api.signed_in("mkt.head")
    changed = admin.put("/api/users/mkt.head/password", json={"password": "a-new-password"})
    assert changed.status_code == 204
    assert head.get("/api/me").status_code == 401
    assert api.signed_in("mkt.head", "a-new-password").get("/api/me").status_code == 200
