"""Several approvers on one step (APR-1): 会签 all, 或签 any, 依次 sequence, pass ratio."""

from __future__ import annotations

import pytest

from oaflow.domain.errors import ValidationError
from oaflow.domain.security import SYSTEM
from oaflow.services import catalog, runtime
from oaflow.services.app import App

from .driver import Driver, instance_view, tasks_of, who

TEMPLATE = """
key: signers-MODE
name: {zh: 多人审批, en: Several approvers}
business_key: "SG{yyyy}{seq:03}"
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: sign}
  - id: sign
    type: approval
    name: {zh: 领导审批, en: Leaders approve}
    assignee: {users: [vp.market, vp.tech, vp.ops]}
    mode: MODE
    pass_ratio: RATIO
    time_limit: {hours: 24}
    on_reject: end
    next: done
  - {id: done, type: end, name: {zh: 结束}}
"""


def publish(app: App, mode: str, ratio: float = 1.0) -> str:
    text = TEMPLATE.replace("MODE", mode).replace("RATIO", str(ratio))
    catalog.publish(app, SYSTEM, text, f"{mode}.yaml")
    return runtime.start(
        app, who(app, "mkt.head"), f"signers-{mode}", {"title": "三位领导审批"}
    ).business_key


def decide(d: Driver, login: str, approve: bool) -> None:
    (d.approve if approve else d.reject)(login, "sign")


def state(app: App, key: str) -> str:
    return str(instance_view(app, key)["state"])


def open_signers(app: App) -> list[str]:
    return [login for login in ("vp.market", "vp.tech", "vp.ops") if tasks_of(app, login)]


def test_all_must_approve(demo_app: App) -> None:
    d, key = Driver(demo_app), publish(demo_app, "all")
    assert open_signers(demo_app) == ["vp.market", "vp.tech", "vp.ops"]
    decide(d, "vp.market", True)
    decide(d, "vp.tech", True)
    assert state(demo_app, key) == "running"
    decide(d, "vp.ops", True)
    assert state(demo_app, key) == "completed"


def test_all_one_rejection_rejects_and_withdraws_the_others(demo_app: App) -> None:
    d, key = Driver(demo_app), publish(demo_app, "all")
    decide(d, "vp.tech", False)
    assert state(demo_app, key) == "rejected" and open_signers(demo_app) == []


@pytest.mark.parametrize("approve", [True, False])
def test_any_the_first_decision_decides(demo_app: App, approve: bool) -> None:
    d, key = Driver(demo_app), publish(demo_app, "any")
    decide(d, "vp.ops", approve)
    assert state(demo_app, key) == ("completed" if approve else "rejected")
    assert open_signers(demo_app) == []


def test_sequence_one_after_the_other(demo_app: App) -> None:
    d, key = Driver(demo_app), publish(demo_app, "sequence")
    assert open_signers(demo_app) == ["vp.market"]
    decide(d, "vp.market", True)
    assert open_signers(demo_app) == ["vp.tech"]
    decide(d, "vp.tech", True)
    decide(d, "vp.ops", True)
    assert state(demo_app, key) == "completed"


def test_sequence_stops_at_a_rejection(demo_app: App) -> None:
    d, key = Driver(demo_app), publish(demo_app, "sequence")
    decide(d, "vp.market", True)
    decide(d, "vp.tech", False)
    assert state(demo_app, key) == "rejected" and open_signers(demo_app) == []


def test_ratio_passes_at_two_of_three_and_fails_when_it_cannot_reach_it(demo_app: App) -> None:
    d, key = Driver(demo_app), publish(demo_app, "ratio", 0.6)
    decide(d, "vp.market", False)
    assert state(demo_app, key) == "running"
    decide(d, "vp.tech", True)
    decide(d, "vp.ops", True)
    assert state(demo_app, key) == "completed"
    d2 = Driver(demo_app)
    key2 = runtime.start(
        demo_app, who(demo_app, "mkt.head"), "signers-ratio", {"title": "再审"}
    ).business_key
    decide(d2, "vp.market", False)
    decide(d2, "vp.tech", False)
    assert state(demo_app, key2) == "rejected"


@pytest.mark.parametrize(
    ("mode", "ratio", "expected"),
    [("most", 1.0, "mode"), ("ratio", 1.5, "pass_ratio"), ("ratio", 0, "pass_ratio")],
)
def test_bad_modes_are_reported(demo_app: App, mode: str, ratio: float, expected: str) -> None:
    text = TEMPLATE.replace("MODE", mode).replace("RATIO", str(ratio))
    with pytest.raises(ValidationError) as error:
        catalog.publish(demo_app, SYSTEM, text, "bad.yaml")
    assert any(expected in p.message and p.line for p in error.value.problems)


def test_an_unknown_approver_is_reported_at_publish(demo_app: App) -> None:
    text = TEMPLATE.replace("MODE", "all").replace("RATIO", "1").replace("vp.ops", "vp.nobody")
    with pytest.raises(ValidationError, match=r"bad\.yaml:10: .*unknown user `vp\.nobody`"):
        catalog.publish(demo_app, SYSTEM, text, "bad.yaml")
