"""Return to the initiator for revision (退回发起人, issue 10 7c): a rejection whose
``on_reject`` is the initiate node gives the initiator a task to edit the form and
resubmit it; the first pass through the initiate node stays automatic."""

from __future__ import annotations

import pytest

from oaflow.domain.errors import ForbiddenError, InputError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.services import catalog
from oaflow.services.app import App
from oaflow.storage import runtime_reads

from .driver import Driver, instance_view, outbox, tasks_of

CLAIM = """
key: expense-claim
name: {zh: 费用报销, en: Expense claim}
business_key: "FY{yyyy}{seq:03}"
form:
  - {name: amount, type: number, required: true, label: {zh: 金额, en: Amount}}
  - {name: reason, type: text, label: {zh: 事由, en: Reason}}
nodes:
  - {id: apply, type: initiate, name: {zh: 提交申请, en: Apply}, next: check}
  - id: check
    type: approval
    name: {zh: 部门审批, en: Head approves}
    assignee: {user: mkt.head}
    time_limit: {hours: 24}
    on_reject: apply
    next: done
  - {id: done, type: end, name: {zh: 结束, en: Done}}
"""
FORM = {"title": "差旅报销", "amount": 1200, "reason": "客户拜访"}


def rejected_claim(app: App) -> tuple[Driver, str, int]:
    """A claim the head rejected: the initiator's revise task, ready."""
    catalog.publish(app, SYSTEM, CLAIM, "claim.yaml")
    d = Driver(app)
    key = d.start("expense-claim", "mkt.staff", FORM)
    d.reject("mkt.head", "check", note="请附上发票金额")
    return d, key, d.task("mkt.staff", "apply")


def test_the_initiator_revises_the_form_and_the_process_goes_on(demo_app: App) -> None:
    d, key, revise = rejected_claim(demo_app)
    kinds = [e["kind"] for e in instance_view(demo_app, key)["timeline"]]
    assert kinds.count("initiated") == 1  # the first pass only
    assert tasks_of(demo_app, "mkt.head") == []  # nothing goes on meanwhile
    (message,) = [m for m in outbox(demo_app) if m["task_id"] == revise]
    assert (message["event"], message["recipients"]) == ("task_returned", ["mkt.staff"])
    d.do(revise, Action.ACK, "mkt.staff")
    d.do(revise, Action.COMPLETE, "mkt.staff", outputs={"amount": 980, "title": "差旅报销（改）"})
    detail = instance_view(demo_app, key)
    assert detail["title"] == "差旅报销（改）"
    d.approve("mkt.head", "check")
    assert instance_view(demo_app, key)["state"] == "completed"
    with demo_app.db.read() as conn:
        instance = runtime_reads.find_instance(conn, demo_app.sensitive, key)
    assert instance is not None
    assert (instance.data["amount"], instance.data["reason"]) == (980, "客户拜访")


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"amount": "很多"}, "must be a number"),
        ({"amount": None}, "required"),
        ({"cost": 3}, "not fields of the form"),
        ({"department": "rnd"}, "cannot be changed"),
    ],
)
def test_a_revision_must_fit_the_form(demo_app: App, fields: dict[str, object], text: str) -> None:
    d, key, revise = rejected_claim(demo_app)
    before = instance_view(demo_app, key)
    with pytest.raises(InputError, match=text):
        d.do(revise, Action.COMPLETE, "mkt.staff", outputs=fields)
    assert instance_view(demo_app, key) == before


def test_only_the_initiator_revises(demo_app: App) -> None:
    d, _, revise = rejected_claim(demo_app)
    with pytest.raises(ForbiddenError, match="not yours"):
        d.do(revise, Action.COMPLETE, "mkt.head", outputs={"amount": 1})
