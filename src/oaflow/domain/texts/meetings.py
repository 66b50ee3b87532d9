"""Texts of the errors of weekly meetings and their action items (MTG-1/2)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

_WEEKDAY_HINT = (
    "用 mon…sun、0…6（0 为周一）或 周一…周日",
    "use mon…sun, 0…6 (0 is Monday) or 周一…周日",
)
_OWNER_HINT = ("每条行动项都要有负责人（账号）", "every action item needs an owner (a login)")

TEXTS: dict[str, Entry] = {
    "meeting.bad_weekday": Entry(
        "“{weekday}”不是星期几", "'{weekday}' is not a day of the week", *_WEEKDAY_HINT
    ),
    "meeting.bad_time": Entry(
        "“{at}”不是会议时间",
        "'{at}' is not a time of day",
        "用 24 小时制 HH:MM，例如 10:00",
        "write HH:MM on the 24-hour clock, e.g. 10:00",
    ),
    "meeting.bad_prepare_hours": Entry(
        "提前准备的小时数 {hours} 不在 0 到 {most} 之间",
        "the report's lead time of {hours} hours is not between 0 and {most}",
    ),
    "meeting.no_working_day": Entry(
        "{day} 之后一年内没有工作日，无法安排会议",
        "no working day within a year after {day}: no meeting can be held",
        "请检查工作日历",
        "check the business calendar",
    ),
    "meeting.department_unknown": Entry(
        "部门 {department} 不存在", "department '{department}' does not exist"
    ),
    "meeting.schedule_exists": Entry(
        "{department} 已有例会安排（编号 {schedule_id}）",
        "{department} already has a meeting schedule (number {schedule_id})",
        "先删除原安排再新建",
        "remove that schedule first",
    ),
    "meeting.schedule_not_found": Entry(
        "例会安排 {schedule_id} 不存在", "meeting schedule {schedule_id} does not exist"
    ),
    "meeting.participant_unknown": Entry(
        "参会人 {login} 不是系统用户", "participant '{login}' is not a user"
    ),
    "meeting.not_found": Entry(
        "会议 {code} 不存在或尚未准备",
        "meeting {code} does not exist or is not prepared yet",
        "会议报告在会前自动准备，也可以由部门负责人立即准备",
        "the report is prepared before the meeting; a department head can prepare it now",
    ),
    "meeting.already_prepared": Entry(
        "下次会议 {code}（{held}）的报告已准备好",
        "the report of the next meeting, {code} at {held}, is already prepared",
        "会议报告可随时查看和下载",
        "read or download it on the meeting's page",
    ),
    "meeting.not_held_yet": Entry(
        "会议 {code} 在 {held} 召开，尚不能录入决议",
        "meeting {code} takes place at {held}: its resolutions cannot be entered yet",
    ),
    "meeting.has_actions": Entry(
        "会议 {code} 已录入 {count} 条行动项，不能标为“无决议”",
        "meeting {code} has {count} action items: it cannot be marked 'no resolutions'",
    ),
    "action.no_items": Entry(
        "没有给出行动项",
        "no action items given",
        "每条写明标题、负责人和截止时间",
        "give each a title, an owner and a deadline",
    ),
    "action.too_many": Entry(
        "一次录入 {count} 条行动项，最多 {most} 条",
        "{count} action items at once; at most {most}",
    ),
    "action.bad_item": Entry(
        "行动项“{text}”的格式不对",
        "action item '{text}' is not written right",
        "写成 标题|负责人账号|截止时间，例如 补充产能数据|prd.head|2024-03-27T18:00",
        "write title|owner login|deadline, e.g. Add capacity data|prd.head|2024-03-27T18:00",
    ),
    "action.no_title": Entry("第 {number} 条行动项没有标题", "action item {number} has no title"),
    "action.title_too_long": Entry(
        "第 {number} 条行动项的标题超过 {most} 字",
        "the title of action item {number} is longer than {most} characters",
    ),
    "action.no_owner": Entry(
        "第 {number} 条行动项“{title}”没有负责人",
        "action item {number} ('{title}') has no owner",
        *_OWNER_HINT,
    ),
    "action.owner_unknown": Entry(
        "第 {number} 条行动项的负责人 {owner} 不是系统用户",
        "the owner of action item {number}, '{owner}', is not a user",
        *_OWNER_HINT,
    ),
    "action.no_due": Entry(
        "第 {number} 条行动项“{title}”没有截止时间",
        "action item {number} ('{title}') has no deadline",
    ),
    "action.due_past": Entry(
        "第 {number} 条行动项的截止时间 {due} 已过（现在是 {now}）",
        "the deadline of action item {number}, {due}, is in the past (it is {now})",
        "截止时间要晚于现在",
        "give a deadline after now",
    ),
    "action.due_too_far": Entry(
        "第 {number} 条行动项的截止时间 {due} 在两年以后",
        "the deadline of action item {number}, {due}, is more than two years ahead",
        "请检查年份",
        "check the year",
    ),
    "action.not_found": Entry("行动项 {item_id} 不存在", "action item {item_id} does not exist"),
    "action.not_yours": Entry(
        "行动项 {item_id} 的负责人是 {owner}，只有负责人能标记完成",
        "action item {item_id} belongs to {owner}: only its owner marks it done",
    ),
    "action.already_done": Entry(
        "行动项 {item_id} 已于 {done} 完成", "action item {item_id} was done at {done}"
    ),
    "action.note_too_long": Entry(
        "完成说明超过 {most} 字", "the note is longer than {most} characters"
    ),
}
