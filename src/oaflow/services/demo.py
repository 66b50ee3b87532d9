"""`oaflow demo`: the four built-in processes replayed on a fresh database (S1–S4).

Every step runs through the same services as the CLI, on a temporary SQLite file, with the
simulated clock set to the step's local time. The replay reproduces the manual's worked
example (a): PROJ20240301 · 研发方案输出(研发部) · planned 2024-03-18 18:00 · done 2024-03-19
10:00 · 已完成(延迟16小时) · 客户需求临时变更.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.security import SYSTEM, Principal
from oaflow.domain.states import Action
from oaflow.domain.text import Text
from oaflow.engine.runtime import Command
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.services import authz, delivery, messages, notify_admin, queries, runtime, setup, timers
from oaflow.services.app import App
from oaflow.services.views import InstanceDetail, Person
from oaflow.storage.database import Database


@dataclass
class Replay:
    """Drives the services as people would, at given local times."""

    app: App
    clock: FixedClock
    keys: list[str] = field(default_factory=list)
    sent: RecordingChannel = field(default_factory=RecordingChannel)

    def at(self, local: str) -> Replay:
        """Move the clock to ``local``, handling every SLA check due on the way (TIME-8),
        and deliver the messages written so far."""
        self.deliver()
        timers.tick(self.app, self.clock, parse_instant(local, self.app.calendar.tz))
        self.deliver()
        return self

    def deliver(self) -> None:
        delivery.deliver_due(self.app, lambda kind: self.sent, self.clock.now())

    def ack(self, login: str, node: str) -> None:
        self.do(login, node, Action.ACK)

    def start(self, key: str, actor: str, form: Mapping[str, Any]) -> str:
        business_key = runtime.start(self.app, self.who(actor), key, form).business_key
        self.keys.append(business_key)
        return business_key

    def do_in(self, business_key: str, login: str, node: str, action: Action, **kw: Any) -> None:
        """Act on ``login``'s task at ``node`` of one particular instance."""
        task_id = self._task(login, node, business_key)
        runtime.act(self.app, self.who(login), task_id, Command(action, login, **kw))

    def _task(self, login: str, node: str, business_key: str | None = None) -> int:
        found = [
            t
            for t in queries.tasks_for(self.app, self.who(login))
            if t.node.id == node and business_key in (None, t.business_key)
        ]
        if not found:
            raise LookupError(f"demo: {login} has no open task at {node}")
        return found[0].id

    def do(self, login: str, node: str, action: Action, **kw: Any) -> None:
        task_id = self._task(login, node)
        runtime.act(self.app, self.who(login), task_id, Command(action, login, **kw))

    def who(self, login: str) -> Principal:
        return authz.principal(self.app, login)

    def approve(self, login: str, node: str, note: str = "") -> None:
        self.do(login, node, Action.APPROVE, note=note)

    def complete(
        self,
        login: str,
        node: str,
        note: str = "",
        files: Mapping[str, str] | None = None,
        **outputs: Any,
    ) -> None:
        self.do(login, node, Action.COMPLETE, note=note, outputs=outputs, deliverables=files or {})


def launch(r: Replay) -> None:
    """S1 新产品上市, with worked example (a)."""
    r.at("2024-03-12 09:00").start(
        "new-product-launch",
        "mkt.head",
        {
            "title": "新产品A上市推进",
            "goal": "缩短上市周期30%",
            "priority": "high",
            "collaborating_departments": ["rnd", "prd", "sal", "leg"],
            "key_nodes": [
                {"name": "需求确认完成", "date": "2024-03-15", "owner": "mkt"},
                {"name": "方案评审通过", "date": "2024-04-01", "owner": "rnd"},
                {"name": "试点上线", "date": "2024-04-20", "owner": "sal"},
            ],
            "deliverables": ["研发方案", "产能确认单", "上市材料", "培训记录"],
        },
    )
    for code in ("rnd", "prd", "sal", "leg"):
        r.at("2024-03-12 14:00").ack(f"{code}.head", "confirm_requirements")
    for hour, code in zip((10, 11, 14, 15), ("rnd", "prd", "sal", "leg"), strict=True):
        r.at(f"2024-03-13 {hour}:00").approve(
            f"{code}.head", "confirm_requirements", "确认需求无异议"
        )
    r.at("2024-03-13 16:00").ack("vp.market", "n002")
    r.at("2024-03-15 18:00").approve("vp.market", "n002", "同意立项")
    r.at("2024-03-15 18:30").ack("rnd.head", "n003")
    r.at("2024-03-18 16:00").do(
        "rnd.head", "n003", Action.PROGRESS, progress=60, note="研发方案初稿已完成"
    )
    r.at("2024-03-19 10:00").complete(
        "rnd.head",
        "n003",
        note="客户需求临时变更",
        files={"研发方案": "研发方案-V2.pdf"},
        plan_summary="模块化设计，分两期交付",
    )
    r.at("2024-03-19 14:00").ack("prd.head", "capacity")
    r.at("2024-03-20 16:00").complete("prd.head", "capacity", note="产能可满足首批5000台")
    r.at("2024-03-21 09:00").ack("sal.head", "sales_training")
    r.at("2024-03-21 11:00").approve("leg.head", "legal_review", "上市材料合规")
    r.at("2024-03-22 17:00").complete("sal.head", "sales_training", note="已完成两场销售培训")


