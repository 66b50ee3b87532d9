"""Every main page in Chromium on the demo database (weeks of simulated work): screenshots on
desktop and phone, no horizontal scrolling on the phone's inbox, a label for every form
control, SLA states said in words as well as colours, the Gantt chart and the kanban board
with their bars and cards, dragging a card, the language switch, the inbox's weight."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browsing import DESKTOP, PHONE, Visit
from playwright.sync_api import Locator, expect

#: the pages of the frame, as a department head sees them
MAIN_PAGES = {
    "inbox": "/",
    "done": "/done",
    "started": "/started",
    "copied": "/copied",
    "start": "/start",
    "start-complaint": "/start/customer-complaint",
    "board": "/board",
    "portfolio": "/portfolio",
    "notifications": "/notifications",
    "processes": "/processes",
    "process-launch": "/processes/new-product-launch",
}
#: every visible form control without a label (for, wrapping, aria-label or -labelledby)
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_main_pages(visit: Callable[..., Visit], viewport: str) -> None:
    size = DESKTOP if viewport == "desktop" else PHONE
    head = visit("csd.head", viewport=size)
    for name, path in MAIN_PAGES.items():
        answer = head.go(path)
        assert answer is not None and answer.status == 200, f"{path}: {answer}"
        expect(head.page.locator("header.top")).to_contain_text("马丽娟")  # csd.head
        assert head.page.evaluate(UNLABELLED) == [], f"{path}: controls without a label"
        head.shot(f"{name}-{viewport}")
        if viewport == "phone":  # wide parts (tables, charts) scroll inside their card
            assert head.scroll_width() <= PHONE["width"], f"{path} scrolls sideways"
    # an instance page with everything on it: a running one csd.head sees
    listed = head.page.request.get(head.base + "/api/instances?state=running")
    assert listed.ok, listed.text()
    head.go(f"/instances/{listed.json()['items'][0]['business_key']}")
    expect(head.page.locator("#progress-table")).to_be_visible()
    assert head.page.evaluate(UNLABELLED) == []
    head.shot(f"instance-{viewport}")
    if viewport == "phone":
        assert head.scroll_width() <= PHONE["width"], "the instance page scrolls sideways"
    head.go("/")
    head.page.locator(".task-card a.title").first.click()
    assert head.page.evaluate(UNLABELLED) == []
    head.shot(f"task-{viewport}")
    if viewport == "phone":
        assert head.scroll_width() <= PHONE["width"], "the task page scrolls sideways"


def test_sla_states_are_said_in_words(visit: Callable[..., Visit]) -> None:
    head = visit("csd.head")
    head.go("/board")
    badges = head.page.locator(".sla")
    assert badges.count() > 0
    words = {"正常", "临近截止", "已逾期", "异常", "无时限"}
    for text in badges.all_inner_texts():
        assert any(w in text for w in words), f"an SLA badge without its word: {text!r}"


def test_instance_gantt_and_diagram(visit: Callable[..., Visit]) -> None:
    """The finished launch (S1 replayed weeks ago) has done and late bars, planned spans
    and a today line; a running complaint shows its current node on the diagram; the most
    urgent running instance its completion forecast."""
    leader = visit("vp.market")
    leader.go("/portfolio")
    rows = leader.page.locator(".gantt-row")
    assert rows.count() >= 2
    expect(leader.page.locator(".gantt .today")).to_have_count(1)
    # each running instance's completion forecast on its row, with the legend saying it
    assert leader.page.locator(".gantt-row .forecast-bar").count() >= 1
    expect(leader.page.locator(".gantt .legend")).to_contain_text("预计完成（中位数）")
    # a forecast at risk or late says so in words beside its bar, not by its colour alone
    not_on_track = 0
    for state, said in (("at_risk", "有延期风险"), ("late", "已超期")):
        for status in leader.page.locator(
            f".gantt-row .forecast-marks[data-state={state}] .bar-status"
        ).all_text_contents():
            assert said in status, status
            not_on_track += 1
    assert not_on_track >= 1  # the demo's overdue complaint is forecast late
    leader.shot("portfolio-leader-desktop")
    # an instance of the launch: its key from the instance list of the API
    listed = leader.page.request.get(leader.base + "/api/instances?process=new-product-launch")
    assert listed.ok, listed.text()
    keys = [i["business_key"] for i in listed.json()["items"]]
    assert keys, "the demo has a launch"
    leader.go(f"/instances/{keys[-1]}")
    bars = leader.page.locator(".gantt-row")
    assert bars.count() >= 5
    kinds = set(leader.page.locator(".gantt-row").evaluate_all("rs => rs.map(r => r.dataset.kind)"))
    assert kinds & {"done", "late"}, kinds
    expect(leader.page.locator(".gantt .plan").first).to_be_attached()
    states = set(
        leader.page.locator(".flowchart .node").evaluate_all("ns => ns.map(n => n.dataset.state)")
    )
    assert "done" in states, states
    expect(leader.page.locator("#progress-table")).to_contain_text(re.compile("已完成|已通过"))
    leader.shot("instance-launch-desktop")
    # a running instance: its completion forecast as the last row (hatched to the median, a
    # whisker to the p90), the most urgent of those the forecast list gives, with its legend
    forecasts = leader.page.request.get(leader.base + "/api/forecasts")
    assert forecasts.ok and forecasts.json(), forecasts.text()
    urgent = forecasts.json()[0]
    leader.go(f"/instances/{urgent['business_key']}")
    row = leader.page.locator(".gantt-row.forecast")
    expect(row).to_have_attribute("data-state", urgent["state"])
    expect(row.locator(".forecast-bar")).to_be_attached()
    assert row.locator(".whisker").count() == 2
    expect(leader.page.locator(".gantt .legend")).to_contain_text("九成把握完成")
    leader.shot("instance-forecast-desktop")


#: per lane: its label's font size, its bars' places as percent of the axis, its width
LANES = """() => [...document.querySelectorAll('.gantt-lanes .lane')].map(l => ({
  kind: l.dataset.kind,
  font: parseFloat(getComputedStyle(l.querySelector('.lane-head')).fontSize),
  status: [...l.querySelectorAll('.lane-status')].map(s => s.textContent).join(' '),
  track: l.querySelector('.lane-track').getBoundingClientRect().width,
  bars: [...l.querySelectorAll('.lane-real, .lane-hatch')].map(b => {
    const t = b.parentElement.getBoundingClientRect(), r = b.getBoundingClientRect();
    return [(r.left - t.left) / t.width, (r.right - t.left) / t.width];
  }),
}))"""
#: per row of the chart drawn for wider screens: the same, from the SVG's own units
SVG_ROWS = """() => [...document.querySelectorAll('.gantt-row')].map(g => ({
  kind: g.dataset.kind,
  bars: [...g.querySelectorAll('.real, .forecast-bar')].map(b => {
    const x = +b.getAttribute('x'), w = +b.getAttribute('width');
    return [(x - 190) / 640, (x + w - 190) / 640];
  }),
}))"""


def test_the_gantt_on_a_phone_puts_each_label_above_its_bar(visit: Callable[..., Visit]) -> None:
    """On a phone the chart drawn for wider screens (labels in a column of their own, text
    scaled down to a few pixels) gives way to lanes across the screen's width: the same rows
    and bars at the same places on the time axis, labels and the words beside each bar in
    readable type, nothing wider than the screen."""
    leader = visit("vp.market", viewport=PHONE)
    listed = leader.page.request.get(leader.base + "/api/instances?process=new-product-launch")
    forecasts = leader.page.request.get(leader.base + "/api/forecasts")
    assert listed.ok and forecasts.ok
    pages = {
        "portfolio": "/portfolio",
        "instance-launch": f"/instances/{listed.json()['items'][-1]['business_key']}",
        "instance-forecast": f"/instances/{forecasts.json()[0]['business_key']}",
    }
    seen = {}
    for name, path in pages.items():
        leader.go(path)
        expect(leader.page.locator(".gantt svg.scales")).to_be_hidden()
        expect(leader.page.locator(".gantt-lanes")).to_be_visible()
        lanes, rows = leader.page.evaluate(LANES), leader.page.evaluate(SVG_ROWS)
        seen[name] = lanes
        assert [lane["kind"] for lane in lanes] == [row["kind"] for row in rows], path
        for lane, row in zip(lanes, rows, strict=True):
            assert lane["font"] >= 13 and lane["track"] >= 300, lane
            for (left, right), (svg_left, svg_right) in zip(lane["bars"], row["bars"], strict=True):
                assert abs(left - svg_left) < 0.01 and abs(right - svg_right) < 0.02, (lane, row)
                assert -0.01 <= left <= right <= 1.01, lane
        assert leader.scroll_width() <= PHONE["width"], f"{path} scrolls sideways"
        leader.shot(f"{name}-phone")
    # the words beside a forecast not on track, as on a wide screen
    said = " ".join(lane["status"] for lane in seen["portfolio"])
    assert "已超期" in said or "有延期风险" in said, said


def test_dragging_a_card_acknowledges_and_other_moves_are_refused(
    visit: Callable[..., Visit],
) -> None:
    staff = visit("csd.staff")
    staff.go("/start/customer-complaint")
    page = staff.page
    page.fill("#f-title", "看板投诉")
    page.fill("#f-customer", "客户乙")
    page.select_option("#f-complaint_type", "quality")
    page.fill("#f-description", "看板测试")
    page.click("#btn-start")
    page.wait_for_url(re.compile(r"/instances/"))
    key = page.locator("h1 .key").inner_text()

    head = visit("csd.head")
    head.go("/board?department=csd")
    card = head.page.locator(".kcard", has_text=key)
    expect(card).to_have_attribute("data-state", "pending")
    # a move that means nothing: refused, the card back in its column
    drag(head, card, "in_progress")
    expect(head.page.locator("#board-status")).to_contain_text("不能这样移动")
    expect(head.page.locator("ul.cards[data-state=pending] .kcard", has_text=key)).to_have_count(1)
    # pending → acknowledged: acknowledged
    drag(head, card, "acknowledged")
    expect(head.page.locator("#board-status")).to_contain_text("已确认接收")
    head.shot("board-after-drag-desktop")
    head.go("/board?department=csd")
    moved = head.page.locator("ul.cards[data-state=acknowledged] .kcard", has_text=key)
    expect(moved).to_have_count(1)


def drag(visit: Visit, card: Locator, state: str) -> None:
    """Drag ``card`` into the column of ``state`` as a hand would: press, move in steps,
    release."""
    page = visit.page
    start = card.bounding_box()
    target = page.locator(f"ul.cards[data-state={state}]").bounding_box()
    assert start is not None and target is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 20, steps=15)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 30, steps=5)
    page.mouse.up()


def test_language_switch(visit: Callable[..., Visit]) -> None:
    head = visit("csd.head")
    expect(head.page.locator("nav[aria-label=菜单]")).to_contain_text("待办")
    head.page.click("a.lang")
    expect(head.page.locator("header.top nav")).to_contain_text("To do")
    expect(head.page.locator("header.top")).to_contain_text("Ma Lijuan")
    head.go("/board")
    expect(head.page.locator("h1")).to_have_text("Task board")
    head.shot("board-english-desktop")
    head.page.click("a.lang")
    expect(head.page.locator("h1")).to_have_text("任务看板")


def test_sign_in_errors_and_sign_out(visit: Callable[..., Visit]) -> None:
    anonymous = visit(None)
    anonymous.go("/board")
    expect(anonymous.page).to_have_url(re.compile(r"/login\?next=/board"))
    anonymous.page.fill("#login", "csd.head")
    anonymous.page.fill("#password", "wrong")
    anonymous.page.click("form button[type=submit]")
    expect(anonymous.page.locator("#login-error")).to_be_visible()
    anonymous.page.fill("#password", "demo")
    anonymous.page.click("form button[type=submit]")
    expect(anonymous.page).to_have_url(re.compile(r"/board$"))
    anonymous.page.click("header form button")
    expect(anonymous.page).to_have_url(re.compile(r"/login"))
    anonymous.go("/")
    expect(anonymous.page).to_have_url(re.compile(r"/login"))


def test_inbox_weight(visit: Callable[..., Visit]) -> None:
    """The inbox page and everything it loads: under 300 kB."""
    head = visit("csd.head")
    sizes: dict[str, int] = {}
    head.page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())))
    head.page.reload()
    head.page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    print(f"\ninbox page weight: {total / 1024:.0f} kB in {len(sizes)} responses")
    assert total < 300 * 1024, sizes


def test_bad_addresses_answer_pages(visit: Callable[..., Visit]) -> None:
    """A wrong value in an address, a missing object and an unknown page: a page in the
    viewer's language with the way back, never JSON or a server error."""
    head = visit("csd.head")
    for path, status, said in (
        ("/?offset=-5", 422, "无效"),
        ("/tasks/987654321", 404, "任务 987654321 不存在"),
        ("/instances/NOPE", 404, "不存在"),
        ("/no-such-page", 404, "没有找到"),
        ("/?sla=nonsense", 200, "待办"),  # an unknown filter value: no filter
    ):
        answer = head.go(path)
        assert answer is not None and answer.status == status, (path, answer)
        assert answer.headers["content-type"].startswith("text/html"), path
        expect(head.page.locator("main")).to_contain_text(said)


