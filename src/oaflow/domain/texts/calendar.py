"""Texts of the errors and problems of the working calendar and of times (TIME-1), and of
calendar files (company days off and working days)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

_AWARE = ("传入带时区的 datetime", "pass a timezone-aware datetime")

CALENDAR = {
    "calendar.unknown_zone": Entry(
        "未知的时区 {zone}",
        "unknown time zone {zone}",
        "使用 IANA 时区名，例如 'Asia/Shanghai'",
        "use an IANA time zone name such as 'Asia/Shanghai'",
    ),
    "calendar.not_a_datetime": Entry(
        "{name} 必须是 datetime，实际是 {type}", "{name} must be a datetime, got {type}", *_AWARE
    ),
    "calendar.naive_time": Entry(
        "{name} {moment} 没有时区",
        "{name} {moment} has no time zone",
        "传入带时区的 datetime，例如 datetime(..., tzinfo=UTC)",
        "pass a timezone-aware datetime, e.g. datetime(..., tzinfo=UTC)",
    ),
    "calendar.hours.not_a_number": Entry(
        "小时数必须是数字，实际是 {type}",
        "hours must be a number, got {type}",
        "以小时为单位给出时限，例如 8 或 1.5",
        "give the time limit in hours, e.g. 8 or 1.5",
    ),
    "calendar.hours.negative": Entry(
        "小时数必须大于等于零，实际是 {hours}",
        "hours must be zero or more, got {hours}",
        "时限要大于等于零小时",
        "give a time limit of zero or more hours",
    ),
    "calendar.hours.too_many": Entry(
        "{hours} 小时超过了最长时限（{limit} 小时）",
        "hours {hours} is more than the largest time limit ({limit} hours)",
        "检查时限的单位：时限按小时计",
        "check the unit of the time limit: it is counted in hours",
    ),
    "calendar.period.backwards": Entry(
        "工作时段 {start}–{end} 的结束时间不晚于开始时间",
        "working period {start}–{end} does not end after it starts",
        "时段限于一天之内，例如 (09:00, 12:00)；夜班请拆开",
        "periods lie within one day, e.g. (09:00, 12:00); split night shifts",
    ),
    "calendar.period.overlaps": Entry(
        "工作时段 {start}–{end} 与前一个时段重叠或排在它之前",
        "working period {start}–{end} overlaps or precedes the one before it",
        "按时间顺序列出工作时段，且不要重叠",
        "list working periods in order without overlaps",
    ),
    "calendar.period.none": Entry(
        "工作日历至少需要一个工作时段",
        "a working calendar needs at least one working period",
        "添加一个时段，例如 (09:00, 18:00)",
        "add a period such as (09:00, 18:00)",
    ),
    "calendar.weekend.bad_days": Entry(
        "周末日 {days} 不是星期几",
        "weekend days {days} are not weekdays",
        "用 0 表示星期一，直到 6 表示星期日",
        "use 0 for Monday up to 6 for Sunday",
    ),
    "calendar.days.both": Entry(
        "这些日期既是休息日又是额外工作日：{dates}",
        "dates are both days off and extra working days: {dates}",
        "每个日期只能选一种；with_days_off / with_extra_workdays 可以移动日期",
        "decide for each date; with_days_off / with_extra_workdays move a date",
    ),
    "calendar.no_working_day": Entry(
        "日历在 {days} 天内没有任何工作日",
        "the calendar has no working day in {days} days",
        "检查日历的周末、休息日和工作时段",
        "check the weekend, days off and working periods of the calendar",
    ),
    "calendar.beyond_last_date": Entry(
        "结果超出了日历能表示的最后日期",
        "the result is beyond the last date the calendar can represent",
        "缩短时限或提前开始时间",
        "use a shorter time limit or an earlier start",
    ),
    "calendar.time_without_zone": Entry(
        "时间 {time} 没有时区",
        "time {time} has no time zone",
        "加上时区偏移，例如 2024-03-18T18:00+08:00，UTC 用 ...Z",
        "give an offset, e.g. 2024-03-18T18:00+08:00 or ...Z for UTC",
    ),
    "calendar.bad_time": Entry(
        "'{text}' 不是 ISO-8601 格式的时间",
        "'{text}' is not an ISO-8601 time",
        "写成 2024-03-18T18:00 或 2024-03-18T10:00:00Z 这样的形式",
        "write it like 2024-03-18T18:00 or 2024-03-18T10:00:00Z",
    ),
    "calendar.company_dates.both": Entry(
        "公司日期 {date} 既是休息日又是工作日",
        "company dates are both days off and working days: {date}",
        "每个公司日期只列一次，作为休息日或工作日",
        "list each company date once, as a day off or as a working day",
    ),
    "calendar.china.no_years": Entry(
        "没有给出中国日历的年份",
        "no years given for the China calendar",
        "给出要预置的年份，例如 years=[2025, 2026]，或不传 years",
        "pass the years to seed, e.g. years=[2025, 2026], or leave years out",
    ),
    "calendar.china.year_out_of_range": Entry(
        "年份 {year} 超出支持的范围 1950–2099",
        "year {year} is outside the supported range 1950–2099",
        "预置中华人民共和国成立后的年份，例如 2026",
        "seed years of the People's Republic calendar, e.g. 2026",
    ),
}

_DATE_HINT = ("日期写成 YYYY-MM-DD，例如 2027-02-01", "write dates as YYYY-MM-DD, e.g. 2027-02-01")

FILES = {
    "calendar.file.unknown_format": Entry(
        "无法判断 '{file}' 的格式",
        "cannot tell the format of '{file}'",
        "文件名用 *.csv 或 *.xlsx",
        "name the file *.csv or *.xlsx",
    ),
    "calendar.file.missing": Entry(
        "文件 '{path}' 不存在", "file '{path}' does not exist", "检查路径", "check the path"
    ),
    "calendar.file.unreadable": Entry(
        "无法读取文件 '{path}'（{detail}）",
        "file '{path}' cannot be read ({detail})",
        "检查路径和访问权限",
        "check the path and the permissions",
    ),
    "calendar.file.encoding": Entry(
        "文件 '{file}' 既不是 UTF-8 也不是 GB18030 文本",
        "file '{file}' is neither UTF-8 nor GB18030 text",
        "另存为 CSV UTF-8",
        "save it as CSV UTF-8",
    ),
    "calendar.file.not_a_workbook": Entry(
        "'{file}' 不是 Excel 工作簿（{detail}）",
        "'{file}' is not an Excel workbook ({detail})",
        "用 Excel 或 WPS 另存为 .xlsx",
        "save it as .xlsx from Excel or WPS",
    ),
    "calendar.file.no_column": Entry(
        "{file}:{line}：表头中没有列 {missing}",
        "{file}:{line}: the header has no column {missing}",
        "文件第一行写表头 date,kind,name",
        "start the file with the header row date,kind,name",
    ),
    "calendar.day.twice": Entry(
        "{day} 已经在第 {first} 行出现过",
        "{day} is already on line {first}",
        "每个日期只列一次",
        "list each date once",
    ),
    "calendar.day.bad_date": Entry("{value} 不是日期", "{value} is not a date", *_DATE_HINT),
    "calendar.day.bad_kind": Entry(
        "类型 {value} 既不是 off 也不是 work",
        "kind {value} is not off or work",
        "填 off（休息日，休息）或 work（工作日，上班）",
        "use off (a day off, 休息) or work (a working day, 上班)",
    ),
    "calendar.name.too_long": Entry(
        "名称长 {length} 个字符",
        "the name is {length} characters long",
        "最多 {limit} 个字符",
        "use at most {limit} characters",
    ),
}

TEXTS: dict[str, Entry] = {**CALENDAR, **FILES}
