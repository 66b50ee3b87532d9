"""`oaflow demo`: the four built-in processes replayed on a fresh database (S1–S4).

Every step runs through the same services as the CLI, on a temporary SQLite file, with the
simulated clock set to the step's local time. The replay reproduces the manual's worked
example (a): PROJ20240301 · 研发方案输出(研发部) · planned 2024-03-18 18:00 · done 2024-03-19
10:00 · 已完成(延迟16小时) · 客户需求临时变更.

A scenario is a generator of steps: it yields the instant of its next step, and acts when
resumed (``play`` moves the clock there first), so that several scenarios run side by side
in time order (``merged``). Its dates are those of 2024; a replay ``shifted`` by some days
moves all of them, those of its forms too (services/demo_history.py replays them up to now).
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.periods import days_between
from oaflow.domain.security import SYSTEM, Principal
from oaflow.domain.states import Action
from oaflow.domain.text import Text
from oaflow.engine.runtime import Command
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.services import (
    archives,
    authz,
    delivery,
    exceptions,
    messages,
    metrics,
    notify_admin,
    queries,
    runtime,
    setup,
    timers,
)
from oaflow.services.app import App
from oaflow.services.archives import ArchiveFiles, ArchiveView
from oaflow.services.metrics import Metrics
from oaflow.services.views import InstanceDetail, Person
from oaflow.storage.database import Database

#: a scenario: the instants of its steps, each step taken when the generator is resumed
Steps = Iterator[datetime]


@dataclass
class Replay:
    """Drives the services as people would, at given local times (shifted by ``shift``)."""

    app: App
    clock: FixedClock
    keys: list[str] = field(default_factory=list)
    sent: RecordingChannel = field(default_factory=RecordingChannel)
    shift: timedelta = timedelta(0)  # whole days added to the scenario's dates

    def shifted(self, days: int) -> Replay:
        """The same replay (database, clock, instances) with the dates moved by ``days``."""
        return replace(self, shift=timedelta(days=days))

    def when(self, local: str) -> datetime:
        """``2024-03-12 09:00``, shifted, in the business calendar's zone."""
        moved = datetime.fromisoformat(local) + self.shift
        return parse_instant(moved.isoformat(sep=" "), self.app.calendar.tz)

    def day(self, text: str) -> str:
        """A date of a form, ``2024-03-15``, shifted."""
        return (date.fromisoformat(text) + self.shift).isoformat()

    def local(self, text: str) -> str:
        """A local date and time of a form, ``2024-05-20T18:00``, shifted."""
        return (datetime.fromisoformat(text) + self.shift).strftime("%Y-%m-%dT%H:%M")

    def at(self, when: datetime | str) -> Replay:
        """Move the clock to ``when``, handling every SLA check due on the way (TIME-8),
        and deliver the messages written so far."""
        until = self.when(when) if isinstance(when, str) else when
        self.deliver()
        timers.tick(self.app, self.clock, until)
        self.deliver()
        return self

    def deliver(self) -> None:
        delivery.deliver_due(self.app, lambda kind: self.sent, self.clock.now())

    def start(self, key: str, actor: str, form: Mapping[str, Any]) -> str:
        business_key = runtime.start(self.app, self.who(actor), key, form).business_key
        self.keys.append(business_key)
        return business_key

    def do(self, business_key: str, login: str, node: str, action: Action, **kw: Any) -> None:
        """Act on ``login``'s task at ``node`` of one instance."""
        task_id = self.task(business_key, login, node)
        runtime.act(self.app, self.who(login), task_id, Command(action, login, **kw))

    def task(self, business_key: str, login: str, node: str) -> int:
        """The id of ``login``'s open task at ``node`` of one instance."""
        found = [
            t
            for t in queries.tasks_for(self.app, self.who(login))
            if t.node.id == node and t.business_key == business_key
        ]
        if not found:
            raise LookupError(f"demo: {login} has no open task at {node} of {business_key}")
        return found[0].id

    def who(self, login: str) -> Principal:
        return authz.principal(self.app, login)

    def ack(self, business_key: str, login: str, node: str) -> None:
        self.do(business_key, login, node, Action.ACK)

    def approve(self, business_key: str, login: str, node: str, note: str = "") -> None:
        self.do(business_key, login, node, Action.APPROVE, note=note)

    def complete(
        self,
        business_key: str,
        login: str,
        node: str,
        note: str = "",
        files: Mapping[str, str] | None = None,
        **outputs: Any,
    ) -> None:
        self.do(
            business_key,
            login,
            node,
            Action.COMPLETE,
            note=note,
            outputs=outputs,
            deliverables=files or {},
        )


