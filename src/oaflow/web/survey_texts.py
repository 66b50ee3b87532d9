"""The words of the satisfaction survey page (满意度调查, MTR-2), in Chinese and English;
merged into the pages' words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text

SURVEY_WORDS: dict[str, Text] = {
    "svy_title": Text("满意度调查", "Satisfaction surveys"),
    "svy_intro": Text(
        "流程完成后，请代表您的部门为本次协作打分（1–5 分），并可留下意见。",
        "When a process completes, score the collaboration for your department (1 to 5) and "
        "leave a comment if you like.",
    ),
    "svy_none": Text("没有待评价的调查", "No surveys waiting for you"),
    "svy_for": Text("代表{department}评价", "For {department}"),
    "svy_asked": Text("发出时间", "Asked"),
    "svy_ended": Text("完成时间", "Completed"),
    "svy_score": Text("评分", "Score"),
    "svy_comment": Text("意见（选填）", "Comment (optional)"),
    "svy_remark": Text("意见", "Comment"),
    "svy_submit": Text("提交评价", "Submit"),
    "svy_answer_now": Text("去评分 →", "Give your score →"),
    "svy_all": Text("查看所有部门的待评价调查", "Every department's open surveys"),
    "svy_mine": Text("只看我的", "Only mine"),
    "svy_answered": Text(
        "已代表{department}评价 {key}：{score} 分", "Answered {key} for {department}: {score}"
    ),
    "svy_not_answered": Text("未评价", "Not answered"),
    "svy_by": Text("评价人", "By"),
    "svy_s1": Text("非常不满意", "Very dissatisfied"),
    "svy_s2": Text("不满意", "Dissatisfied"),
    "svy_s3": Text("一般", "Neutral"),
    "svy_s4": Text("满意", "Satisfied"),
    "svy_s5": Text("非常满意", "Very satisfied"),
}
