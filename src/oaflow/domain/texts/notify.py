"""Texts of the errors and problems of notifications: channels, templates, links (NTF).

Channel problems are whole sentences (shown one after another when a channel is saved);
template problems name the part (subject or body) and the line.
"""

from __future__ import annotations

from oaflow.domain.texts import Entry

CHANNELS = {
    "channel.invalid": Entry(
        "渠道设置有误：{problems}",
        "the channel is not valid: {problems}",
        "改正后再添加",
        "fix it and add again",
    ),
    "channel.invalid_change": Entry(
        "渠道设置有误：{problems}",
        "the channel is not valid: {problems}",
        "没有做任何修改",
        "nothing was changed",
    ),
    "channel.unknown_kind": Entry(
        "'{kind}' 不是渠道类型；请从 {kinds} 中选择。",
        "'{kind}' is not a channel kind; choose one of: {kinds}.",
    ),
    "channel.unknown_setting": Entry(
        "'{key}' 不是 {kind} 渠道的设置项；请删除它，或使用 {known} 之一。",
        "'{key}' is not a setting of a {kind} endpoint; remove it or use one of: {known}.",
    ),
    "channel.unknown_event": Entry(
        "事件 '{event}' 不存在；请使用 {events} 之一。",
        "event '{event}' is not known; use one of {events}.",
    ),
    "channel.negative_per_minute": Entry(
        "每分钟限额必须为 0（不限）或更多。", "the per-minute limit must be 0 (no limit) or more."
    ),
    "channel.bad_timeout": Entry(
        "超时时间 {value} 不是正的秒数；例如填 10。",
        "The timeout {value} is not a positive number of seconds; use e.g. 10.",
    ),
    "channel.email.no_host": Entry(
        "缺少 SMTP 服务器；请填写邮件服务器的名称，例如 smtp.example.com。",
        "The SMTP host is missing; enter the mail server's name, e.g. smtp.example.com.",
    ),
    "channel.email.bad_tls": Entry(
        "tls 设置为 {tls}，不是 'none'、'starttls' 或 'ssl' 之一；端口 587 用 'starttls'，"
        "端口 465 用 'ssl'，只有内网中继才用 'none'。",
        "The tls setting is {tls}, which is not one of 'none', 'starttls' or 'ssl'; use "
        "'starttls' for port 587, 'ssl' for port 465 and 'none' only for a relay inside your "
        "network.",
    ),
    "channel.email.port_not_a_number": Entry(
        "SMTP 端口 {port} 不是数字；例如填 587（starttls）或 465（ssl）。",
        "The SMTP port {port} is not a number; use e.g. 587 (starttls) or 465 (ssl).",
    ),
    "channel.email.port_out_of_range": Entry(
        "SMTP 端口 {port} 超出范围；请填 1 到 65535 之间的数字。",
        "The SMTP port {port} is out of range; use a number from 1 to 65535.",
    ),
    "channel.email.no_sender": Entry(
        "缺少发件人地址；请填写发送邮件所用的地址。",
        "The sender address is missing; enter the address mail is sent from.",
    ),
    "channel.email.bad_sender": Entry(
        "发件人 '{sender}' 不是邮箱地址；例如填 oa@example.com。",
        "The sender '{sender}' is not an e-mail address; use e.g. oa@example.com.",
    ),
    "channel.email.sender_name_not_text": Entry(
        "发件人名称必须是文本，例如 流程中心。",
        "The sender name must be text, e.g. Workflow Centre.",
    ),
    "channel.email.password_without_username": Entry(
        "设置了密码但没有用户名；请填写用户名，或清除密码。",
        "A password is set without a username; enter the username or clear the password.",
    ),
    "channel.email.login_in_clear": Entry(
        "设置了用户名但 tls 为 'none'，密码会以明文在网络上传输；"
        "请把 tls 设为 'starttls' 或 'ssl'。",
        "A username is set but tls is 'none', so the password would cross the network "
        "unencrypted; set tls to 'starttls' or 'ssl'.",
    ),
    "channel.url_of.wecom": Entry("企业微信群机器人的 Webhook", "WeCom group robot's webhook"),
    "channel.url_of.dingtalk": Entry("钉钉机器人的 Webhook", "DingTalk robot's webhook"),
    "channel.url_of.feishu": Entry("飞书机器人的 Webhook", "Feishu bot's webhook"),
    "channel.url_of.webhook": Entry("接收方的", "receiver's"),
    "channel.url.missing": Entry(
        "缺少 url；请粘贴{what}地址（以 https:// 开头）。",
        "The url is missing; paste the {what} address (it starts with https://).",
    ),
    "channel.url.not_http": Entry(
        "url '{url}' 不是以 http:// 或 https:// 开头；请粘贴完整的地址。",
        "The url '{url}' does not start with http:// or https://; paste the full address.",
    ),
    "channel.url.invalid": Entry(
        "url '{url}' 不是有效的地址；请粘贴完整的{what}地址。",
        "The url '{url}' is not a valid address; paste the full {what} address.",
    ),
    "channel.secret.not_text": Entry(
        "密钥必须是文本；请按平台显示的原样粘贴。",
        "The secret must be text; paste it exactly as the platform shows it.",
    ),
    "channel.wecom.no_key": Entry(
        "企业微信的 url 中没有 key 参数；请从群机器人设置中复制完整的 Webhook 地址"
        "（https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...）。",
        "The WeCom url has no key parameter; copy the whole webhook address from the group "
        "robot's settings (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...).",
    ),
    "channel.dingtalk.no_access_token": Entry(
        "钉钉的 url 中没有 access_token 参数；请从机器人设置中复制完整的 Webhook 地址"
        "（https://oapi.dingtalk.com/robot/send?access_token=...）。",
        "The DingTalk url has no access_token parameter; copy the whole webhook address "
        "(https://oapi.dingtalk.com/robot/send?access_token=...) from the robot's settings.",
    ),
    "channel.dingtalk.bad_secret": Entry(
        "钉钉密钥不是以 'SEC' 开头；请从机器人的安全设置中复制加签密钥；"
        "如果机器人使用关键词或 IP 限制，请清除密钥。",
        "The DingTalk secret does not start with 'SEC'; copy the signing secret from "
        "the robot's security settings, or clear it if the robot uses keywords or IPs.",
    ),
    "channel.feishu.not_a_hook": Entry(
        "飞书的 url 不是机器人 Webhook 地址；请从机器人设置中复制"
        "（https://open.feishu.cn/open-apis/bot/v2/hook/...）。",
        "The Feishu url is not a bot webhook address; copy it from the bot's settings "
        "(https://open.feishu.cn/open-apis/bot/v2/hook/...).",
    ),
}

