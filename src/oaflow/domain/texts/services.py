"""Texts of the errors of the use cases (services)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "task.not_found": Entry("任务 {task_id} 不存在", "task {task_id} does not exist"),
    "instance.not_found": Entry(
        "流程实例 {business_key} 不存在",
        "instance {business_key} does not exist",
        "请核对业务编号（如 PROJ20240301）",
        "check the business key (e.g. PROJ20240301)",
    ),
    "instance.state_unknown": Entry(
        "没有“{state}”这种实例状态",
        "'{state}' is not an instance state",
        "可用：{known}",
        "use one of: {known}",
    ),
    "process.not_published": Entry("流程 {key} 尚未发布", "process '{key}' is not published"),
    "process.version_not_published": Entry(
        "流程 {key} 没有第 {version} 版", "process '{key}' version {version} is not published"
    ),
    "inbox.nothing_given": Entry("未指定消息", "no notification given"),
    "file.not_found": Entry(
        "文件 {path} 不存在", "file '{path}' does not exist", "请检查路径", "check the path"
    ),
    "file.is_directory": Entry(
        "{path} 是文件夹，不是文件",
        "'{path}' is a folder, not a file",
        "请给出文件路径",
        "name a file",
    ),
    "file.not_readable": Entry(
        "无法读取文件 {path}",
        "cannot read the file '{path}'",
        "请检查文件权限",
        "check its permissions",
    ),
    "file.too_large": Entry(
        "文件 {path} 超过 {limit_mb} MB",
        "file '{path}' is larger than {limit_mb} MB",
        "请拆分后分批导入",
        "split it and import the parts",
    ),
    "demo.history_needs_new_database": Entry(
        "数据库 {url} 中已有流程实例，不能再加入演示历史",
        "the database {url} already has instances: no demo history is added to it",
        "换一个新的数据库，例如 oaflow --db sqlite:///demo.db init --demo --with-history",
        "use a new database, e.g. oaflow --db sqlite:///demo.db init --demo --with-history",
    ),
    "serve.cannot_listen": Entry(
        "无法在 {host}:{port} 上监听：{reason}",
        "cannot listen on {host}:{port}: {reason}",
        "端口可能已被占用；用 --port 换一个端口，或用 --host 换一个地址",
        "the port may be in use: choose another with --port, or another address with --host",
    ),
    "worker.metrics_cannot_listen": Entry(
        "工作进程的指标端点无法在 {host}:{port} 上监听：{reason}",
        "the worker's metrics endpoint cannot listen on {host}:{port}: {reason}",
        "端口可能已被占用；用 --metrics-port 换一个端口",
        "the port may be in use: choose another with --metrics-port",
    ),
    "upload.too_large": Entry(
        "上传的文件超过 {limit_mb} MB",
        "the upload is larger than {limit_mb} MB",
        "请压缩或拆分后再上传",
        "compress or split it, then upload again",
    ),
    "upload.type_refused": Entry(
        "不接受此类文件（内容是 {type}）",
        "files of this kind are not accepted (the content is {type})",
        "请上传 PDF、Office 文档、图片、ZIP 或文本文件",
        "upload a PDF, an Office document, an image, a ZIP or a text file",
    ),
    "upload.type_unknown": Entry(
        "无法识别文件内容的类型",
        "the content of the file is of no known type",
        "请上传 PDF、Office 文档、图片、ZIP 或 UTF-8 文本文件",
        "upload a PDF, an Office document, an image, a ZIP or a UTF-8 text file",
    ),
    "upload.one_file": Entry(
        "一次只能上传一个文件",
        "upload one file per request",
        "分多次上传",
        "upload them one by one",
    ),
    "upload.malformed": Entry(
        "上传请求的格式有误：{reason}", "the upload is not valid multipart/form-data: {reason}"
    ),
    "upload.empty": Entry("上传的文件是空的", "the uploaded file is empty"),
    "upload.no_file": Entry(
        "请求中没有文件",
        "the request holds no file",
        "用 multipart/form-data 的 file 字段上传",
        "send it as the 'file' field of multipart/form-data",
    ),
    "upload.task_closed": Entry(
        "任务 {task_id} 已结束，不能再上传文件",
        "task {task_id} is closed; no more files can be uploaded for it",
    ),
    "upload.not_found": Entry("文件 {file_id} 不存在", "file {file_id} does not exist"),
    "upload.bytes_missing": Entry(
        "文件 {file_id} 的内容不在存储目录中",
        "the content of file {file_id} is missing from the storage root",
        "请联系管理员从备份恢复存储目录",
        "ask an administrator to restore the storage root from a backup",
    ),
    "upload.not_of_task": Entry(
        "交付物“{name}”引用的 {ref} 不是为任务 {task_id} 上传的文件",
        "deliverable '{name}' names {ref}, which was not uploaded for task {task_id}",
        "先为此任务上传文件，再用返回的 file:编号 引用它",
        "upload the file for this task first and name it by the file:ID it returns",
    ),
    "file.not_utf8": Entry(
        "文件 {path} 不是 UTF-8 文本",
        "file '{path}' is not UTF-8 text",
        "请另存为 UTF-8",
        "save it as UTF-8",
    ),
}
TEXTS.update(
    {
        "deputy.overlaps": Entry(
            "{login} 在 {starts} 至 {ends} 已有代理人 {deputy}",
            "{login} already has deputy {deputy} from {starts} until {ends}",
            "请选择不重叠的时间段，或先清除原有代理",
            "choose a period that does not overlap, or clear the deputies first",
        ),
        "deputy.self": Entry(
            "{login} 不能做自己的代理人",
            "{login} cannot be their own deputy",
            "请指定他人",
            "name another person",
        ),
        "deputy.unknown": Entry(
            "代理人 {deputy} 不是在职用户",
            "deputy '{deputy}' is not an active user",
            "请指定在职的同事",
            "name an active colleague",
        ),
        "deputy.period_backwards": Entry(
            "代理期限的结束早于开始",
            "the period ends before it starts",
            "--until 须晚于 --from",
            "give an end after the start",
        ),
    }
)
TEXTS.update(
    {
        "department.not_found": Entry(
            "部门 {department} 不存在", "department '{department}' does not exist"
        ),
        "channel.exists": Entry(
            "已有名为“{name}”的渠道",
            "a channel named '{name}' exists",
            "请换一个名字",
            "choose another name",
        ),
        "channel.not_found": Entry("渠道“{name}”不存在", "channel '{name}' does not exist"),
        "event.unknown": Entry(
            "事件“{event}”未知，可用：{known}", "event '{event}' is not known; use one of {known}"
        ),
        "event.no_template": Entry(
            "事件“{event}”没有消息模板",
            "event '{event}' has no template",
            "可用事件：{known}",
            "events: {known}",
        ),
        "locale.unknown": Entry(
            "语言“{locale}”未知", "locale '{locale}' is not known", "请用 zh 或 en", "use zh or en"
        ),
        "prefs.invalid": Entry(
            "偏好设置有误：{problems}", "the preferences are not valid: {problems}"
        ),
        "prefs.channel_not_personal": Entry(
            "“{channel}”不是个人渠道（{known}）",
            "channel '{channel}' is not a personal channel ({known})",
        ),
        "prefs.digest_hour": Entry(
            "汇总时间 {hour} 不是一天中的钟点（0–23）",
            "digest hour {hour} is not an hour of the day (0–23)",
        ),
    }
)
TEXTS.update(
    {
        "delivery.nothing_given": Entry("未指定投递记录", "no delivery given"),
        "channel.test_failed": Entry(
            "渠道 {name}：{outcome}——{detail}",
            "channel {name}: {outcome} — {detail}",
            "请检查该渠道的设置",
            "check the channel's settings",
        ),
    }
)
TEXTS.update(
    {
        "calendar.day_kind_unknown": Entry(
            "日期类型“{kind}”未知",
            "unknown kind of day '{kind}'",
            "请用 off 或 work",
            "use 'off' or 'work'",
        ),
        "calendar.file_empty": Entry(
            "“{file}”中没有日期",
            "'{file}' has no days",
            "在表头 date,kind,name 之下逐行填写",
            "add rows below the header date,kind,name",
        ),
        "calendar.period_malformed": Entry(
            "工作时段“{period}”不是 HH:MM-HH:MM 格式",
            "working period '{period}' is not HH:MM-HH:MM",
            "例如 09:00-12:00,13:30-18:00",
            "give the periods like 09:00-12:00,13:30-18:00",
        ),
        "calendar.weekday_unknown": Entry(
            "{days} 不是星期几",
            "{days} is not a day of the week",
            "用 mon tue wed thu fri sat sun 表示，如 sat,sun",
            "name the weekly days off like sat,sun (mon tue wed thu fri sat sun)",
        ),
        "calendar.weekend_everything": Entry(
            "一周每天都成了休息日",
            "every day of the week would be a day off",
            "至少保留一个工作日",
            "leave at least one working weekday",
        ),
        "calendar.year_out_of_range": Entry(
            "年份 {year} 不在 1950–2099 之间",
            "year {year} is outside 1950–2099",
            "例如 2027",
            "give a year such as 2027",
        ),
    }
)
TEXTS.update(
    {
        "database.unreachable": Entry(
            "无法打开数据库 {url}：{reason}",
            "cannot open the database {url}: {reason}",
            "请检查数据库地址（--db / OAFLOW_DATABASE_URL）以及服务器是否在运行",
            "check the database URL (--db / OAFLOW_DATABASE_URL) and that the server is running",
        ),
        "database.busy": Entry(
            "数据库正忙，本次操作没有执行",
            "the database is busy: nothing was done",
            "请稍后再试一次",
            "try again in a moment",
        ),
        "database.no_schema": Entry(
            "{url} 还没有 OA-Flow 数据库，或是旧版本的数据库",
            "{url} has no OA-Flow database yet, or one from an older version",
        ),
        "database.schema_old": Entry(
            "{url} 的数据库结构是旧版本（{found}），本程序需要 {head}",
            "{url} has an older schema ({found}); this OA-Flow needs {head}",
            "先备份，再升级数据库结构，然后启动",
            "back it up, upgrade the schema, then start again",
        ),
        "database.schema_newer": Entry(
            "{url} 已被更新版本的 OA-Flow 升级（{found}），本程序需要 {head}",
            "{url} was upgraded by a newer OA-Flow ({found}); this one needs {head}",
            "在这台机器上安装与其他节点相同的 OA-Flow 版本",
            "install the same OA-Flow version as the other nodes on this machine",
        ),
        "database.url_malformed": Entry(
            "“{url}”不是数据库地址",
            "'{url}' is not a database URL",
            "例如 sqlite:///oaflow.db 或 postgresql://user@host/dbname",
            "use sqlite:///oaflow.db or postgresql://user@host/dbname",
        ),
        "database.unsupported": Entry(
            "不支持数据库“{backend}”",
            "database '{backend}' is not supported",
            "请用 SQLite（sqlite:///文件）或 PostgreSQL（postgresql://…）",
            "use SQLite (sqlite:///FILE) or PostgreSQL (postgresql://...)",
        ),
        "clock.out_of_range": Entry(
            "模拟时间 {now} 超出工作日历支持的范围（{first}–{last} 年）",
            "the simulated time {now} is outside the years the working calendar covers ({first}–{last})",
            "给出这些年份内的时间，如 2024-03-18T09:00",
            "give an instant in those years, e.g. 2024-03-18T09:00",
        ),
    }
)
TEXTS.update(
    {
        "batch.empty": Entry("批量审批未给出任务", "no task given to approve"),
        "batch.too_large": Entry(
            "一次最多批量审批 {limit} 个任务，给出了 {count} 个",
            "at most {limit} tasks can be approved at once; {count} were given",
            "请分批审批",
            "approve them in several batches",
        ),
        "batch.refused": Entry(
            "批量审批未执行，{count} 项有问题：{problems}",
            "nothing was approved: {count} item(s) cannot be: {problems}",
            "去掉这些任务后再批量审批",
            "leave those tasks out and approve the batch again",
        ),
        "batch.item_not_found": Entry("任务 {task_id} 不存在", "task {task_id} does not exist"),
        "batch.item_not_yours": Entry("任务 {task_id} 不是你的", "task {task_id} is not yours"),
        "batch.item_closed": Entry(
            "任务 {task_id} 处于“{state}”状态，不能审批",
            "task {task_id} is {state}, not open for approval",
        ),
        "batch.item_not_decision": Entry(
            "任务 {task_id}（{node}）不是审批环节",
            "task {task_id} ({node}) is not an approval step",
        ),
        "batch.item_forbidden": Entry(
            "你没有审批任务 {task_id} 所属流程的权限",
            "you may not approve in the process of task {task_id}",
        ),
    }
)
TEXTS.update(
    {
        "form.text_invalid": Entry(
            "表单不是有效的 JSON/YAML：{detail}",
            "the form is not valid JSON/YAML: {detail}",
            "检查引号和括号",
            "check quotes and braces",
        ),
        "form.not_an_object": Entry(
            "表单须是“字段: 值”的对象",
            "the form must be an object of field: value",
            '例如 {"title": "…"}',
            'e.g. {"title": "…"}',
        ),
        "calendar.date_malformed": Entry(
            "“{text}”不是日期",
            "'{text}' is not a date",
            "日期写成 YYYY-MM-DD，如 2027-02-01",
            "write the date as YYYY-MM-DD, e.g. 2027-02-01",
        ),
        "link.unusable": Entry(
            "此链接无法使用：{reason}",
            "this link cannot be used: {reason}",
            "请在 OA-Flow 中打开该任务",
            "open the task in OA-Flow instead",
        ),
        "link.used": Entry(
            "此链接已用过；每个链接只能用一次",
            "this link was used already; a link works once",
            "请在 OA-Flow 中打开该任务",
            "open the task in OA-Flow instead",
        ),
        "org.file.unknown_format": Entry(
            "无法判断“{file}”的格式",
            "cannot tell the format of '{file}'",
            "文件名用 *.yaml、*.yml、*.csv 或 *.xlsx",
            "name the file *.yaml, *.yml, *.csv or *.xlsx",
        ),
        "process.version_missing": Entry(
            "流程版本 {definition_id} 不存在", "process version {definition_id} does not exist"
        ),
    }
)
TEXTS.update(
    {
        "start.not_your_department": Entry(
            "{login} 不属于部门“{department}”",
            "{login} does not belong to department '{department}'",
            "请以你所在的部门发起：{yours}",
            "start it for one of your departments: {yours}",
        ),
        "start.not_an_initiating_department": Entry(
            "流程 {process} 由 {initiators} 发起，{department} 不能发起",
            "process '{process}' is started by {initiators}, not by {department}",
            "请发起部门的同事发起",
            "ask a member of an initiating department to start it",
        ),
        "tick.backwards": Entry(
            "不能回退到 {until}：时间已推进到 {last}",
            "cannot tick back to {until}: time was already ticked to {last}",
            "--until 须晚于上次推进的时间",
            "give an --until later than the last tick",
        ),
    }
)
TEXTS.update(
    {
        "batch.item_waiting": Entry(
            "任务 {task_id} 在等前加签的人先审批", "task {task_id} waits for a signer added before"
        ),
    }
)
