"""Texts of the errors of the satisfaction survey (满意度调查, MTR-2)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "survey.not_found": Entry(
        "找不到满意度调查 {survey}",
        "no satisfaction survey {survey}",
        "查看待评价的调查列表",
        "see the list of surveys waiting for you",
    ),
    "survey.bad_score": Entry(
        "评分“{score}”无效：请给 1 到 5 的整数",
        "'{score}' is not a score: give a whole number from 1 to 5",
        "1 非常不满意，2 不满意，3 一般，4 满意，5 非常满意",
        "1 very dissatisfied, 2 dissatisfied, 3 neutral, 4 satisfied, 5 very satisfied",
    ),
    "survey.comment_too_long": Entry(
        "评价意见有 {length} 个字，最多 {limit} 个字",
        "the comment has {length} characters, at most {limit} are kept",
        "请缩短意见",
        "shorten the comment",
    ),
    "survey.answered": Entry(
        "{department}对 {business_key} 的满意度调查已由{by}评价过，不能再次评价",
        "the survey of {business_key} for {department} was already answered by {by}; it "
        "cannot be answered twice",
    ),
    "survey.not_answerer": Entry(
        "{login} 不能代表{department}评价：只有部门负责人、其代理人或管理员可以",
        "{login} cannot answer for {department}: only its head, the head's deputy or an "
        "administrator can",
    ),
}