TEMPLATES = {
    "template.invalid": Entry(
        "模板有误：{problems}",
        "the template is not valid: {problems}",
        "可用的变量：{variables}",
        "variables you may use: {variables}",
    ),
    "template.part.subject": Entry("主题", "subject"),
    "template.part.body": Entry("正文", "body"),
    "template.at_line": Entry("{part}第 {line} 行：{problem}", "{part} line {line}: {problem}"),
    "template.in_part": Entry("{part}中：{problem}", "{part}: {problem}"),
    "template.too_long": Entry(
        "{part}长 {length} 个字符；上限为 {limit}，请缩短",
        "{part} is {length} characters long; the limit is {limit}, shorten it",
    ),
    "template.too_deep": Entry(
        "模板嵌套超过 {limit} 层；请写得简单些",
        "the template is nested deeper than {limit} levels; make it simpler",
    ),
    "template.syntax": Entry("语法错误：{detail}", "syntax error: {detail}"),
    "template.does_not_compile": Entry("无法编译：{detail}", "does not compile: {detail}"),
    "template.tag_not_allowed": Entry(
        "通知模板中不允许使用 '{{% {tag} %}}'",
        "'{{% {tag} %}}' is not allowed in notification templates",
    ),
    "template.loop.recursive": Entry("不允许使用递归循环", "recursive loops are not allowed"),
    "template.loop.too_deep": Entry(
        "循环最多只能嵌套 {limit} 层", "loops may be nested at most {limit} deep"
    ),
    "template.loop.source": Entry(
        "for 循环只能遍历 items 或 form 或它们的一部分，例如 '{{% for item in items %}}' 或 "
        "'{{% for key, value in form|dictsort %}}'",
        "a for loop may only go over items or form or a part of them, e.g. "
        "'{{% for item in items %}}' or '{{% for key, value in form|dictsort %}}'",
    ),
    "template.private_attribute": Entry(
        "'{name}' 以 '_' 开头；这样的属性不可访问",
        "'{name}' starts with '_'; such attributes are not accessible",
    ),
    "template.private_key": Entry(
        "以 '_' 开头的键不可访问", "keys starting with '_' are not accessible"
    ),
    "template.unknown_filter": Entry(
        "未知或不允许的过滤器 '{name}'；可用的有：{allowed}",
        "unknown or disallowed filter '{name}'; use one of: {allowed}",
    ),
    "template.unknown_test": Entry("未知的测试 '{name}'", "unknown test '{name}'"),
    "template.unknown_variable": Entry(
        "未知的变量 '{name}'；可用的有：{known}",
        "unknown variable '{name}'; use one of: {known}",
    ),
    "template.unknown_variable_close": Entry(
        "未知的变量 '{name}'；是不是想写 '{word}'？可用的有：{known}",
        "unknown variable '{name}'; did you mean '{word}'? use one of: {known}",
    ),
    "template.call_not_allowed": Entry(
        "不允许调用它；可以调用的方法有：{methods}",
        "calling this is not allowed; the methods you may call are: {methods}",
    ),
    "template.prints_method": Entry(
        "模板只能输出值，不能输出方法（'{name}'）；调用它，例如 upper()，或去掉它",
        "templates may print values, not methods ('{name}'); call it, e.g. upper(), or "
        "leave it out",
    ),
    "template.trial_failed": Entry(
        "{problem}（用示例数据渲染时）；请修改模板",
        "{problem} (rendering with the sample data); fix the template",
    ),
    "template.renders_empty": Entry(
        "{part}渲染后为空；请写点内容", "{part} renders as empty text; write something in it"
    ),
}

