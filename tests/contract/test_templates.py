"""Templates 1, 3 and 4 from a real database (TPL-1, TPL-3, TPL-4), on SQLite and PostgreSQL:
worked example (a) gives the manual's Template 3 row exactly, its instance exports to its
Template 1 row, lists keep to the caller's scope; the demo's world gives worked example (b)'s
Template 4 row exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from oaflow.domain.clock import FixedClock
from oaflow.domain.exception_loop import ExceptionState
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.security import SYSTEM
from oaflow.present.template3 import EXAMPLE as TEMPLATE_3_ROW
from oaflow.present.template3 import template3_row
from oaflow.present.template4 import template4_row
from oaflow.present.templates import TEMPLATE4_EXAMPLE
from oaflow.services import demo
from oaflow.services import templates as service
from oaflow.services.app import App
from oaflow.services.views import InstanceFilter

from .driver import Driver, who

TZ = "Asia/Shanghai"


def test_worked_example_a_as_templates_3_and_1(demo_app: App, clock: FixedClock) -> None:
    d = Driver(demo_app)
    form = {
        "title": "新产品A上市推进",
        "goal": "3个月内完成产品上市",
        "priority": "high",
        "collaborating_departments": ["rnd", "prd"],
        "deliverables": ["研发方案", "生产产能表"],
    }
    key = d.start("new-product-launch", "mkt.head", form)
    d.complete("mkt.head", "n001")
    for code in ("rnd", "prd"):
        d.approve(f"{code}.head", "confirm_requirements")
    clock.set(datetime(2024, 3, 15, 10, 0, tzinfo=UTC))  # 18:00 in Shanghai
    d.approve("vp.market", "n002")
    clock.set(datetime(2024, 3, 19, 2, 0, tzinfo=UTC))
    d.complete(
        "rnd.head",
        "n003",
        note="客户需求临时变更,需额外确认",
        plan_summary="方案初稿",
        deliverables={"研发方案": "docs/plan-v1.pdf"},
    )
    marketing = who(demo_app, "mkt.head")
    rows = service.progress_rows(demo_app, marketing, key, InstanceFilter())
    cells = [template3_row(r, "zh", TZ) for r in rows]
    assert TEMPLATE_3_ROW in cells
    listed = service.progress_rows(
        demo_app, marketing, None, InstanceFilter(process="new-product-launch", department="mkt")
    )
    assert [template3_row(r, "zh", TZ) for r in listed] == cells
    outsider = who(demo_app, "csd.staff")  # 客户服务部 takes no part: sees none of it
    assert service.progress_rows(demo_app, outsider, None, InstanceFilter()) == []

    start_form = service.start_form_rows(demo_app, marketing, key, "zh")
    assert start_form.rows == (
        (
            "新产品A上市推进",
            "市场部",
            "研发部、生产部",
            "3个月内完成产品上市",
            "",
            "研发方案、生产产能表",
            "高",
            "",
        ),
    )


def test_the_demo_gives_worked_example_b_as_template_4() -> None:
    """(SQLite: the demo's own temporary database.)"""
    with demo.demo_app(china_calendar(tz=TZ)) as replay:
        demo.play(replay, demo.launch(replay))
        closed = service.exception_rows(
            replay.app, SYSTEM, [ExceptionState.CLOSED], process="new-product-launch"
        )
        assert [template4_row(r, "zh", TZ) for r in closed] == [TEMPLATE4_EXAMPLE]
        other = service.exception_rows(replay.app, SYSTEM, [], department="csd")
        assert other == []
