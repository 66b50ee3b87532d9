"""The satisfaction survey (MTR-2): the worker's sweep asks each department that took part
in a completed instance, once; heads (or their deputies, or administrators) answer once with
a score from 1 to 5; a process with ``survey: false`` is never asked. On both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from oaflow.domain.security import SYSTEM
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.processes import builtin_source
from oaflow.services import (
    catalog,
    delivery,
    deputies,
    notify_admin,
    survey_sweep,
    surveys,
    timers,
)
from oaflow.services.app import App
from oaflow.storage.runtime_reads import find_instance

from .driver import COMPLAINT, Driver, outbox, who
from .test_timers import run_against_paused


def complaint_to_its_end(app: App) -> str:
    """A quality complaint: 客户服务部 (csd) starts, triages, reviews and replies; 生产部
    (prd) handles it."""
    d = Driver(app)
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    d.complete("prd.head", "handle", cause="包装材料批次问题", solution="更换供应商")
    d.approve("csd.head", "review")
    d.complete("csd.staff", "reply", reply="已致电客户并补发")
    return key


def asked(app: App) -> list[tuple[list[str], str]]:
    return [
        (m["recipients"], m["data"]["department_zh"])
        for m in outbox(app)
        if m["event"] == "survey_requested"
    ]


def test_a_completed_instance_asks_each_department_that_took_part_once(
    demo_app: App, clock: FixedClock
) -> None:
    key = complaint_to_its_end(demo_app)
    assert timers.fire_due(demo_app, clock.now()) == 0  # not on the completing transaction
    assert surveys.of_instance(demo_app, SYSTEM, key) == []
    due = timers.next_due(demo_app)
    assert due == clock.now() + survey_sweep.SETTLE
    clock.set(due)
    assert timers.fire_due(demo_app, clock.now()) == 1
    found = surveys.of_instance(demo_app, SYSTEM, key)
    assert [(s.department.code, s.score, s.asked_at) for s in found] == [
        ("csd", None, due),
        ("prd", None, due),
    ]
    assert asked(demo_app) == [(["csd.head"], "客户服务部"), (["prd.head"], "生产部")]
    requests = [m for m in outbox(demo_app) if m["event"] == "survey_requested"]
    assert requests[1]["data"]["page"] == f"/surveys#survey-{found[1].id}"
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(demo_app, who(demo_app, "admin"), "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, lambda kind: recorder, clock.now())
    (mail,) = [
        d.message
        for d in recorder.deliveries
        if d.message.address_name == "陈志强" and "满意度调查" in d.message.subject
    ]
    assert mail.subject == f"【满意度调查】客户投诉 · {key}"
    assert mail.link.endswith(f"/surveys#survey-{found[1].id}") and mail.link in mail.text
    assert "请代表生产部为本次协作打分" in mail.text
    # a second sweep, and the demo builder's call, open nothing new
    clock.advance(timedelta(hours=1))
    assert timers.fire_due(demo_app, clock.now()) == 0 and survey_sweep.next_due(demo_app) is None
    assert requests[0]["business_key"] == key  # the instance's message
    with demo_app.db.read() as conn:
        instance = find_instance(conn, demo_app.sensitive, key)
    assert instance is not None and surveys.open_surveys(demo_app, [instance.id or 0]) == []
    assert len(surveys.of_instance(demo_app, SYSTEM, key)) == 2 and len(asked(demo_app)) == 2
    assert [s.department.code for s in surveys.waiting(demo_app, who(demo_app, "prd.head"))] == [
        "prd"
    ]


def opened(app: App, clock: FixedClock, key: str = "") -> dict[str, int]:
    """A complaint completed and its surveys opened: {department: survey id}."""
    key = key or complaint_to_its_end(app)
    clock.advance(survey_sweep.SETTLE)
    timers.fire_due(app, clock.now())
    return {s.department.code: s.id for s in surveys.of_instance(app, SYSTEM, key)}


def test_an_answer_is_a_score_from_1_to_5_given_once_by_the_head(
    demo_app: App, clock: FixedClock
) -> None:
    ids = opened(demo_app, clock)
    head = who(demo_app, "prd.head")
    for bad in (0, 6, "good", "", True, 4.5):
        with pytest.raises(InputError) as refused:
            surveys.answer(demo_app, head, ids["prd"], bad, "ok")
        assert refused.value.code == "survey.bad_score"
        assert "1 到 5" in refused.value.text("zh") and "1 to 5" in refused.value.text("en")
    with pytest.raises(InputError, match="at most 1000"):
        surveys.answer(demo_app, head, ids["prd"], 5, "长" * 1001)
    assert surveys.survey(demo_app, head, ids["prd"]).score is None  # nothing changed
    with pytest.raises(ForbiddenError):  # sees the instance, does not answer for prd
        surveys.answer(demo_app, who(demo_app, "csd.head"), ids["prd"], 3)
    with pytest.raises(NotFoundError):  # does not even see it
        surveys.answer(demo_app, who(demo_app, "fin.head"), ids["prd"], 3)
    view = surveys.answer(demo_app, head, ids["prd"], "4", "  配合顺畅  ")
    assert (view.score, view.comment, view.answered_by and view.answered_by.login) == (
        4,
        "配合顺畅",
        "prd.head",
    )
    with pytest.raises(ConflictError) as twice:
        surveys.answer(demo_app, who(demo_app, "admin"), ids["prd"], 1)
    assert "生产部" in twice.value.text("zh") and "Chen Zhiqiang" in twice.value.text("en")
    assert surveys.survey(demo_app, head, ids["prd"]).score == 4
    assert surveys.waiting(demo_app, head) == []


def test_a_deputy_answers_for_the_absent_head(demo_app: App, clock: FixedClock) -> None:
    admin = who(demo_app, "admin")
    key = complaint_to_its_end(demo_app)
    now = clock.now()  # csd.head is away when the survey is asked, and after
    deputies.set_deputy(demo_app, admin, "csd.head", "log.head", now, now + timedelta(days=30))
    ids = opened(demo_app, clock, key)
    assert (["csd.head", "log.head"], "客户服务部") in asked(demo_app)
    deputy = who(demo_app, "log.head")
    assert [s.id for s in surveys.waiting(demo_app, deputy)] == [ids["csd"]]
    view = surveys.answer(demo_app, deputy, ids["csd"], 5)
    assert view.answered_by is not None and view.answered_by.login == "log.head"
    assert {s.id for s in surveys.waiting(demo_app, admin, every=True)} == {ids["prd"]}


def test_a_process_that_says_survey_false_is_never_asked(demo_app: App, clock: FixedClock) -> None:
    source, file = builtin_source("customer-complaint")
    quiet = source.replace("tags: [customer]\n", "tags: [customer]\nsurvey: false\n")
    assert quiet != source
    published = catalog.publish(demo_app, who(demo_app, "admin"), quiet, file)
    assert published.version == 2
    key = complaint_to_its_end(demo_app)
    clock.advance(survey_sweep.SETTLE)
    assert timers.fire_due(demo_app, clock.now()) == 1  # looked at, passed over
    assert surveys.of_instance(demo_app, SYSTEM, key) == [] and asked(demo_app) == []
    assert survey_sweep.next_due(demo_app) is None


def test_two_workers_sweeping_at_once_ask_each_department_once(
    demo_app: App, clock: FixedClock
) -> None:
    """One worker's sweep is paused before its commit while a second one sweeps: the second
    waits for the watermark (PostgreSQL: its row lock; SQLite: the write lock), then finds
    nothing left to do."""
    key = complaint_to_its_end(demo_app)
    due = clock.now() + survey_sweep.SETTLE
    second, error = run_against_paused(
        demo_app,
        lambda a: survey_sweep.fire_one(a, due),
        lambda a: survey_sweep.fire_one(a, due),
    )
    assert (second, error) == (False, None)
    assert len(surveys.of_instance(demo_app, SYSTEM, key)) == 2 and len(asked(demo_app)) == 2