def merged(*scenarios: Steps) -> Steps:
    """Several scenarios as one, step by step in time order (at one instant, in the order
    given)."""
    queue: list[tuple[datetime, int, Steps]] = []

    def resume(order: int, steps: Steps) -> None:  # take the step under way, queue the next
        at = next(steps, None)
        if at is not None:
            heapq.heappush(queue, (at, order, steps))

    for order, steps in enumerate(scenarios):
        resume(order, steps)
    while queue:
        at, order, steps = heapq.heappop(queue)
        yield at
        resume(order, steps)


def play(r: Replay, steps: Steps, on_step: Callable[[datetime], None] | None = None) -> None:
    """Take every step, the clock moved to its instant first (``on_step`` is told it)."""
    for at in steps:
        r.at(at)
        if on_step is not None:
            on_step(at)


def launch(r: Replay) -> Steps:
    """S1 新产品上市, with worked example (a)."""
    yield r.when("2024-03-12 09:00")
    key = r.start(
        "new-product-launch",
        "mkt.head",
        {
            "title": "新产品A上市推进",
            "product_name": "新产品A",
            "goal": "3个月内完成产品上市",
            "priority": "high",
            "collaborating_departments": ["rnd", "prd", "sal", "leg"],
            "key_nodes": [  # Template 1: 3.15 / 4.1 / 4.20, the planned dates of their nodes
                {"name": "研发输出方案", "date": r.day("2024-03-15"), "owner": "rnd"},
                {"name": "生产确认产能", "date": r.day("2024-04-01"), "owner": "prd"},
                {"name": "销售培训完成", "date": r.day("2024-04-20"), "owner": "sal"},
            ],
            "deliverables": ["研发方案", "生产产能表", "销售培训记录"],
            "remarks": "需同步制定推广物料清单",
        },
    )
    yield r.when("2024-03-12 09:45")  # 001 需求提交: well within its 2 hours
    r.complete(key, "mkt.head", "n001", note="任务目标与协同部门清单已提交")
    for code in ("rnd", "prd", "sal", "leg"):
        yield r.when("2024-03-12 14:00")
        r.ack(key, f"{code}.head", "confirm_requirements")
    for hour, code in zip((10, 11, 14, 15), ("rnd", "prd", "sal", "leg"), strict=True):
        yield r.when(f"2024-03-13 {hour}:00")
        r.approve(key, f"{code}.head", "confirm_requirements", "确认需求无异议")
    yield r.when("2024-03-13 16:00")
    r.ack(key, "vp.market", "n002")
    yield r.when("2024-03-15 18:00")
    r.approve(key, "vp.market", "n002", "同意立项")
    yield r.when("2024-03-15 18:30")
    r.ack(key, "rnd.head", "n003")
    yield r.when("2024-03-18 16:00")
    r.do(key, "rnd.head", "n003", Action.PROGRESS, progress=60, note="研发方案初稿已完成")
    yield r.when("2024-03-19 10:00")
    r.complete(
        key,
        "rnd.head",
        "n003",
        note="客户需求临时变更",
        files={"研发方案": "研发方案-V2.pdf"},
        plan_summary="模块化设计，分两期交付",
    )
    yield r.when("2024-03-19 14:00")
    r.ack(key, "prd.head", "capacity")
    # worked example (b), Template 4: the timer found ABN20240301 when 研发方案输出 was overdue
    # (2024-03-18 18:00); 市场部 reports it, 研发部 explains, 市场部 coordinates and verifies
    yield r.when("2024-03-20 09:00")
    code = exceptions.open_exception(r.app, r.who("mkt.head"), key, "n003", "未在72小时内提交方案")
    yield r.when("2024-03-20 11:00")
    exceptions.report(
        r.app,
        r.who("rnd.head"),
        code,
        "需求变更",
        "客户需求临时变更，需额外确认",
        r.when("2024-03-21 12:00"),
        "市场部协助确认客户需求",
    )
    yield r.when("2024-03-20 14:00")
    plan = "客户需求确认后延迟24小时提交"
    exceptions.coordinate(
        r.app, r.who("mkt.head"), code, plan, "rnd.head", r.when("2024-03-21 12:00")
    )
    yield r.when("2024-03-20 16:00")
    r.complete(key, "prd.head", "capacity", note="产能可满足首批5000台")
    yield r.when("2024-03-21 09:00")
    r.ack(key, "sal.head", "sales_training")
    yield r.when("2024-03-21 11:00")
    r.approve(key, "leg.head", "legal_review", "上市材料合规")
    yield r.when("2024-03-21 12:00")
    exceptions.resolve(r.app, r.who("rnd.head"), code, "研发方案已按确认后的需求提交评审")
    yield r.when("2024-03-21 15:00")
    exceptions.verify(r.app, r.who("mkt.head"), code, True, "方案通过评审")
    yield r.when("2024-03-22 17:00")
    r.complete(key, "sal.head", "sales_training", note="已完成两场销售培训")


