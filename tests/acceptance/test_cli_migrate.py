"""VER-4 through the real `oaflow` command: a dry run first (a table, then --json), then the
migration, a mapping naming a node neither version has, and someone who is no administrator.
The instances of version 1 are prepared in this process on the same SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import Cli
from migration_scenario import KEY, Instances, prepare
from oaflow.domain.clock import FixedClock
from oaflow.services.app import App
from oaflow.storage.database import Database

MIGRATE = ("process", "migrate", KEY, "--from", "1", "--to", "V1.1", "--as", "admin")


def prepared(cli: Cli) -> Instances:
    app = App(db=Database(cli.url), clock=FixedClock(datetime(2024, 3, 1, 1, 0, tzinfo=UTC)))
    try:
        return prepare(app)
    finally:
        app.db.dispose()


def test_a_dry_run_then_the_migration(cli: Cli) -> None:
    found = prepared(cli)
    before = cli.dump()
    table = cli(*MIGRATE, "--map", "review=head_review", "--dry-run", lang="en")
    assert cli.dump() == before  # a dry run changes nothing
    lines = table.out.splitlines()
    assert any(found.at_review in line and "would migrate" in line for line in lines), table
    assert "is at receive (Goods received), which the version migrated to lacks" in table.out, table
    assert table.out.count("│ refused ") == 2, table
    assert "1 instance(s) would migrate, 2 would be refused; nothing changed" in table.out

    dry = cli.json(*MIGRATE, "--map", "review=head_review", "--dry-run")
    assert dry["counts"] == {"migrated": 0, "would_migrate": 1, "refused": 2}
    outcomes = {i["business_key"]: i for i in dry["instances"]}
    assert [p["code"] for p in outcomes[found.at_sign]["problems"]] == ["migration.form_problem"]
    assert "supplier" in outcomes[found.at_sign]["problems"][0]["text"]

    done = cli.json(*MIGRATE, "--map", "review=head_review")
    assert done["counts"] == {"migrated": 1, "would_migrate": 0, "refused": 2}
    assert done["to"]["label"].startswith("V1.1-")
    shown = cli.json("instance", "show", found.at_review, "--as", "admin")
    assert shown["timeline"][-1]["kind"] == "migrated"
    assert cli.task_id("mkt.head", "head_review")  # the task is on the new node


def test_a_mapping_naming_no_node_changes_nothing(cli: Cli) -> None:
    prepared(cli)
    before = cli.dump()
    bad = cli(*MIGRATE, "--map", "reveiw=head_review", expect=1, lang="en")
    assert "no instance was migrated" in bad.err and "`reveiw`" in bad.err, bad
    assert "did you mean `review`?" in bad.err, bad
    malformed = cli(*MIGRATE, "--map", "review", expect=1, lang="en")
    assert "mapping `review` is malformed" in malformed.err, malformed
    refused = cli(*MIGRATE[:-1], "mkt.head", "--map", "review=head_review", expect=1)
    assert "权限" in refused.err or "不能" in refused.err, refused
    assert cli.dump() == before
