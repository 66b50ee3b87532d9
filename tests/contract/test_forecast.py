"""The completion forecast (services/forecast.py) and its warning sweep on a crafted history
worked out by hand, on SQLite and PostgreSQL.

The business calendar works 09:00-12:00 and 13:30-18:00 (7.5 hours a day) in Shanghai;
March 2024 has no holidays. Complaints (quality: handled by 生产部 prd.head) by csd.head;
time limits triage 4, handle 48, review 8, reply 8 working hours (68 in all).

History, three complaints started Mon 03-04 09:00, triage done 10:00 (1 h each):
- H1: handle 12:00 (2 h), review 14:30 (1 h: 12-12 is lunch), reply 15:30 (1 h)
- H2: handle 14:30 (3 h), review 15:30 (1 h), reply 16:30 (1 h)
- H3: handle Tue 09:30 (7 h), review 11:30 (2 h), reply 14:00 (1 h: 11:30-12, 13:30-14)
Nearest rank of three: the median is the 2nd, the p90 the 3rd: handle 3 / 7 h, review
1 / 2 h, reply 1 / 1 h, triage 1 / 1 h (K's and R's triage add two more 1 h).

K started Mon 03-04 09:00 too, triaged 10:00, its handle still open; R started Wed 03-06
09:00, triaged 10:00, its handle open.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import NotFoundError
from oaflow.domain.forecast import ForecastState, Source
from oaflow.domain.states import Action
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.present.forecast_words import more_at_risk
from oaflow.services import authz, delivery, forecast, forecast_sweep, notify_admin
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, outbox, tasks_of, who

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = 3600
LN5 = math.log(5)


def at(when: str) -> datetime:
    return datetime.strptime(f"2024-{when}", "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


STEP = {
    "triage": ("csd.head", Action.APPROVE, {}),
    "handle": ("prd.head", Action.COMPLETE, {"outputs": {"cause": "包装", "solution": "换"}}),
    "review": ("csd.head", Action.APPROVE, {}),
    "reply": ("csd.head", Action.COMPLETE, {"outputs": {"reply": "已处理"}}),
}


def act(d: Driver, clock: FixedClock, key: str, node: str, when: str) -> None:
    clock.set(at(when))
    login, action, given = STEP[node]
    (task,) = [
        t["id"] for t in tasks_of(d.app, login) if t["node_id"] == node and t["business_key"] == key
    ]
    d.do(int(task), action, login, **given)


@pytest.fixture
def crafted(demo_app: App, clock: FixedClock) -> dict[str, str]:
    d, keys = Driver(demo_app), {}
    clock.set(at("03-04 09:00"))
    for name in ("H1", "H2", "H3", "K"):
        keys[name] = d.start("customer-complaint", "csd.head", COMPLAINT)
    for name in ("H1", "H2", "H3", "K"):
        act(d, clock, keys[name], "triage", "03-04 10:00")
    plan: list[tuple[str, str, str]] = [
        ("H1", "handle", "03-04 12:00"),
        ("H1", "review", "03-04 14:30"),
        ("H2", "handle", "03-04 14:30"),
        ("H1", "reply", "03-04 15:30"),
        ("H2", "review", "03-04 15:30"),
        ("H2", "reply", "03-04 16:30"),
        ("H3", "handle", "03-05 09:30"),
        ("H3", "review", "03-05 11:30"),
        ("H3", "reply", "03-05 14:00"),
    ]
    for name, node, when in plan:
        act(d, clock, keys[name], node, when)
    clock.set(at("03-06 09:00"))
    keys["R"] = d.start("customer-complaint", "csd.head", COMPLAINT)
    act(d, clock, keys["R"], "triage", "03-06 10:00")
    return keys


def _near(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) < 2


def test_forecasts_warnings_and_scope(
    demo_app: App, clock: FixedClock, crafted: dict[str, str]
) -> None:
    """One history per database (the suite is lean), several looks at it."""
    app, keys = demo_app, crafted
    clock.set(at("03-06 11:00"))
    found = {f.business_key: f for f in forecast.forecasts(app, who(app, "admin"))}
    assert set(found) == {keys["K"], keys["R"]}  # the running ones
    r = found[keys["R"]]
    # R's handle has run 1 h of its median 3 / p90 7: 5/6 of such tasks are still open
    # after 1 h (half finish evenly in the first 3 h); the tail's scale is (7 - 3) / ln 5;
    # its remaining median is where 5/12 are still open, the p90 where 1/12 are
    tail = 4 / LN5
    handle = (3 + tail * math.log(0.5 / (5 / 12)) - 1, 3 + tail * math.log(0.5 / (1 / 12)) - 1)
    median = handle[0] + 1 + 1  # then review 1 h, reply 1 h
    p90 = median + math.sqrt((handle[1] - handle[0]) ** 2 + (2 - 1) ** 2 + 0)
    assert (r.remaining_median, r.remaining_p90) == (round(median * H), round(p90 * H))
    # from Wed 11:00: one hour to 12:00, the rest from 13:30; the p90 runs into Thursday
    assert _near(r.median, at("03-06 13:30") + timedelta(hours=median - 1))
    assert _near(r.p90, at("03-07 13:30") + timedelta(hours=p90 - 5.5 - 3))
    # 68 working hours from Wed 03-06 09:00: nine days (67.5 h) to Mon 03-18, then 09:30 Tue
    assert r.deadline == at("03-19 09:30")
    assert r.state is ForecastState.ON_TRACK
    assert [n.id for n in r.current] == ["handle"] and r.owners == ("prd.head",)
    used = {n.node.id: (n.median, n.p90, n.source, n.samples) for n in r.nodes}
    assert used == {
        "handle": (3 * H, 7 * H, Source.HISTORY, 3),
        "review": (1 * H, 2 * H, Source.HISTORY, 3),
        "reply": (1 * H, 1 * H, Source.HISTORY, 3),
    }

    # Thu 03-14 17:00: K's handle has run 65.5 h, far past its median: on the tail, it needs
    # tail·ln 2 (median) / tail·ln 10 (p90) more, then review and reply
    clock.set(at("03-14 17:00"))
    k = forecast.forecast_of(app, who(app, "csd.head"), keys["K"])
    assert k is not None
    median = tail * math.log(2) + 2
    p90 = median + math.sqrt((tail * math.log(10) - tail * math.log(2)) ** 2 + 1)
    assert (k.remaining_median, k.remaining_p90) == (round(median * H), round(p90 * H))
    assert k.deadline == at("03-15 09:30")  # 68 h from Mon 03-04 09:00: 9 days and 0.5 h
    assert k.state is ForecastState.AT_RISK  # p90 Fri afternoon, the deadline not passed
    assert [f.business_key for f in forecast.forecasts(app, who(app, "csd.head"))] == [
        keys["K"],
        keys["R"],
    ]
    # the review's list: the most urgent few of those not on track, and how many in all
    not_on_track = forecast.forecasts(app, who(app, "admin"), not_on_track=True)
    assert [f.business_key for f in not_on_track][:1] == [keys["K"]]
    with authz.scoped_read(app, who(app, "admin")) as (conn, scope):
        urgent = forecast.most_urgent(app, conn, scope, None, 0)
        assert (urgent.listed, urgent.total) == ((), len(not_on_track))
        assert forecast.most_urgent(app, conn, scope, None, 1).listed == not_on_track[:1]
    more = more_at_risk(0, urgent.total)
    assert more is not None and f"另有 {urgent.total} 个未列出" in more.zh
    assert more_at_risk(urgent.total, urgent.total) is None
    # fin.head took no part: nothing of theirs; an unknown process is said so
    assert forecast.forecasts(app, who(app, "fin.head")) == ()
    with pytest.raises(NotFoundError):
        forecast.forecasts(app, who(app, "admin"), "no-such-process")

    warned = _sweeps(app, clock)
    assert [(m["message_id"], sorted(m["recipients"])) for m in warned] == [
        # its initiator and its open task's owner, once on Thursday and once on Friday
        (f"forecast_at_risk/{keys['K']}/2024-03-14", ["csd.head", "prd.head"]),
        (f"forecast_at_risk/{keys['K']}/2024-03-15", ["csd.head", "prd.head"]),
    ]
    assert warned[0]["data"]["page"] == "/instances/" + keys["K"]
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(app, who(app, "admin"), "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(app, lambda kind: recorder, clock.now())
    mails = [
        d.message
        for d in recorder.deliveries
        if d.message.address_name == "陈志强" and "完工预测预警" in d.message.subject
    ]
    assert len(mails) == 2 and mails[0].subject.startswith(f"【完工预测预警】{keys['K']}")
    assert mails[0].link.endswith(f"/instances/{keys['K']}") and mails[0].link in mails[0].text
    assert "当前环节：原因分析与处理" in mails[0].text
    assert "完成期限 2024-03-15 09:30" in mails[0].text

    clock.set(at("03-15 10:00"))  # the deadline has passed: late, not warned any more
    k = forecast.forecast_of(app, who(app, "admin"), keys["K"])
    assert k is not None and k.state is ForecastState.LATE
    monday = at("03-18 09:00")
    assert forecast_sweep.next_due(app) == monday
    assert forecast_sweep.fire_one(app, monday) is False  # swept; nobody to warn
    assert forecast_sweep.next_due(app) == at("03-19 09:00") and len(_warnings(app)) == 2


def _warnings(app: App) -> list[dict[str, Any]]:
    return [m for m in outbox(app) if m["event"] == forecast_sweep.EVENT]


def _sweeps(app: App, clock: FixedClock) -> list[dict[str, Any]]:
    """Two sweeps on Thursday warn K once; the sweep at the start of Friday once more."""
    thursday = at("03-14 17:00")
    assert forecast_sweep.fire_one(app, thursday) is True  # none yet today: at once
    clock.set(at("03-14 18:00"))
    assert forecast_sweep.fire_one(app, at("03-14 18:00")) is False  # today's is done
    friday = at("03-15 09:00")
    assert forecast_sweep.next_due(app) == friday  # the start of the next working day
    clock.set(friday)
    assert forecast_sweep.fire_one(app, friday) is True
    return _warnings(app)