COMPLAINTS = [
    ("quality", "prd.head", "包装材料强度不足", "更换加厚包装并补发新品"),
    ("logistics", "log.head", "承运商中转延误", "更换承运商并补偿运费"),
    ("service", "svc.head", "客服未按规范答复", "专项培训并回访客户"),
]


def complaints(r: Replay) -> None:
    """S2 客户投诉: one of each type, routed to 生产部 / 物流部 / 客服部, and one whose handling
    department does not acknowledge: reminded at 24 h and 36 h, escalated at 48 h (TIME-2).
    The complaints overlap in time; their steps run in time order."""
    steps: list[tuple[str, Callable[[], object]]] = []
    for number, (kind, handler, cause, solution) in enumerate(COMPLAINTS, start=1):
        steps += _complaint_steps(r, number, kind, handler, cause, solution)
    key = "TS202403004"
    steps += [
        (
            "2024-03-07 09:00",
            lambda: r.start(
                "customer-complaint",
                "csd.staff",
                _complaint_form("客户投诉-物流延迟(未及时接收)", "logistics"),
            ),
        ),
        (
            "2024-03-07 10:00",
            lambda: r.do_in(key, "csd.head", "triage", Action.APPROVE, note="受理"),
        ),
        ("2024-03-09 11:00", lambda: r.do_in(key, "log.head", "handle", Action.ACK)),
        (
            "2024-03-11 15:00",
            lambda: r.do_in(
                key,
                "log.head",
                "handle",
                Action.COMPLETE,
                outputs={"cause": "仓库交接遗漏", "solution": "补发并优化交接"},
            ),
        ),
        (
            "2024-03-11 16:00",
            lambda: r.do_in(key, "csd.head", "review", Action.APPROVE, note="认可"),
        ),
        (
            "2024-03-11 17:00",
            lambda: r.do_in(
                key,
                "csd.staff",
                "reply",
                Action.COMPLETE,
                outputs={"reply": "已致歉并补偿", "satisfaction": 4},
            ),
        ),
    ]
    for when, step in sorted(steps, key=lambda item: item[0]):
        r.at(when)
        step()


def _complaint_form(title: str, kind: str) -> dict[str, Any]:
    return {
        "title": title,
        "customer": "华东某经销商",
        "phone": "021-00000000",
        "complaint_type": kind,
        "description": "客户来电投诉",
    }


def _complaint_steps(
    r: Replay, number: int, kind: str, handler: str, cause: str, solution: str
) -> list[tuple[str, Callable[[], object]]]:
    key, day = f"TS202403{number:03d}", number + 3

    def act(login: str, node: str, action: Action, **kw: Any) -> Callable[[], object]:
        return lambda: r.do_in(key, login, node, action, **kw)

    outputs = {"cause": cause, "solution": solution}
    return [
        (
            f"2024-03-{day:02d} 09:00",
            lambda: r.start(
                "customer-complaint", "csd.staff", _complaint_form(f"客户投诉-{kind}", kind)
            ),
        ),
        (f"2024-03-{day:02d} 10:00", act("csd.head", "triage", Action.APPROVE, note="受理")),
        (f"2024-03-{day:02d} 15:00", act(handler, "handle", Action.COMPLETE, outputs=outputs)),
        (
            f"2024-03-{day + 1:02d} 10:00",
            act("csd.head", "review", Action.APPROVE, note="处理结果认可"),
        ),
        (
            f"2024-03-{day + 1:02d} 14:00",
            act(
                "csd.staff",
                "reply",
                Action.COMPLETE,
                outputs={"reply": "已回复客户", "satisfaction": 5},
            ),
        ),
    ]


def budgets(r: Replay) -> None:
    """S3 年度预算: one under and one over the general manager's threshold."""
    for month, rnd_amount in ((10, 900_000), (11, 1_600_000)):
        r.at(f"2024-{month}-08 09:00").start(
            "annual-budget",
            "fin.head",
            {
                "title": f"2025年度预算编制({'常规' if rnd_amount < 1e6 else '含重大投入'})",
                "fiscal_year": 2025,
                "departments": ["mkt", "rnd", "prd"],
                "total_cap": 5_000_000,
                "growth_threshold": 0.8,
            },
        )
        for code in ("mkt", "rnd", "prd"):
            r.at(f"2024-{month}-08 14:00").ack(f"{code}.head", "dept_budgets")
        for hour, (code, amount) in zip(
            (10, 14, 16), (("mkt", 800_000), ("rnd", rnd_amount), ("prd", 700_000)), strict=True
        ):
            r.at(f"2024-{month}-09 {hour}:00").complete(
                f"{code}.head",
                "dept_budgets",
                budget_amount=amount,
                last_year_amount=int(amount * 0.9),
                budget_items="人员、设备、差旅",
            )
        r.at(f"2024-{month}-10 11:00").approve("vp.admin", "leader_approval", "同意")
        if rnd_amount > 1_000_000:
            r.at(f"2024-{month}-11 10:00").approve("gm", "gm_approval", "同意重大投入")


