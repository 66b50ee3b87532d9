"""`oaflow demo` as a person runs it: the four processes end to end, the manual's row."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.acceptance

OAFLOW = [sys.executable, "-c", "from oaflow.cli.main import run; run()"]
#: worked example (b) as the manual prints it (the handler, starred there, is 张伟 of 研发部)
TEMPLATE_4_ROW = (
    "异常记录 (模板4): ABN20240301 · PROJ20240301 · 研发方案输出 · 未在72小时内提交方案 · "
    "市场部 · 2024-03-20 09:00 · 客户需求确认后延迟24小时提交 · 张伟（研发部） · "
    "2024-03-21 12:00 · 方案通过评审 · 已关闭"
)
#: the whole loop: found by the timer, its report's reminder and escalation, reported,
#: explained, coordinated, resolved, verified (EXC-2..4)
EXCEPTION_LOOP = (
    "2024-03-18 18:00  系统       超时，标记异常 研发方案输出 → 张伟",
    "2024-03-19 11:00  系统       提醒提交异常处理说明 研发方案输出",
    "2024-03-19 14:30  系统       异常处理说明超时，升级 研发方案输出",
    "2024-03-20 09:00  王建国      上报异常 研发方案输出（未在72小时内提交方案）",
    "2024-03-20 11:00  张伟       提交异常处理说明 研发方案输出（需求变更：",
    "2024-03-20 14:00  王建国      异常协调决议 研发方案输出（客户需求确认后延迟24小时提交；张伟；",
    "2024-03-21 12:00  张伟       异常处理完成 研发方案输出",
    "2024-03-21 15:00  王建国      异常验证通过，关闭 研发方案输出（方案通过评审）",
    "2024-03-19 14:30 异常处理说明超时 研发方案输出 → 站内: 张伟、谢天明、王建国",
)
UNACKNOWLEDGED = (
    "2024-03-08 10:00  系统       提醒确认接收 原因分析与处理 → 胡海峰",
    "2024-03-08 22:00  系统       提醒确认接收 原因分析与处理 → 胡海峰",
    "2024-03-09 10:00  系统       未确认接收，升级 原因分析与处理 → 马丽娟、韩振宇、胡海峰",
)
TEMPLATE_3_ROW = (
    "PROJ20240301 · 研发方案输出(研发部) · 计划 2024-03-18 18:00 · 实际 2024-03-19 10:00 · "
    "已完成(延迟16小时) · 客户需求临时变更"
)


def test_demo_replays_every_scenario_and_reproduces_template_3() -> None:
    result = subprocess.run(
        [*OAFLOW, "demo"], capture_output=True, text=True, timeout=120, check=True
    )
    assert TEMPLATE_3_ROW in result.stdout
    assert TEMPLATE_4_ROW in result.stdout
    for line in EXCEPTION_LOOP:
        assert line in result.stdout
    assert "异常处理超过计划时间 研发方案输出" not in result.stdout  # resolved at its deadline
    for line in UNACKNOWLEDGED:  # TIME-2: reminders at 24 h and 36 h, escalation at 48 h
        assert line in result.stdout
    for key in (
        "PROJ20240301",
        "TS202403001",
        "TS202403002",
        "TS202403003",
        "YS202401",
        "YS202402",
        "XM20240501",
    ):
        assert f"{key} ·" in result.stdout
    assert result.stdout.count("· 已完成 ─") == 8  # every instance ran to its end
    # NTF: which messages went where — in-app, the mailbox and the department's group robot
    assert result.stdout.count("消息去向") == 8
    assert (
        "2024-03-04 09:00 新待办 投诉受理确认 → 站内: 马丽娟 · 企业邮箱(马丽娟) · 客户服务部钉钉群"
        in result.stdout
    )
    assert "未确认接收，升级 原因分析与处理 → 站内: 马丽娟、韩振宇、胡海峰 · 企业邮箱(马丽娟)" in (
        result.stdout
    )
    assert "研发部飞书群" in result.stdout and "生产部企业微信群" in result.stdout
    # MTR: the replay ends with its review; 研发方案输出 was due 03-18 18:00 and done 03-19
    # 10:00, one working hour (of 7.5 a day) late: 0.1 days
    assert "复盘（2024-03-01..2024-11-11）：" in result.stdout
    assert "  客户投诉：完成 4 个，" in result.stdout
    assert "研发方案输出 平均超时 0.1 天（1 个实例）" in result.stdout
    assert "oaflow report review" not in result.stdout  # its database is gone


def test_demo_in_english_as_json() -> None:
    result = subprocess.run(
        [*OAFLOW, "--lang", "en", "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    views = json.loads(result.stdout)
    assert [v["state"] for v in views] == ["completed"] * 8
    launch = next(v for v in views if v["business_key"] == "PROJ20240301")
    row = next(r for r in launch["progress"] if r["node"] == "R&D plan")
    assert (row["planned"], row["actual"], row["status"]) == (
        "2024-03-18 18:00",
        "2024-03-19 10:00",
        "done (16 h late)",
    )
    messages = [m for v in views for m in v["messages"]]
    # A message's event is its value with a label beside it (the JSON of typed views).
    assert any(
        m["event"] == "task_assigned"
        and m["event_label"] == "new task"
        and {"endpoint": "企业邮箱", "recipient": "csd.head", "recipient_name": "Ma Lijuan"}
        in m["channels"]
        for m in messages
    )
    assert all(m["in_app"] for m in messages)
    budgets = [v for v in views if v["process"] == "annual-budget"]
    steps = [{e["data"].get("to") for e in v["timeline"]} for v in budgets]
    assert ["gm_approval" in s for s in steps] == [False, True]  # under and over the GM threshold