COMPLAINTS = [
    ("quality", "prd.head", "包装材料强度不足", "更换加厚包装并补发新品"),
    ("logistics", "log.head", "承运商中转延误", "更换承运商并补偿运费"),
    ("service", "svc.head", "客服未按规范答复", "专项培训并回访客户"),
]


def complaints(r: Replay) -> Steps:
    """S2 客户投诉: one of each type, routed to 生产部 / 物流部 / 客服部, and one whose handling
    department does not acknowledge: reminded at 24 h and 36 h, escalated at 48 h (TIME-2).
    The complaints overlap in time; their steps run in time order."""
    return merged(
        *(
            _complaint(r, number + 3, kind, handler, cause, solution)
            for number, (kind, handler, cause, solution) in enumerate(COMPLAINTS, start=1)
        ),
        _unacknowledged_complaint(r),
    )


def _unacknowledged_complaint(r: Replay) -> Steps:
    yield r.when("2024-03-07 09:00")
    key = r.start(
        "customer-complaint",
        "csd.staff",
        complaint_form("客户投诉-物流延迟(未及时接收)", "logistics"),
    )
    yield r.when("2024-03-07 10:00")
    r.approve(key, "csd.head", "triage", "受理")
    yield r.when("2024-03-09 11:00")
    r.ack(key, "log.head", "handle")
    yield r.when("2024-03-11 15:00")
    r.complete(key, "log.head", "handle", cause="仓库交接遗漏", solution="补发并优化交接")
    yield r.when("2024-03-11 16:00")
    r.approve(key, "csd.head", "review", "认可")
    yield r.when("2024-03-11 17:00")
    r.complete(key, "csd.staff", "reply", reply="已致歉并补偿", satisfaction=4)


def complaint_form(title: str, kind: str) -> dict[str, Any]:
    return {
        "title": title,
        "customer": "华东某经销商",
        "phone": "021-00000000",
        "complaint_type": kind,
        "description": "客户来电投诉",
    }


def _complaint(r: Replay, day: int, kind: str, handler: str, cause: str, solution: str) -> Steps:
    """A complaint registered on 2024-03-``day`` and closed the next day."""
    yield r.when(f"2024-03-{day:02d} 09:00")
    key = r.start("customer-complaint", "csd.staff", complaint_form(f"客户投诉-{kind}", kind))
    yield r.when(f"2024-03-{day:02d} 10:00")
    r.approve(key, "csd.head", "triage", "受理")
    yield r.when(f"2024-03-{day:02d} 15:00")
    r.complete(key, handler, "handle", cause=cause, solution=solution)
    yield r.when(f"2024-03-{day + 1:02d} 10:00")
    r.approve(key, "csd.head", "review", "处理结果认可")
    yield r.when(f"2024-03-{day + 1:02d} 14:00")
    r.complete(key, "csd.staff", "reply", reply="已回复客户", satisfaction=5)


def budgets(r: Replay) -> Steps:
    """S3 年度预算: one under and one over the general manager's threshold."""
    yield from budget(r, "2024-10-08", 900_000)
    yield from budget(r, "2024-11-08", 1_600_000)