def milestones(r: Replay) -> None:
    """S4 项目里程碑: three milestones, the second one late."""
    r.at("2024-05-06 09:00").start(
        "project-milestones",
        "itd.head",
        {
            "title": "数字化转型一期",
            "project_lead": "itd.head",
            "m1_date": "2024-05-20T18:00",
            "m1_department": "mkt",
            "m2_date": "2024-06-10T18:00",
            "m2_department": "itd",
            "m3_date": "2024-07-01T18:00",
            "m3_department": "prd",
        },
    )
    r.at("2024-05-06 10:00").ack("mkt.head", "m1")
    r.at("2024-05-17 15:00").complete("mkt.head", "m1", files={"需求确认书": "需求确认书.docx"})
    r.at("2024-05-17 16:00").ack("itd.head", "m2")
    r.at("2024-06-12 11:00").complete(
        "itd.head",
        "m2",
        note="评审专家时间冲突，会议顺延",
        files={"方案评审报告": "方案评审报告.pdf"},
    )
    r.at("2024-06-12 14:00").ack("prd.head", "m3")
    r.at("2024-06-28 17:00").complete("prd.head", "m3", files={"试点上线报告": "试点上线报告.pdf"})


SCENARIOS: list[Callable[[Replay], None]] = [
    complaints,
    launch,
    milestones,
    budgets,
]  # in time order


@contextmanager
def demo_app(calendar: WorkingCalendar, lang: str = "zh") -> Iterator[Replay]:
    """A fresh temporary database with the demo organisation and the built-in processes."""
    with tempfile.TemporaryDirectory(prefix="oaflow-demo-") as folder:
        clock = FixedClock(parse_instant("2024-03-01T08:00", calendar.tz))
        app = App(
            db=Database(f"sqlite:///{Path(folder) / 'demo.db'}"),
            clock=clock,
            calendar=calendar,
            default_locale=lang,
        )
        try:
            setup.init(app, demo=True)
            add_demo_channels(app)
            yield Replay(app, clock)
        finally:
            app.db.dispose()


#: the demo company's channels; the demo delivers through the recording channel, so nothing
#: leaves the machine, and shows where each message went
DEMO_CHANNELS: list[tuple[str, str, dict[str, Any], str | None]] = [
    (
        "企业邮箱",
        "email",
        {"host": "smtp.demo.oaflow.local", "sender": "oa@demo.oaflow.local"},
        None,
    ),
    (
        "客户服务部钉钉群",
        "dingtalk",
        {"url": "https://oapi.dingtalk.com/robot/send?access_token=demo", "secret": "SECdemo"},
        "csd",
    ),
    (
        "研发部飞书群",
        "feishu",
        {"url": "https://open.feishu.cn/open-apis/bot/v2/hook/demo", "secret": "demo"},
        "rnd",
    ),
    (
        "生产部企业微信群",
        "wecom",
        {"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo"},
        "prd",
    ),
]


def add_demo_channels(app: App) -> None:
    for name, kind, settings, department in DEMO_CHANNELS:
        notify_admin.add_channel(app, SYSTEM, name, kind, settings, department)


@dataclass(frozen=True)
class MessageTrace:
    """Where one message of an instance went: in-app to whom, and through which channels."""

    at: datetime
    event: str
    node: Text | None
    in_app: tuple[Person, ...]
    channels: tuple[SentThrough, ...]


@dataclass(frozen=True)
class SentThrough:
    """A channel a message went through, and to whom when it was a person's (e-mail)."""

    endpoint: str
    recipient: Person | None


@dataclass(frozen=True)
class ReplayedInstance:
    detail: InstanceDetail
    messages: tuple[MessageTrace, ...]


def replay(calendar: WorkingCalendar, lang: str = "zh") -> list[ReplayedInstance]:
    """Run S1–S4 and return each instance's view (timeline, progress table and where its
    messages went); messages are written in ``lang``."""
    with demo_app(calendar, lang) as r:
        for scenario in SCENARIOS:
            scenario(r)
        r.deliver()
        traces = messages_by_instance(r.app)
        return [
            ReplayedInstance(
                queries.instance_detail(r.app, SYSTEM, key), tuple(traces.get(key, []))
            )
            for key in r.keys
        ]


def messages_by_instance(app: App) -> dict[str, list[MessageTrace]]:
    """Each instance's messages: when, what, to whom in the app, and where else they went."""
    where: dict[str, list[SentThrough]] = {}
    for d in messages.deliveries(app, SYSTEM):
        where.setdefault(d.message_id, []).append(SentThrough(d.endpoint, d.recipient))
    found: dict[str, list[MessageTrace]] = {}
    for m in messages.outbox(app, SYSTEM):
        found.setdefault(m.business_key or "", []).append(
            MessageTrace(
                m.created_at, m.event, m.node, m.recipients, tuple(where.get(m.message_id, []))
            )
        )
    return found
