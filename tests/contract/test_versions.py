"""Versions and change notices (VER-1..3) on both databases: labels V{major}.{minor} chosen
by the publisher, the change log, running instances on their version, the change notice to
the departments a process involves with the changes in words, versions named by reference."""

from __future__ import annotations

import pytest

from oaflow.domain.errors import InputError, NotFoundError
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.processes import builtin_source
from oaflow.services import catalog, delivery, knowledge, notify_admin
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, outbox, who

#: the complaint with a renamed, faster handling step
RENAMED = (
    (
        "name: {zh: 原因分析与处理, en: Find the cause and resolve}",
        "name: {zh: 原因分析与整改, en: Cause and fix}",
    ),
    ("    time_limit: {hours: 48}\n", "    time_limit: {hours: 24}\n"),
)


def source(key: str, *edits: tuple[str, str]) -> tuple[str, str]:
    text, file = builtin_source(key)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text, file


def test_labels_count_minor_steps_and_major_ones_the_publisher_chooses(demo_app: App) -> None:
    admin = who(demo_app, "admin")
    text, file = source("customer-complaint", *RENAMED)
    second = catalog.publish(demo_app, admin, text, file, note="处理时限缩短为 24 小时")
    third = catalog.publish(demo_app, admin, text, file, major=True, note="  流程重组  ")
    fourth = catalog.publish(demo_app, admin, *builtin_source("customer-complaint"))
    labels = [p.label for p in (second, third, fourth)]
    assert labels == ["V1.1-202403-客户投诉", "V2.0-202403-客户投诉", "V2.1-202403-客户投诉"]
    assert [p.version for p in (second, third, fourth)] == [2, 3, 4]
    versions = catalog.versions(demo_app, admin, "customer-complaint")
    assert [(v.version, v.major, v.minor, v.note) for v in versions] == [
        (4, 2, 1, ""),
        (3, 2, 0, "流程重组"),
        (2, 1, 1, "处理时限缩短为 24 小时"),
        (1, 1, 0, ""),
    ]
    with pytest.raises(InputError) as refused:
        catalog.publish(demo_app, admin, text, file, note="很长" * 1001)
    assert refused.value.code == "process.note_too_long"
    assert len(catalog.versions(demo_app, admin, "customer-complaint")) == 4


def test_running_instances_keep_their_version_and_new_ones_take_the_newest(
    demo_app: App,
) -> None:
    d = Driver(demo_app)
    before = d.start("customer-complaint", "csd.staff", COMPLAINT)
    catalog.publish(demo_app, who(demo_app, "admin"), *source("customer-complaint", *RENAMED))
    d.approve("csd.head", "triage")  # the running instance goes on after the publishing
    after = d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    assert d.open_nodes(before) == ["原因分析与处理"]
    assert d.open_nodes(after) == ["原因分析与整改"]
    (old_task,) = [r for r in d.instance(before)["progress"] if r["node"] == "原因分析与处理"]
    (new_task,) = [r for r in d.instance(after)["progress"] if r["node"] == "原因分析与整改"]
    assert old_task["planned"] > new_task["planned"]  # 48 working hours against 24


def test_the_change_notice_reaches_the_involved_departments_with_the_changes_in_words(
    demo_app: App,
) -> None:
    admin = who(demo_app, "admin")
    text, file = source(
        "annual-budget",
        ("time_limit: {hours: 40}", "time_limit: {hours: 24}"),
        ("max(budget_amount) > 1000000", "max(budget_amount) > 2000000"),
    )
    catalog.publish(demo_app, admin, text, file, note="简化预算审批级次")
    (message,) = [m for m in outbox(demo_app) if m["event"] == "definition_changed"]
    # 财务部 starts it and revises it; 分管领导 is the initiator's; 总经理 is a role, not a
    # department: the heads and interface persons of 财务部 and the administrators
    assert message["recipients"] == ["admin", "fin.head", "fin.staff"]
    assert message["data"]["page"] == "/knowledge/annual-budget/versions/2"
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(demo_app, admin, "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, lambda kind: recorder, demo_app.now())
    mails = {d.message.address_name: d.message for d in recorder.deliveries}
    mail = mails["林志华"]  # fin.head
    assert mail.subject == "【流程变更通知】年度预算 V1.1-202403-年度预算"
    assert "变更说明：简化预算审批级次" in mail.text
    assert "1. 节点「各部门提交预算」时限 40 → 24 工作小时" in mail.text
    assert "决策表「approval_tiers」新增规则：max(budget_amount) > 2000000 → to=gm_approval" in (
        mail.text
    )
    assert mail.link.endswith("/knowledge/annual-budget/versions/2") and mail.link in mail.text
    assert len(recorder.deliveries) == 3


def test_versions_by_number_v_number_or_label_and_a_clear_error_otherwise(
    demo_app: App,
) -> None:
    admin = who(demo_app, "admin")
    catalog.publish(demo_app, admin, *source("customer-complaint", *RENAMED))
    for old, new in (("1", "2"), ("V1.0", "V1.1"), ("V1.0-202403-客户投诉", "2")):
        compared = knowledge.compare(demo_app, admin, "customer-complaint", old, new)
        assert (compared.old.version, compared.new.version) == (1, 2)
        assert "节点「原因分析与处理」改名为「原因分析与整改」" in compared.diff.words("zh")
    history = knowledge.history(demo_app, admin, "customer-complaint")
    assert [h.changes.version.label for h in history] == [
        "V1.1-202403-客户投诉",
        "V1.0-202403-客户投诉",
    ]
    assert history[0].changes.diff is not None and history[1].changes.diff is None
    shown, _ = catalog.shown(demo_app, admin, "customer-complaint", "V1.0")
    assert shown.version == 1
    with pytest.raises(NotFoundError) as unknown:
        knowledge.compare(demo_app, admin, "customer-complaint", "V3.0", "2")
    assert unknown.value.code == "process.version_unknown"
    with pytest.raises(NotFoundError) as huge:
        knowledge.version_page(demo_app, admin, "customer-complaint", "9" * 30)
    assert huge.value.code == "process.version_unknown"
    assert "V1.1-202403-客户投诉" in unknown.value.hint("zh")
    with pytest.raises(NotFoundError) as nowhere:
        knowledge.version_page(demo_app, admin, "no-such-process", "1")
    assert nowhere.value.code == "process.not_published"
