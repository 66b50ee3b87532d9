"""The satisfaction surveys (满意度调查, MTR-2): those waiting for the caller's answer, one
survey, answering it once with a score from 1 to 5, and the answers of one instance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE
from oaflow.api.schemas import MAX_ID, Strict
from oaflow.services import surveys
from oaflow.services.surveys import COMMENT_LIMIT, SurveyView

router = APIRouter(tags=["surveys"], responses=COMMON)
SurveyId = Annotated[int, Path(ge=1, le=MAX_ID)]
BusinessKey = Annotated[str, Path(min_length=1, max_length=64, description="e.g. TS202403001")]


class SurveyAnswer(Strict):
    score: int = Field(ge=1, le=5, description="1 very dissatisfied … 5 very satisfied")
    comment: str = Field(default="", max_length=COMMENT_LIMIT)


@router.get("/surveys", response_model=list[SurveyView])
def waiting(
    app: TheApp,
    who: Who,
    every: Annotated[
        bool, Query(alias="all", description="every department's (administrators)")
    ] = False,
) -> list[SurveyView]:
    """The surveys waiting for your answer — of the departments you head or whose head you
    act for — the newest first."""
    return surveys.waiting(app, who, every)


@router.get("/surveys/{survey_id}", response_model=SurveyView, responses=ONE)
def survey(survey_id: SurveyId, app: TheApp, who: Who) -> SurveyView:
    """One survey, for who may answer it or sees its instance."""
    return surveys.survey(app, who, survey_id)


@router.post("/surveys/{survey_id}", response_model=SurveyView, responses={**ONE, **CHANGE})
def answer(survey_id: SurveyId, body: SurveyAnswer, app: TheApp, who: Who) -> SurveyView:
    """Answer a survey for its department, once (a second answer: 409)."""
    return surveys.answer(app, who, survey_id, body.score, body.comment)


@router.get("/instances/{business_key}/surveys", response_model=list[SurveyView], responses=ONE)
def of_instance(business_key: BusinessKey, app: TheApp, who: Who) -> list[SurveyView]:
    """The surveys of one instance you may see, answered or not, by department."""
    return surveys.of_instance(app, who, business_key)
