"""`oaflow survey list|answer|show`: the satisfaction surveys (满意度调查, MTR-2) of completed
instances — those waiting for your answer as a department's head (or the head's deputy),
answering one with a score from 1 to 5 and a comment, and the answers of one instance."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import (
    MAX_ID,
    AsOpt,
    JsonOpt,
    as_json,
    console,
    local,
    print_json,
    print_rows,
    run_as,
    say,
    zh,
)
from oaflow.domain.security import Principal
from oaflow.services import surveys
from oaflow.services.app import App
from oaflow.services.surveys import SurveyView

group = typer.Typer(
    help="Satisfaction surveys (满意度调查): list, answer, show.", no_args_is_help=True
)


def score_text(view: SurveyView) -> str:
    if view.score is None:
        return zh("未评价", "not answered")
    return "★" * view.score + "☆" * (5 - view.score) + f" {view.score}"


@group.command("list")
def list_(
    as_: AsOpt,
    every: Annotated[
        bool, typer.Option("--all", help="Every department's open surveys (administrators).")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """The surveys waiting for your answer: of the departments you head, or whose head you
    act for as deputy."""

    def body(app: App, who: Principal) -> None:
        found = surveys.waiting(app, who, every)
        print_rows(
            json_,
            as_json(app, found),
            zh("待评价的满意度调查", "Satisfaction surveys waiting for an answer"),
            [
                "ID",
                zh("业务编号", "business key"),
                zh("流程", "process"),
                zh("事项", "title"),
                zh("部门", "department"),
                zh("发出", "asked"),
            ],
            [
                [
                    s.id,
                    s.business_key,
                    say(s.process_name),
                    s.title,
                    say(s.department.name),
                    local(app, s.asked_at),
                ]
                for s in found
            ],
            whole=2,
        )

    run_as(as_, body)


@group.command("answer")
def answer(
    survey_id: Annotated[int, typer.Argument(help="The survey's ID.", min=1, max=MAX_ID)],
    as_: AsOpt,
    score: Annotated[
        str, typer.Option("--score", help="1 (very dissatisfied) to 5 (very satisfied).")
    ],
    comment: Annotated[
        str, typer.Option("--comment", help=f"At most {surveys.COMMENT_LIMIT} characters.")
    ] = "",
    json_: JsonOpt = False,
) -> None:
    """Answer a survey for its department, once: a score and, if you like, a comment."""

    def body(app: App, who: Principal) -> None:
        view = surveys.answer(app, who, survey_id, score, comment)
        if json_:
            print_json(as_json(app, view))
            return
        department = say(view.department.name)
        console.print(
            zh(
                f"已代表{department}评价 {view.business_key}：{score_text(view)}",
                f"answered {view.business_key} for {department}: {score_text(view)}",
            ),
            markup=False,
        )

    run_as(as_, body)


@group.command("show")
def show(
    business_key: Annotated[str, typer.Argument(help="The instance's business key.")],
    as_: AsOpt,
    json_: JsonOpt = False,
) -> None:
    """The surveys of one completed instance: each department's score and comment."""

    def body(app: App, who: Principal) -> None:
        found = surveys.of_instance(app, who, business_key)
        print_rows(
            json_,
            as_json(app, found),
            zh(f"{business_key} 的满意度调查", f"Satisfaction surveys of {business_key}"),
            [
                "ID",
                zh("部门", "department"),
                zh("评分", "score"),
                zh("意见", "comment"),
                zh("评价人", "answered by"),
                zh("评价时间", "answered"),
            ],
            [
                [
                    s.id,
                    say(s.department.name),
                    score_text(s),
                    s.comment,
                    say(s.answered_by.name) if s.answered_by else "",
                    local(app, s.answered_at),
                ]
                for s in found
            ],
            whole=1,
        )

    run_as(as_, body)
