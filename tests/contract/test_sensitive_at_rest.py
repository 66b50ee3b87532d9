"""Sensitive fields encrypted at rest (SEC-3, docs/adr/0008) on SQLite and PostgreSQL: a
complaint's phone number is in no file, WAL page, table dump, log line, message or export
for readers without the right, while the people who may read it still do; a value moved to
another instance does not open; a wrong key fails closed and writes nothing."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select, update

from oaflow.domain.errors import CryptoError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.services import catalog, delivery, queries, runtime
from oaflow.services.app import App
from oaflow.services.views import InboxFilter
from oaflow.storage.tables import instances, tasks

from .driver import COMPLAINT, Driver, as_dicts, who
from .sensitive import CANARY, WRONG, app_with, fails_closed, holding, table_dump
from .test_delivery import channels_of, setup_channels

FORM = {**COMPLAINT, "phone": CANARY}


def complaint(app: App, d: Driver) -> str:
    """A complaint with the canary's number that went all the way, every message out."""
    key = d.start("customer-complaint", "csd.staff", FORM)
    d.approve("csd.head", "triage")
    d.complete("prd.head", "handle", cause="包装材料强度不足", solution="更换包装并补发")
    d.approve("csd.head", "review")
    d.complete("csd.staff", "reply", reply="已致歉并补发新品", satisfaction=5)
    return key


def stored_data(app: App, business_key: str) -> dict[str, Any]:
    with app.db.read() as conn:
        query = select(instances.c.data).where(instances.c.business_key == business_key)
        return dict(conn.execute(query).scalar_one())


def task_view(app: App, login: str, task_id: int) -> dict[str, Any]:
    return dict(as_dicts(app, queries.task_detail(app, who(app, login), task_id)))


def phone_of(view: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in view["form"] if f["name"] == "phone")


def test_the_phone_number_is_nowhere_at_rest_nor_in_logs_messages_or_exports(
    demo_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    setup_channels(demo_app)
    key = complaint(demo_app, Driver(demo_app))
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, channels_of(recorder), demo_app.now())
    assert recorder.deliveries  # the messages went out …
    sent = [repr(d.message) for d in recorder.deliveries]
    assert not [m for m in sent if CANARY in m]  # … without the number
    assert CANARY not in caplog.text
    assert stored_data(demo_app, key)["phone"].startswith("enc:v1:test1:")
    admin = who(demo_app, "admin")  # sees every instance, may not read sensitive fields
    exported = [
        as_dicts(demo_app, queries.instance_detail(demo_app, admin, key)),
        as_dicts(demo_app, queries.instances(demo_app, admin, queries.InstanceFilter())),
    ]
    assert CANARY not in json.dumps(exported, ensure_ascii=False, default=str)
    assert holding(demo_app, CANARY) == []


def test_the_search_finds_a_number_kept_plain(demo_app: App) -> None:
    """The search above is no blind spot: without a key the same number is found."""
    plain = app_with(demo_app, "")
    try:
        Driver(plain).start("customer-complaint", "csd.staff", FORM)
        found = holding(plain, CANARY)
        assert "tables" in found and ("oaflow.db-wal" in found or "pg_dump" in found)
    finally:
        plain.db.dispose()


def test_the_initiator_and_the_handler_read_it_others_see_it_masked(demo_app: App) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", FORM)
    triage = d.approve("csd.head", "triage")
    handle = d.task("prd.head", "handle")
    assert phone_of(task_view(demo_app, "csd.staff", triage))["value"] == CANARY  # initiator
    assert phone_of(task_view(demo_app, "prd.head", handle))["value"] == CANARY  # handler
    masked = phone_of(task_view(demo_app, "admin", handle))
    assert (masked["value"], masked["masked"]) == (None, True)


def test_a_value_moved_to_another_instance_does_not_open(demo_app: App) -> None:
    d = Driver(demo_app)
    first = d.start("customer-complaint", "csd.staff", FORM)
    second = d.start("customer-complaint", "csd.staff", COMPLAINT)
    moved = {**stored_data(demo_app, second), "phone": stored_data(demo_app, first)["phone"]}
    with demo_app.db.write() as conn:
        conn.execute(update(instances).where(instances.c.business_key == second).values(data=moved))
    with pytest.raises(CryptoError) as raised:
        queries.instance_detail(demo_app, SYSTEM, second)
    assert raised.value.code == "crypto.value_unreadable"
    assert raised.value.params["kid"] == "test1" and raised.value.params["field"] == "phone"
    assert queries.instance_detail(demo_app, SYSTEM, first).form  # the original still opens


def test_a_changed_value_does_not_open(demo_app: App) -> None:
    key = Driver(demo_app).start("customer-complaint", "csd.staff", FORM)
    sealed = stored_data(demo_app, key)["phone"]
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    changed = {**stored_data(demo_app, key), "phone": flipped}
    with demo_app.db.write() as conn:
        conn.execute(update(instances).where(instances.c.business_key == key).values(data=changed))
    with fails_closed("crypto.value_unreadable"):
        queries.instance_detail(demo_app, SYSTEM, key)


def test_a_wrong_key_fails_closed_and_writes_nothing(demo_app: App) -> None:
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.staff", FORM)
    triage = d.task("csd.head", "triage")
    before = table_dump(demo_app)
    wrong = app_with(demo_app, WRONG)
    try:
        with pytest.raises(CryptoError) as acting:
            Driver(wrong).do(triage, Action.APPROVE, "csd.head")
        with pytest.raises(CryptoError) as starting:
            Driver(wrong).start("customer-complaint", "csd.staff", FORM)
        with pytest.raises(CryptoError) as reading:
            queries.instance_detail(wrong, SYSTEM, key)
    finally:
        wrong.db.dispose()
    assert acting.value.code == reading.value.code == "crypto.value_unreadable"
    assert starting.value.code == "crypto.key_wrong"  # it would seal what nobody can open
    assert "13942424242" not in str(acting.value) + acting.value.text("zh")
    assert table_dump(demo_app) == before


