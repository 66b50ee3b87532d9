"""The demo database with its history (`serve --demo`, `init --demo --with-history`) and the
demo sign-ins printed before serving."""

from __future__ import annotations

import time
from datetime import datetime

from oaflow.cli.common import console, local, print_table, say, zh
from oaflow.cli.demo_report import print_review
from oaflow.domain.security import SYSTEM
from oaflow.services import demo_history, organisation
from oaflow.services.app import App
from oaflow.services.setup import DEMO_PASSWORD

#: who to sign in as to see what: login, role (zh, en)
SIGN_INS: tuple[tuple[str, str, str], ...] = (
    ("csd.head", "客户服务部负责人：受理、审核投诉", "head of Customer Service: complaints"),
    ("prd.head", "生产部负责人：质量投诉、产能确认", "head of Production: quality, capacity"),
    ("fin.head", "财务部负责人：年度预算", "head of Finance: the annual budget"),
    ("vp.market", "分管领导：市场、销售、客户服务", "supervising leader: marketing, sales"),
    ("gm", "总经理：重大预算审批，查看全部流程", "general manager: sees every process"),
    ("admin", "系统管理员：组织、流程、日历、渠道", "administrator: organisation, settings"),
    ("auditor", "审计：只读查看全部流程与审计记录", "auditor: reads everything, the audit log"),
)


def create_with_history(app: App) -> demo_history.History:
    """Make the demo database with its six weeks of history, showing where the replay is."""
    started = time.perf_counter()
    with console.status(zh("正在生成演示数据…", "making the demo data…")) as status:

        def on_step(at: datetime) -> None:
            day = local(app, at) or ""
            status.update(zh(f"正在生成演示数据… {day}", f"making the demo data… {day}"))

        history = demo_history.create(app, on_step=on_step)
    seconds = time.perf_counter() - started
    for published in history.published:
        console.print(zh("已发布", "published") + f" {published.key} {published.label}")
    total = history.finished + history.running
    console.print(
        zh(
            f"演示数据：模拟了 {local(app, history.first)} 至 {local(app, history.now)} 的工作，"
            f"共 {total} 个流程实例（{history.finished} 个已结束，{history.running} 个进行中），"
            f"用时 {seconds:.1f} 秒",
            f"demo data: the work from {local(app, history.first)} to {local(app, history.now)}, "
            f"{total} instances ({history.finished} finished, {history.running} running), "
            f"made in {seconds:.1f} s",
        ),
        markup=False,
    )
    print_review(history.review)
    return history


def print_sign_ins(app: App) -> None:
    """The demo's logins that exist in this database, with who they are and what they do."""
    people = {u.login: u for u in organisation.users(app, SYSTEM) if u.active}
    rows = [
        (login, _name(people[login].name.zh, say(people[login].name)), zh(role_zh, role_en))
        for login, role_zh, role_en in SIGN_INS
        if login in people
    ]
    if not rows:
        return
    print_table(
        zh(f"演示账号（密码均为 {DEMO_PASSWORD}）", f"Demo sign-ins (password: {DEMO_PASSWORD})"),
        [zh("登录名", "login"), zh("姓名", "who"), zh("角色", "role")],
        rows,
    )


def _name(chinese: str, shown: str) -> str:
    """``马丽娟``, or ``Ma Lijuan (马丽娟)`` in English."""
    return chinese if shown == chinese else f"{shown} ({chinese})"
