"""Sensitive fields encrypted at rest through the real `oaflow` command (SEC-3,
docs/adr/0008): with OAFLOW_KEYS the complaint's phone number is not in the database file nor
in the export of a reader without the right; without the key or with a wrong one every
command fails closed with a clear error and writes nothing; `oaflow keys rotate` moves the
values to a new key so that the old one can go, and a key file works like the setting."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the fixture's type (tests/acceptance has no package)
    from conftest import Cli

pytestmark = pytest.mark.acceptance

CANARY = "13942424242"
FORM = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "phone": CANARY,
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}
WRONG = "k1:d3Jvbmcga2V5IGZvciB0aGUgaWQgdGVzdDEgISEhISE="


def at_rest(cli: Cli) -> bytes:
    """The database file and, if one is left, its WAL."""
    files = [cli.db, cli.db.with_name(cli.db.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def phone_in(shown: dict[str, object]) -> object:
    form = shown["form"]
    assert isinstance(form, list)
    return next(f["value"] for f in form if f["name"] == "phone")


def test_the_phone_is_sealed_and_the_keys_rotate(cli: Cli, tmp_path: Path) -> None:
    assert "OAFLOW_KEYS" in cli("init").err  # no key: the warning
    k1 = cli("keys", "new", "--id", "k1").out.strip()
    keyed = cli.with_env(OAFLOW_KEYS=k1)
    assert keyed("init").err == ""
    key = keyed("start", "customer-complaint", "--as", "csd.staff", "--data", json.dumps(FORM))
    business_key = key.out.strip()
    assert CANARY.encode() not in at_rest(cli)
    initiator = keyed.json("instance", "show", business_key, "--as", "csd.staff")
    assert phone_in(initiator) == CANARY
    exported = keyed("instance", "show", business_key, "--as", "admin", "--json").out
    assert CANARY not in exported and json.loads(exported)["form"]

    before = cli.dump()
    missing = cli("task", "approve", "1", "--as", "csd.head", expect=1)
    assert "phone" in missing.err and "OAFLOW_KEYS" in missing.err
    wrong = cli.with_env(OAFLOW_KEYS=WRONG)("task", "approve", "1", "--as", "csd.head", expect=1)
    assert "k1" in wrong.err and CANARY not in wrong.err
    assert cli.dump() == before  # nothing written
    worker = replace(cli, now=None).with_env(OAFLOW_KEYS=WRONG)  # the worker runs on real time
    assert "k1" in worker("worker", "--exit-when-idle", expect=1).err  # refuses to start

    k2 = cli("keys", "new", "--id", "k2").out.strip()
    both = cli.with_env(OAFLOW_KEYS=f"{k2},{k1}")
    assert "k2" in both("keys", "rotate", "--as", "admin").out
    file = tmp_path / "oaflow.keys"
    file.write_text(f"# OA-Flow keys, the current one first\n{k2}\n", encoding="utf-8")
    file.chmod(0o600)
    from_file = cli.with_env(OAFLOW_KEY_FILE=str(file))  # the old key is gone
    status = from_file.json("keys", "status", "--as", "admin")
    assert [(k["kid"], k["instances"]) for k in status["keys"]] == [("k2", 1), ("k1", 0)]
    assert phone_in(from_file.json("instance", "show", business_key, "--as", "csd.staff")) == (
        CANARY
    )
    from_file("task", "approve", "1", "--as", "csd.head")
    assert CANARY.encode() not in at_rest(cli)


def test_keys_written_wrong_are_clear_errors(cli: Cli, tmp_path: Path) -> None:
    bad = cli.with_env(OAFLOW_KEYS="k1:abcd")("tasks", "--as", "csd.head", expect=1)
    assert "32" in bad.err and "k1" in bad.err
    twice = cli.with_env(OAFLOW_KEYS=WRONG, OAFLOW_KEY_FILE=str(tmp_path / "k"))
    assert "OAFLOW_KEY_FILE" in twice("tasks", "--as", "csd.head", expect=1).err
    open_file = tmp_path / "open.keys"
    open_file.write_text(WRONG, encoding="utf-8")
    open_file.chmod(0o644)
    warned = cli.with_env(OAFLOW_KEY_FILE=str(open_file))("--lang", "en", "init")
    assert "chmod 600" in warned.err
