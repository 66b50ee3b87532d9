"""The demo company's last six weeks (`oaflow serve --demo`, `oaflow init --demo
--with-history`): a new demo database on which the four built-in processes have run up to
now, so that every page has something true to show.

The organisation and the processes are set up six weeks before ``now`` (the real time by
default) with a simulated clock, and people act through the same services as the CLI and
the API (their authorisation included), the timers ticking on the way: reminders,
warnings, escalations and overdue exceptions happen when they fall due. The clock ends at
``now``, so that what is open is truly open, and overdue, now.

- finished: the scenarios of `oaflow demo` moved by whole weeks — four complaints (S2) and
  the launch of 新产品A (S1) six to four weeks ago, a budget (S3) three weeks ago;
- running, counted in working days before today (holidays skipped): a project (S4) whose
  second milestone is overdue and escalated, with an exception open and a copy to the
  leaders; a complaint returned to 生产部 for more work; one 物流部 never acknowledged
  (reminded, urged, escalated, overdue); one waiting for 客户服务部's review and one just
  registered; two launches, one at 分管领导's review and one still being confirmed by the
  departments; a budget waiting for the general manager;
- the satisfaction surveys (MTR-2) of the finished ones: answered by the departments' heads
  two or three days after they were asked, but the budget's, still waiting.

Nothing is sent anywhere: the database has no channels, messages are in-app notifications
(those before three weeks ago read, the later ones unread).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import InputError, OAFlowError
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.meetings import ItemInput
from oaflow.domain.periods import days_between
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action, InstanceState
from oaflow.processes import demo_organisation
from oaflow.services import (
    meeting_actions,
    meetings,
    messages,
    metrics,
    queries,
    runtime,
    setup,
    surveys,
)
from oaflow.services.app import App
from oaflow.services.catalog import Published
from oaflow.services.demo import (
    Replay,
    Steps,
    budget,
    complaint_form,
    complaints,
    launch,
    merged,
    play,
)
from oaflow.services.metrics import Metrics
from oaflow.services.views import InstanceFilter
from oaflow.storage import failures

#: how far back the history starts: six weeks before this week's Monday
WEEKS = 6
#: the deepest working day (counted back from today) a running instance goes to
DEEPEST = 27


@dataclass(frozen=True)
class History:
    """What was made: the processes published, and the instances by state."""

    published: tuple[Published, ...]
    first: datetime  # when the organisation was set up
    now: datetime  # where the clock ended
    finished: int
    running: int
    review: Metrics  # the metrics of the simulated weeks (MTR-1..3)


class WorkingDays:
    """Local instants on the working days before ``now``'s date: ``at(1, "10:00")`` is 10:00
    on the last working day before today, ``at(5, …)`` five working days back."""

    def __init__(self, calendar: WorkingCalendar, now: datetime) -> None:
        self.tz = calendar.tz
        self.today = now.astimezone(ZoneInfo(self.tz)).date()
        self.days: list[date] = []
        day = self.today
        while len(self.days) < DEEPEST:
            day -= timedelta(days=1)
            if calendar.is_working_day(day):
                self.days.append(day)

    def day(self, back: int) -> date:
        return self.days[back - 1]

    def at(self, back: int, hm: str) -> datetime:
        return parse_instant(f"{self.day(back).isoformat()} {hm}", self.tz)

    def local(self, back: int, hm: str) -> str:
        """The same, as a form writes it: ``2024-05-20T18:00``."""
        return f"{self.day(back).isoformat()}T{hm}"

    def ahead(self, days: int) -> str:
        """The date ``days`` calendar days after today, as a form writes it."""
        return (self.today + timedelta(days=days)).isoformat()


def create(
    app: App, now: datetime | None = None, on_step: Callable[[datetime], None] | None = None
) -> History:
    """Set up the demo organisation and the built-in processes on ``app``'s new database six
    weeks before ``now`` (default: ``app``'s clock, the real time) and replay the company's
    work up to ``now``; ``on_step`` is told the instant of each step. A database that
    already has instances is refused and left as it is."""
    now = now or app.now()
    if _has_instances(app):
        raise InputError("demo.history_needs_new_database", url=failures.location(app.db))
    tz = app.default_timezone  # a new database's zone
    local_now = now.astimezone(ZoneInfo(tz))
    plan = china_calendar(years=range(local_now.year - 1, local_now.year + 1), tz=tz)
    days = WorkingDays(plan, now)
    monday = days.today - timedelta(days=days.today.weekday())
    first_day = min(monday - timedelta(weeks=WEEKS), days.day(DEEPEST))
    first = datetime.combine(first_day, time(8, 0), tzinfo=ZoneInfo(tz))
    with simulated_clock(app, first) as clock:
        published = tuple(setup.init(app, demo=True))
        r = Replay(app, clock)
        play(r, _history(r, WorkingDays(app.calendar, now), monday), on_step)
        r.at(now)
    page = queries.instances(app, SYSTEM, InstanceFilter(limit=500))
    running = sum(1 for i in page.items if i.state is InstanceState.RUNNING)
    review = metrics.metrics(app, SYSTEM, days_between(first, now, tz))
    return History(published, first, now, page.total - running, running, review)


def _has_instances(app: App) -> bool:
    try:
        failures.require_file(app.db)
        failures.require_tables(app.db)
    except OAFlowError:  # no file, no schema: a new database
        return False
    return queries.instances(app, SYSTEM, InstanceFilter(limit=1)).total > 0


@contextmanager
def simulated_clock(app: App, start: datetime) -> Iterator[FixedClock]:
    """``app`` on a simulated clock from ``start`` (its own clock back afterwards)."""
    real, clock = app.clock, FixedClock(start)
    app.clock = clock
    try:
        yield clock
    finally:
        app.clock = real


def _history(r: Replay, d: WorkingDays, monday: date) -> Steps:
    def weeks_back(weeks: int, scenario_monday: str) -> Replay:
        """The replay moved so that the scenario's week starts ``weeks`` before this one."""
        target = monday - timedelta(weeks=weeks)
        return r.shifted((target - date.fromisoformat(scenario_monday)).days)

    return merged(
        complaints(weeks_back(WEEKS, "2024-03-04")),
        launch(weeks_back(WEEKS, "2024-03-04")),
        budget(weeks_back(3, "2024-10-07"), "2024-10-08", 900_000),
        budget(weeks_back(1, "2024-10-07"), "2024-10-08", 1_600_000, decided=False),
        _project(r, d),
        _everyone_reads(r, d),
        _unacknowledged_complaint(r, d),
        _returned_complaint(r, d),
        _complaint_at_review(r, d),
        _new_complaint(r, d),
        _launch_at_review(r, d),
        _launch_being_confirmed(r, d),
        _weekly_meeting(r, d, monday),
        _surveys_answered(r, d),
    )


def _weekly_meeting(r: Replay, d: WorkingDays, monday: date) -> Steps:
    """MTG-1/2: 市场部 meets every Monday at 10:00; the timers prepare each report at 08:00
    and send it to the participants. Its head enters the resolutions in the afternoon and
    the owners mark them done — but last week's are still open, past their Friday deadline,
    and this week's meeting (once held) waits for its resolutions: 24 hours on, its
    organiser is reminded."""
    zone = ZoneInfo(d.tz)
    first = monday - timedelta(weeks=WEEKS - 1)
    yield datetime.combine(first - timedelta(days=3), time(17, 0), tzinfo=zone)
    meetings.add_schedule(r.app, r.who("mkt.head"), "mkt", "mon", "10:00")
    for week in range(WEEKS - 1):
        afternoon = datetime.combine(first + timedelta(weeks=week), time(15, 0), tzinfo=zone)
        yield afternoon
        held = [m for m in meetings.meetings(r.app, r.who("mkt.head")) if m.held_at <= afternoon]
        if not held or held[0].items:  # a holiday Monday: that meeting moved to a later day
            continue
        friday = afternoon.date() + timedelta(days=4)
        due = datetime.combine(friday, time(18, 0), tzinfo=zone)
        items = [
            ItemInput("各协同部门确认新品上市排期", "rnd.head", due),
            ItemInput("补充渠道推广费用测算", "sal.head", due),
        ]
        made = meeting_actions.resolve(r.app, r.who("mkt.head"), held[0].code, items)
        if week == WEEKS - 2:
            continue  # last week's items are still open
        yield afternoon + timedelta(days=1)
        for item in made:
            meeting_actions.mark_done(r.app, r.who(item.owner.login), item.id, "已完成")


#: the heads' answers to the satisfaction surveys, in turn: (score, comment)
SURVEY_ANSWERS = (
    (5, "配合顺畅，响应及时"),
    (4, "整体满意，个别环节稍慢"),
    (4, ""),
    (3, "信息传递不够及时，等待较久"),
    (5, "资料齐全，一次通过"),
    (2, "退回两次，需求描述需要更清楚"),
    (4, "按期完成"),
)
#: processes whose surveys are left waiting (the budget's heads still have one to answer)
SURVEYS_LEFT_OPEN = frozenset({"annual-budget"})


def _surveys_answered(r: Replay, d: WorkingDays) -> Steps:
    """MTR-2: the worker asks the departments of each completed instance a minute after its
    end (services/survey_sweep.py); their heads answer two or three days later — every
    three working days they look at what waits — all but the budget's, still open now."""
    org = demo_organisation()
    given = 0
    for back in range(DEEPEST, 1, -3):
        yield d.at(back, "17:00")
        due = r.clock.now() - timedelta(days=2)
        for survey in surveys.waiting(r.app, SYSTEM, every=True):
            head = org.head_of(survey.department.code)
            if survey.asked_at > due or survey.process in SURVEYS_LEFT_OPEN or head is None:
                continue
            score, comment = SURVEY_ANSWERS[given % len(SURVEY_ANSWERS)]
            surveys.answer(r.app, r.who(head), survey.id, score, comment)
            given += 1


def _project(r: Replay, d: WorkingDays) -> Steps:
    """S4: the first milestone on time; the second one overdue since four working days —
    an exception open, escalated to the project lead and the supervising leader — and its
    department copies the leaders on the delay."""
    yield d.at(DEEPEST, "09:00")
    key = r.start(
        "project-milestones",
        "itd.head",
        {
            "title": "客户关系管理系统升级",
            "project_lead": "itd.head",
            "m1_date": d.local(14, "18:00"),
            "m1_department": "mkt",
            "m2_date": d.local(4, "18:00"),
            "m2_department": "itd",
            "m3_date": f"{d.ahead(21)}T18:00",
            "m3_department": "prd",
        },
    )
    yield d.at(DEEPEST, "10:30")
    r.ack(key, "mkt.head", "m1")
    yield d.at(20, "16:00")
    r.do(key, "mkt.head", "m1", Action.PROGRESS, progress=50, note="已完成各部门需求访谈")
    yield d.at(15, "15:00")
    r.complete(key, "mkt.head", "m1", files={"需求确认书": "CRM需求确认书.docx"})
    yield d.at(15, "16:30")
    r.ack(key, "itd.head", "m2")
    yield d.at(10, "11:00")
    r.do(key, "itd.head", "m2", Action.PROGRESS, progress=40, note="方案初稿完成，待专家评审")
    yield d.at(3, "10:00")
    r.do(key, "itd.head", "m2", Action.PROGRESS, progress=70, note="评审专家时间冲突，会议顺延")
    yield d.at(3, "10:15")
    task = r.task(key, "itd.head", "m2")
    note = "方案评审会顺延至下周，请知悉"
    runtime.annotate(r.app, r.who("itd.head"), task, Action.CC, ("vp.tech", "gm"), note)


def _everyone_reads(r: Replay, d: WorkingDays) -> Steps:
    """Three weeks ago everybody had read their notifications; the later ones are unread."""
    yield d.at(12, "17:45")
    for user in demo_organisation().users:
        if messages.notifications(r.app, r.who(user), unread_only=True).unread:
            messages.mark_read(r.app, r.who(user), None)


def _unacknowledged_complaint(r: Replay, d: WorkingDays) -> Steps:
    """物流部 never acknowledges: reminded at 24 h and 36 h, urged by the clerk, escalated at
    48 h, overdue after 48 working hours (an exception opens)."""
    yield d.at(10, "09:00")
    form = complaint_form("客户投诉-到货延迟一周", "logistics")
    key = r.start("customer-complaint", "csd.staff", {**form, "customer": "杭州某连锁超市"})
    yield d.at(10, "09:40")
    r.approve(key, "csd.head", "triage", "受理，请物流部尽快核实")
    yield d.at(8, "10:00")
    task = r.task(key, "log.head", "handle")
    runtime.annotate(r.app, r.who("csd.staff"), task, Action.URGE, note="客户再次来电催促")


def _returned_complaint(r: Replay, d: WorkingDays) -> Steps:
    """生产部's first answer is returned (退回) by the review; it is working on it again."""
    yield d.at(6, "09:30")
    form = complaint_form("客户投诉-同批次多台屏幕划痕", "quality")
    key = r.start("customer-complaint", "csd.staff", {**form, "customer": "苏州某家电卖场"})
    yield d.at(6, "10:15")
    r.approve(key, "csd.head", "triage", "属实，转生产部处理")
    yield d.at(6, "14:00")
    r.ack(key, "prd.head", "handle")
    yield d.at(4, "16:00")
    r.complete(key, "prd.head", "handle", cause="装配工位治具磨损", solution="更换治具，为客户换货")
    yield d.at(3, "10:00")
    note = "请补充同批次库存的排查结果"
    r.do(key, "csd.head", "review", Action.RETURN, target="handle", note=note)
    yield d.at(3, "11:00")
    r.ack(key, "prd.head", "handle")
    yield d.at(2, "15:00")
    r.do(key, "prd.head", "handle", Action.PROGRESS, progress=50, note="同批次库存已排查一半")


def _complaint_at_review(r: Replay, d: WorkingDays) -> Steps:
    """客服部 has answered; 客户服务部 is to review it."""
    yield d.at(3, "14:00")
    key = r.start(
        "customer-complaint", "csd.staff", complaint_form("客户投诉-热线午间无人接听", "service")
    )
    yield d.at(3, "15:00")
    r.approve(key, "csd.head", "triage", "受理")
    yield d.at(2, "09:30")
    r.ack(key, "svc.head", "handle")
    yield d.at(1, "11:00")
    r.complete(key, "svc.head", "handle", cause="午间值班安排不足", solution="调整排班并回访客户")


def _new_complaint(r: Replay, d: WorkingDays) -> Steps:
    yield d.at(1, "16:30")
    r.start("customer-complaint", "csd.staff", complaint_form("客户投诉-外包装破损", "quality"))


def _launch_form(title: str, departments: list[str], d: WorkingDays) -> dict[str, object]:
    return {
        "title": title,
        "goal": "抢占第三季度渠道订货会",
        "priority": "high",
        "collaborating_departments": departments,
        "product_name": title.removesuffix("上市推进"),
        "key_nodes": [  # Template 1: the planned dates of 研发方案输出, 生产确认产能, 销售培训
            {"name": "研发输出方案", "date": d.ahead(3), "owner": "rnd"},
            {"name": "生产确认产能", "date": d.ahead(17), "owner": "prd"},
            {"name": "销售培训完成", "date": d.ahead(38), "owner": "sal"},
        ],
        "deliverables": ["研发方案", "生产产能表", "销售培训记录"],
    }


def _launch_at_review(r: Replay, d: WorkingDays) -> Steps:
    """S1 confirmed by four departments (财务部 among them), at 分管领导's review; the
    initiator urges it."""
    yield d.at(5, "09:00")
    departments = ["rnd", "prd", "fin", "sal"]
    key = r.start("new-product-launch", "mkt.head", _launch_form("新产品B上市推进", departments, d))
    yield d.at(5, "10:00")
    r.complete(key, "mkt.head", "n001", note="任务目标与协同部门清单已提交")
    for code in departments:
        yield d.at(5, "14:00")
        r.ack(key, f"{code}.head", "confirm_requirements")
    notes = ("确认需求无异议", "首批产能可以保障", "成本测算已确认", "同意，渠道已预热")
    for hour, code, note in zip((10, 11, 14, 15), departments, notes, strict=True):
        yield d.at(4, f"{hour}:00")
        r.approve(key, f"{code}.head", "confirm_requirements", note)
    yield d.at(3, "09:30")
    r.ack(key, "vp.market", "n002")
    yield d.at(1, "10:00")
    task = r.task(key, "vp.market", "n002")
    runtime.annotate(r.app, r.who("mkt.head"), task, Action.URGE, note="订货会前需完成立项")


def _launch_being_confirmed(r: Replay, d: WorkingDays) -> Steps:
    """S1 just started: 研发部 and 法务部 have confirmed, 生产部 and 财务部 not yet."""
    yield d.at(2, "10:00")
    departments = ["rnd", "prd", "fin", "leg"]
    key = r.start("new-product-launch", "mkt.head", _launch_form("新产品C上市推进", departments, d))
    yield d.at(2, "11:00")
    r.complete(key, "mkt.head", "n001", note="任务目标与协同部门清单已提交")
    yield d.at(2, "15:00")
    r.approve(key, "rnd.head", "confirm_requirements", "技术方案可行")
    yield d.at(1, "10:00")
    r.approve(key, "leg.head", "confirm_requirements", "无法律风险")
    yield d.at(1, "14:00")
    r.ack(key, "prd.head", "confirm_requirements")
