"""Who hears of what (NTF-1): the messages written with the transitions themselves, and
several workers delivering the same outbox (each delivery sent once)."""

from __future__ import annotations

import threading
from typing import Any

from oaflow.domain.clock import FixedClock
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.processes import builtin_source
from oaflow.services import catalog, delivery, messages, notify_admin
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, as_dicts, instance_view, outbox, who


def told(app: App) -> list[tuple[str, list[str], str | None]]:
    return [(m["event"], m["recipients"], m["node"]) for m in outbox(app)]


def test_a_rejection_tells_the_initiator_and_the_end_of_the_process(demo_app: App) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.reject("csd.head", "triage", note="不属于投诉")
    assert told(demo_app) == [
        ("task_assigned", ["csd.head"], "投诉受理确认"),
        ("task_rejected", ["csd.staff"], "投诉受理确认"),
        ("instance_rejected", ["csd.staff"], None),
    ]
    (rejected,) = [m for m in outbox(demo_app) if m["event"] == "task_rejected"]
    assert rejected["data"]["note"] == "不属于投诉" and rejected["data"]["actor"] == "csd.head"


def test_a_returned_task_says_so_and_completion_tells_the_initiator(demo_app: App) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    d.complete("prd.head", "handle", cause="包装材料批次问题", solution="更换供应商")
    review = d.task("csd.head", "review")
    d.do(review, Action.RETURN, "csd.head", target="handle", note="请补充")
    assert told(demo_app)[-1] == ("task_returned", ["prd.head"], "原因分析与处理")
    d.complete("prd.head", "handle", cause="包装材料批次问题", solution="更换供应商")
    d.approve("csd.head", "review")
    d.complete("csd.staff", "reply", reply="已致电客户并补发")
    assert told(demo_app)[-1] == ("instance_completed", ["csd.staff"], None)
    keys = [m["message_id"] for m in outbox(demo_app)]
    assert len(keys) == len(set(keys))


def test_a_new_version_of_a_process_is_news_for_the_departments_it_involves(
    demo_app: App,
) -> None:
    """The change notice (VER-2): the heads and interface persons of the initiating
    department and of every department a node or the routing table assigns to, and the
    administrators; the e-mail links to the version's page in the knowledge base."""
    source, file = builtin_source("customer-complaint")
    catalog.publish(demo_app, who(demo_app, "admin"), source, file)
    (message,) = [m for m in outbox(demo_app) if m["event"] == "definition_changed"]
    involved = {f"{d}.{r}" for d in ("csd", "prd", "log", "svc") for r in ("head", "staff")}
    assert message["recipients"] == sorted({"admin", *involved})
    assert message["data"]["title"].startswith("V1.1-")
    assert message["message_id"] == "definition/customer-complaint/v2"  # ASCII, for headers
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(demo_app, who(demo_app, "admin"), "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, lambda kind: recorder, demo_app.now())
    mail = next(d.message for d in recorder.deliveries if d.message.address_name == "马丽娟")
    assert "流程变更通知" in mail.subject and "客户投诉" in mail.subject
    assert mail.link.endswith("/knowledge/customer-complaint/versions/2")
    assert mail.link in mail.text


def test_two_workers_send_every_delivery_exactly_once(demo_app: App, clock: FixedClock) -> None:
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "hook", "webhook", {"url": "https://h.example/"}
    )
    d = Driver(demo_app)
    for _ in range(12):
        d.start("customer-complaint", "csd.staff", COMPLAINT)
    recorder = RecordingChannel()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            delivery.deliver_due(demo_app, lambda kind: recorder, clock.now())
        except BaseException as error:  # pragma: no cover - shown by the assertion
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    sent: list[Any] = [r.message.message_id for r in recorder.deliveries]
    assert len(sent) == 12 and len(set(sent)) == 12
    assert {r["status"] for r in delivery.deliveries(demo_app)} == {"sent"}


CC_PROCESS = """
key: cc-node
name: {zh: 抄送节点, en: CC node}
business_key: "CC{yyyy}{seq:03}"
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: tell}
  - id: tell
    type: notify
    name: {zh: 抄送销售, en: CC sales}
    notify: [{department: sal, pick: members}, {user: gm}]
    next: ok
  - id: ok
    type: approval
    name: {zh: 审批, en: Approve}
    assignee: {user: vp.market}
    time_limit: {hours: 24}
    next: done
  - {id: done, type: end, name: {zh: 结束}}
"""


def test_a_notify_node_sends_its_copy_to_the_people_it_names(demo_app: App) -> None:
    """抄送节点 (NTF-1): the copy is a message to everyone the node resolves, with an
    in-app copy each and a mail through their channel, like a person's cc."""
    catalog.publish(demo_app, SYSTEM, CC_PROCESS, "cc.yaml")
    d = Driver(demo_app)
    key = d.start("cc-node", "mkt.head", {"title": "新品定价"})
    timeline = instance_view(demo_app, key)["timeline"]
    (copied,) = [e for e in timeline if e["kind"] == "copied"]
    people = copied["data"]["recipients"]
    assert "gm" in people and len(people) > 1
    (cc,) = [m for m in outbox(demo_app) if m["event"] == "cc"]
    assert sorted(cc["recipients"]) == sorted(people)
    assert (cc["data"]["actor"], cc["data"]["node_zh"], cc["task_id"]) == (
        "mkt.head",
        "抄送销售",
        None,
    )
    assert cc["message_id"] == f"{key}/{copied['seq']}/cc"
    for login in people:
        items = as_dicts(demo_app, messages.notifications(demo_app, who(demo_app, login)))["items"]
        assert [(n["event"], n["node"]) for n in items] == [("cc", "抄送销售")]
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(demo_app, who(demo_app, "admin"), "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, lambda kind: recorder, demo_app.now())
    copies = [r.message for r in recorder.deliveries if r.message.event == "cc"]
    assert copies and all("抄送销售" in m.text and key in m.subject for m in copies)
