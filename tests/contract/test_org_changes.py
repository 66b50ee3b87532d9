"""Effective-dated organisation changes (ORG-2) on a real database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.orgfile import org_to_yaml
from oaflow.processes import demo_organisation
from oaflow.services import organisation
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, instance_view, tasks_of


def new_head_of_production(tmp_path: Path) -> Path:
    """The demo organisation where 生产部's staff member becomes its head."""
    org = demo_organisation()
    prd = replace(org.departments["prd"], head="prd.staff")
    path = tmp_path / "org-2024-04.yaml"
    path.write_text(
        org_to_yaml(replace(org, departments={**org.departments, "prd": prd})), encoding="utf-8"
    )
    return path


def handling(app: App, d: Driver, clock: FixedClock, when: str) -> str:
    clock.set(parse_instant(when))
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    (task,) = [t for t in instance_view(app, key)["progress"] if t["node"] == "原因分析与处理"]
    return str(task["owner_name"])


def test_a_dated_change_applies_to_tasks_created_after_it(
    demo_app: App, clock: FixedClock, tmp_path: Path
) -> None:
    d = Driver(demo_app)
    organisation.import_org(
        demo_app, "admin", new_head_of_production(tmp_path), parse_instant("2024-04-01T00:00")
    )
    head_before = handling(demo_app, d, clock, "2024-03-20T10:00")
    head_after = handling(demo_app, d, clock, "2024-04-02T10:00")
    assert (head_before, head_after) == ("陈志强", "杨丽")  # prd.head, then prd.staff
    assert tasks_of(demo_app, "prd.head")[0]["business_key"] == "TS202403001"  # kept


def test_a_change_dated_in_the_past_applies_at_once(
    demo_app: App, clock: FixedClock, tmp_path: Path
) -> None:
    d = Driver(demo_app)
    organisation.import_org(
        demo_app, "admin", new_head_of_production(tmp_path), parse_instant("2024-01-01T00:00")
    )
    assert handling(demo_app, d, clock, "2024-03-04T10:00") == "杨丽"