def test_a_head_answers_a_satisfaction_survey_on_the_phone(visit: Callable[..., Visit]) -> None:
    """The survey page (MTR-2) at a phone's width: the demo's completed instances ask 生产部,
    five large score buttons and a comment; a form sent without a score is refused in words
    and changes nothing; the answer shows on the instance's page."""
    head = visit("prd.head", viewport=PHONE)
    head.go("/surveys")
    page = head.page
    cards = page.locator("section.survey")
    waiting = cards.count()
    assert waiting >= 1 and "代表生产部评价" in cards.first.inner_text()
    assert head.scroll_width() <= PHONE["width"]
    assert page.evaluate(UNLABELLED) == []
    head.shot("surveys-phone")
    card = cards.first
    survey_id = str(card.get_attribute("id"))
    key = card.locator("a[href^='/instances/']").inner_text()
    card.locator("textarea").fill("配合顺畅，交付及时")
    card.locator("input[name=score]").evaluate_all("els => els.forEach(e => e.required = false)")
    card.locator("button[type=submit]").click()
    expect(page.locator("#survey-error")).to_contain_text("1 到 5")
    assert page.locator(f"#{survey_id} textarea").input_value() == "配合顺畅，交付及时"
    assert page.locator("section.survey").count() == waiting  # nothing changed
    page.locator(f"#{survey_id} label.score").nth(3).click()  # the fourth: 4, 满意
    page.locator(f"#{survey_id} button[type=submit]").click()
    expect(page.locator("#survey-flash")).to_contain_text(f"已代表生产部评价 {key}：4 分")
    assert page.locator("section.survey").count() == waiting - 1
    head.go(f"/instances/{key}")
    expect(page.locator("#instance-surveys")).to_contain_text("配合顺畅，交付及时")