def test_the_task_lists_open_no_sealed_value(demo_app: App) -> None:
    """A list of tasks shows nothing of the form: it reads no sealed value (a decryption per
    listed instance), so even a process with the wrong key lists the tasks."""
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.staff", FORM)
    wrong = app_with(demo_app, WRONG)
    try:
        inbox = queries.inbox(wrong, who(wrong, "csd.head"), InboxFilter())
        listed = queries.tasks_for(wrong, who(wrong, "csd.head"))
        with pytest.raises(CryptoError):  # the task's own page does open the number
            queries.instance_detail(wrong, SYSTEM, key)
    finally:
        wrong.db.dispose()
    assert key in [t.business_key for t in inbox.items]
    assert key in [t.business_key for t in listed]


def test_without_a_key_the_database_of_a_keyed_app_refuses_plain_values(demo_app: App) -> None:
    key = Driver(demo_app).start("customer-complaint", "csd.staff", FORM)
    keyless = app_with(demo_app, "")
    try:
        with fails_closed("crypto.key_missing"):
            queries.instance_detail(keyless, SYSTEM, key)
        with fails_closed("crypto.database_encrypted"):
            runtime.start(keyless, who(keyless, "csd.staff"), "customer-complaint", FORM)
        # nothing sensitive given: nothing to seal, nothing refused
        without = {k: v for k, v in COMPLAINT.items() if k != "phone"}
        Driver(keyless).start("customer-complaint", "csd.staff", without)
    finally:
        keyless.db.dispose()


CLAIM = """
key: secret-claim
name: {zh: 费用报销, en: Expense claim}
business_key: "BX{yyyy}{seq:03}"
form:
  - {name: amount, type: number, required: true, sensitive: true, label: {zh: 金额, en: Amount}}
  - {name: reason, type: text, label: {zh: 事由, en: Reason}}
nodes:
  - {id: apply, type: initiate, name: {zh: 提交申请, en: Apply}, next: check}
  - id: check
    type: approval
    name: {zh: 部门审批, en: Head approves}
    assignee: {user: mkt.head}
    time_limit: {hours: 24}
    on_reject: apply
    next: pay
  - id: pay
    type: handle
    name: {zh: 付款, en: Pay}
    assignee: {user: fin.head}
    time_limit: {hours: 24}
    outputs:
      fields:
        - {name: paid, type: number, required: true, sensitive: true, label: {zh: 实付, en: Paid}}
    next: tier
  - id: tier
    type: exclusive
    name: {zh: 按金额, en: By amount}
    routes:
      - {when: "paid > 1000", to: gm}
    default: done
  - id: gm
    type: approval
    name: {zh: 总经理, en: GM}
    assignee: {user: gm}
    time_limit: {hours: 24}
    next: done
  - {id: done, type: end, name: {zh: 结束, en: Done}}
"""


def test_sensitive_outputs_and_a_revised_form_are_sealed_and_rules_still_read_them(
    demo_app: App,
) -> None:
    catalog.publish(demo_app, SYSTEM, CLAIM, "claim.yaml")
    d = Driver(demo_app)
    key = d.start("secret-claim", "mkt.staff", {"title": "差旅", "amount": 42424.25})
    d.reject("mkt.head", "check", note="金额不对")
    revise = d.complete("mkt.staff", "apply", amount=31313.75)  # the form, as outputs
    d.approve("mkt.head", "check")
    pay = d.complete("fin.head", "pay", paid=31313.75)
    assert d.task("gm", "gm")  # the rule read the sealed value: paid > 1000
    with demo_app.db.read() as conn:
        outputs = dict(conn.execute(select(tasks.c.id, tasks.c.outputs)).all())
    assert outputs[revise]["amount"].startswith("enc:v1:")
    assert outputs[pay]["paid"].startswith("enc:v1:")
    data = stored_data(demo_app, key)
    assert data["amount"].startswith("enc:v1:") and data["paid"].startswith("enc:v1:")
    assert holding(demo_app, "31313.75") == holding(demo_app, "42424.25") == []
    view = task_view(demo_app, "fin.head", pay)
    assert view["outputs"]["paid"] == 31313.75
    assert "paid" not in task_view(demo_app, "admin", pay)["outputs"]  # masked: left out


@pytest.mark.filterwarnings("ignore:Using .httpx. with .starlette.testclient")
def test_the_api_answers_503_and_names_no_object_when_a_value_does_not_open(
    demo_app: App,
) -> None:
    from fastapi.testclient import TestClient

    from oaflow.api.app import create_api
    from oaflow.services import auth

    key = Driver(demo_app).start("customer-complaint", "csd.staff", FORM)
    staff = who(demo_app, "csd.staff")
    secret, _ = auth.create_token(demo_app, staff, "csd.staff", "test", ["read"], 1)
    wrong = app_with(demo_app, WRONG)
    try:
        with TestClient(create_api(wrong)) as client:
            answer = client.get(
                f"/api/instances/{key}", headers={"Authorization": f"Bearer {secret}"}
            )
    finally:
        wrong.db.dispose()
    body = answer.json()
    assert (answer.status_code, body["code"]) == (503, "crypto.value_unreadable"), body
    said = body["title"] + body["detail"]  # ("instance" is the path the caller asked for)
    assert key not in said and CANARY not in answer.text