RENDERING = {
    "template.render.refused": Entry("被沙箱拒绝：{detail}", "refused by the sandbox: {detail}"),
    "template.render.undefined": Entry("未定义的值：{detail}", "undefined value: {detail}"),
    "template.render.failed": Entry("渲染出错（{error}）：{detail}", "{error}: {detail}"),
    "template.refused.value_too_long": Entry(
        "被沙箱拒绝：长度为 {length} 的值超过了 {limit}",
        "refused by the sandbox: a value of {length} items is longer than {limit}",
    ),
    "template.refused.power_too_large": Entry(
        "被沙箱拒绝：{left} ** {right} 的结果太大",
        "refused by the sandbox: {left} ** {right} is too large a number",
    ),
    "template.refused.product_too_large": Entry(
        "被沙箱拒绝：乘积太大", "refused by the sandbox: the product is too large a number"
    ),
    "template.refused.repeat_too_long": Entry(
        "被沙箱拒绝：把一个值重复 {times} 次太长了",
        "refused by the sandbox: repeating a value {times} times is too long",
    ),
    "template.refused.percent_format": Entry(
        "被沙箱拒绝：不允许用 '%' 格式化；请用 '~' 连接文本",
        "refused by the sandbox: '%' formatting is not allowed; join texts with '~'",
    ),
    "template.refused.call": Entry(
        "被沙箱拒绝：通知模板中不允许调用 '{name}'",
        "refused by the sandbox: calling '{name}' is not allowed in notification templates",
    ),
    "template.refused.join_too_long": Entry(
        "被沙箱拒绝：连接后的文本太长", "refused by the sandbox: joining would make too long a text"
    ),
}

LINKS = {
    "link.malformed.content": Entry(
        "链接格式不对：无法读取其内容", "the link is malformed: its content cannot be read"
    ),
    "link.malformed.fields": Entry(
        "链接格式不对：缺少部分字段", "the link is malformed: it lacks some of its fields"
    ),
    "link.malformed.types": Entry(
        "链接格式不对：有字段的类型不对", "the link is malformed: a field has the wrong type"
    ),
    "link.malformed.issue_time": Entry(
        "链接格式不对：签发时间不可能", "the link is malformed: its issue time is impossible"
    ),
    "link.bad_signature": Entry(
        "链接的签名无效：它被改动过、被截断，或不是本系统生成的",
        "the link's signature is not valid: it was altered, cut short or not made here",
    ),
    "link.unknown_action": Entry(
        "链接的操作 {action} 未知；应为 {actions} 之一",
        "the link's action {action} is unknown; expected one of {actions}",
    ),
    "link.issued_later": Entry(
        "链接的签发时间 {issued} 晚于现在（{now}）；请检查服务器的时钟",
        "the link was issued at {issued}, later than now ({now}); check the servers' clocks",
    ),
    "link.expired": Entry(
        "链接已于 {expires} 过期；请重新获取", "the link expired at {expires}; ask for a new one"
    ),
}

TEXTS: dict[str, Entry] = {**CHANNELS, **TEMPLATES, **RENDERING, **LINKS}
