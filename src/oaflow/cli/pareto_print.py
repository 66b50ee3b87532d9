"""The exception causes' Pareto (EXC-5) as tables, for `exception pareto` and the review."""

from __future__ import annotations

from oaflow.cli.common import console, print_table, say, zh
from oaflow.services.exception_analysis import Pareto, ParetoGroup

BAR_WIDTH = 20  # the longest text bar, in characters


def print_pareto(view: Pareto) -> None:
    """Each group's causes as a table with text bars; ★ marks the vital few."""
    if not view.groups:
        console.print(zh(f"{view.month} 没有异常记录", f"no exceptions in {view.month}"))
    for group in view.groups:
        print_group(view, group)
    if view.groups:
        console.print(
            zh("★ 关键少数：累计占到 80% 的原因", "★ the vital few: the causes that make up 80 %")
        )


def print_group(view: Pareto, group: ParetoGroup) -> None:
    largest = max(c.count for c in group.causes)
    rows = [
        [
            ("★ " if c.vital else "  ") + say(c.label),
            c.count,
            f"{c.share:.1%}",
            f"{c.cumulative:.1%}",
            "█" * max(1, round(c.count / largest * BAR_WIDTH)),
        ]
        for c in group.causes
    ]
    title = zh(
        f"{view.month} 异常原因分析 · {say(group.name)}（{group.total} 条）",
        f"{view.month} exception causes · {say(group.name)} ({group.total})",
    )
    columns = [
        zh("原因分类", "cause"),
        zh("次数", "count"),
        zh("占比", "share"),
        zh("累计", "cumulative"),
        "",
    ]
    print_table(title, columns, rows)