def budget(r: Replay, first: str, rnd_amount: int, decided: bool = True) -> Steps:
    """One budget started on ``first``, 研发部 asking for ``rnd_amount``: the departments
    submit the next day, the supervising leader approves the day after, and over 1,000,000
    the general manager the day after that (unless not ``decided``: it waits for them)."""
    start = date.fromisoformat(first)
    day = [(start + timedelta(days=n)).isoformat() for n in range(4)]
    fiscal_year = date.fromisoformat(r.day(first)).year + 1
    yield r.when(f"{day[0]} 09:00")
    key = r.start(
        "annual-budget",
        "fin.head",
        {
            "title": f"{fiscal_year}年度预算编制({'常规' if rnd_amount < 1e6 else '含重大投入'})",
            "fiscal_year": fiscal_year,
            "departments": ["mkt", "rnd", "prd"],
            "total_cap": 5_000_000,
            "growth_threshold": 0.8,
        },
    )
    for code in ("mkt", "rnd", "prd"):
        yield r.when(f"{day[0]} 14:00")
        r.ack(key, f"{code}.head", "dept_budgets")
    for hour, (code, amount) in zip(
        (10, 14, 16), (("mkt", 800_000), ("rnd", rnd_amount), ("prd", 700_000)), strict=True
    ):
        yield r.when(f"{day[1]} {hour}:00")
        r.complete(
            key,
            f"{code}.head",
            "dept_budgets",
            budget_amount=amount,
            last_year_amount=int(amount * 0.9),
            budget_items="人员、设备、差旅",
        )
    yield r.when(f"{day[2]} 11:00")
    r.approve(key, "vp.admin", "leader_approval", "同意")
    if rnd_amount > 1_000_000 and decided:
        yield r.when(f"{day[3]} 10:00")
        r.approve(key, "gm", "gm_approval", "同意重大投入")


def milestones(r: Replay) -> Steps:
    """S4 项目里程碑: three milestones, the second one late."""
    yield r.when("2024-05-06 09:00")
    key = r.start(
        "project-milestones",
        "itd.head",
        {
            "title": "数字化转型一期",
            "project_lead": "itd.head",
            "m1_date": r.local("2024-05-20T18:00"),
            "m1_department": "mkt",
            "m2_date": r.local("2024-06-10T18:00"),
            "m2_department": "itd",
            "m3_date": r.local("2024-07-01T18:00"),
            "m3_department": "prd",
        },
    )
    yield r.when("2024-05-06 10:00")
    r.ack(key, "mkt.head", "m1")
    yield r.when("2024-05-17 15:00")
    r.complete(key, "mkt.head", "m1", files={"需求确认书": "需求确认书.docx"})
    yield r.when("2024-05-17 16:00")
    r.ack(key, "itd.head", "m2")
    yield r.when("2024-06-12 11:00")
    r.complete(
        key,
        "itd.head",
        "m2",
        note="评审专家时间冲突，会议顺延",
        files={"方案评审报告": "方案评审报告.pdf"},
    )
    yield r.when("2024-06-12 14:00")
    r.ack(key, "prd.head", "m3")
    yield r.when("2024-06-28 17:00")
    r.complete(key, "prd.head", "m3", files={"试点上线报告": "试点上线报告.pdf"})


def scenarios(r: Replay) -> Steps:
    """S1–S4 as the report replays them (one after the other in 2024)."""
    return merged(complaints(r), launch(r), milestones(r), budgets(r))


@contextmanager
def demo_app(
    calendar: WorkingCalendar, lang: str = "zh", archive_files: ArchiveFiles | None = None
) -> Iterator[Replay]:
    """A fresh temporary database with the demo organisation and the built-in processes;
    ``archive_files`` writes the readable files of archives' bundles (ARC-1)."""
    with tempfile.TemporaryDirectory(prefix="oaflow-demo-") as folder:
        clock = FixedClock(parse_instant("2024-03-01T08:00", calendar.tz))
        app = App(
            db=Database(f"sqlite:///{Path(folder) / 'demo.db'}"),
            clock=clock,
            calendar=calendar,
            default_locale=lang,
            files_root=Path(folder) / "files",
        )
        app.archive_files = archive_files
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
    archives: tuple[ArchiveView, ...] = ()


@dataclass(frozen=True)
class Replayed:
    """The replayed instances, and the review of the weeks they ran (MTR-1..3)."""

    instances: list[ReplayedInstance]
    review: Metrics


def replay(
    calendar: WorkingCalendar, lang: str = "zh", archive_files: ArchiveFiles | None = None
) -> Replayed:
    """Run S1–S4 and return each instance's view (timeline, progress table and where its
    messages went) and the metrics of the replay; messages are written in ``lang``. With
    ``archive_files`` the archives' bundles are built (``archives`` of each instance)."""
    with demo_app(calendar, lang, archive_files) as r:
        first = r.app.now()
        play(r, scenarios(r))
        timers.fire_due(r.app, r.app.now())  # what the last step made due: archives' bundles
        r.deliver()
        traces = messages_by_instance(r.app)
        instances = [
            ReplayedInstance(
                queries.instance_detail(r.app, SYSTEM, key),
                tuple(traces.get(key, [])),
                tuple(archives.of_instance(r.app, SYSTEM, key)),
            )
            for key in r.keys
        ]
        review = metrics.metrics(r.app, SYSTEM, days_between(first, r.app.now(), calendar.tz))
        return Replayed(instances, review)


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
