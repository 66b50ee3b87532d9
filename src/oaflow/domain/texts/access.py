"""Texts of who may do what (SEC-2): principals and scope."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "access.unknown_user": Entry(
        "用户 {login} 不存在或已停用",
        "user '{login}' does not exist or is not active",
    ),
    "access.denied": Entry(
        "{login} 没有{permission}权限",
        "{login} may not {permission} here",
        "请联系管理员授予相应角色",
        "ask an administrator for a role that may",
    ),
    "org.founder_not_administrator": Entry(
        "数据库中还没有任何用户：首次导入须由文件中列出的管理员执行，{login} 不是",
        "the database has nobody yet: its first import is made by an administrator the file "
        "names, and {login} is not one",
        "在文件中给自己加上 administrator 角色，或以文件中的管理员身份导入",
        "give yourself the role administrator in the file, or import as one of its administrators",
    ),
}
TEXTS.update(
    {
        "access.permission_unknown": Entry(
            "没有“{permission}”这种流程权限",
            "'{permission}' is not a process permission",
            "可用：{known}",
            "use one of: {known}",
        ),
        "access.role_unknown": Entry(
            "角色 {roles} 未知", "unknown role(s): {roles}", "可用：{known}", "use one of: {known}"
        ),
        "policy.tag_empty": Entry(
            "合规策略须有标签", "a policy needs a tag", "例如 contract", "e.g. contract"
        ),
        "policy.department_unknown": Entry(
            "部门 {departments} 不在组织架构中",
            "department(s) {departments} are not in the organisation",
        ),
    }
)
TEXTS.update(
    {
        "auth.bad_credentials": Entry(
            "账号或密码不对", "wrong login or password", "请检查后重试", "check them and try again"
        ),
        "auth.throttled": Entry(
            "登录失败次数过多，请 {minutes} 分钟后再试",
            "too many failed sign-ins; try again in {minutes} minute(s)",
        ),
        "auth.session_ended": Entry(
            "登录已失效，请重新登录", "the session has ended; sign in again"
        ),
        "auth.not_signed_in": Entry(
            "请先登录",
            "sign in first",
            "用账号和密码登录，或带上 API 令牌",
            "sign in, or send an API token",
        ),
        "auth.token_invalid": Entry(
            "API 令牌无效、已过期或已吊销", "the API token is not valid, has expired or was revoked"
        ),
        "auth.token_scope": Entry(
            "此 API 令牌没有“{scope}”权限", "this API token has no '{scope}' scope"
        ),
        "auth.token_scopes": Entry(
            "令牌范围 {scopes} 不对",
            "token scopes {scopes} are not right",
            "可用：{known}",
            "use some of: {known}",
        ),
        "auth.token_days": Entry(
            "令牌有效期 {days} 天不在 1–366 之间", "a token's {days} days are not within 1–366"
        ),
        "auth.token_name": Entry(
            "令牌须有名称", "a token needs a name", "例如 财务系统同步", "e.g. finance-sync"
        ),
        "auth.token_not_found": Entry("令牌 {token_id} 不存在", "token {token_id} does not exist"),
        "auth.password_short": Entry(
            "密码至少需要 {minimum} 个字符", "a password needs at least {minimum} characters"
        ),
        "idempotency.key_invalid": Entry(
            "Idempotency-Key 须是 1–200 个可见 ASCII 字符",
            "an Idempotency-Key is 1–200 visible ASCII characters",
            "例如用 UUID",
            "a UUID does",
        ),
        "idempotency.key_reused": Entry(
            "Idempotency-Key {key} 已用于另一个请求",
            "Idempotency-Key {key} was used for another request",
            "每个不同的请求用一个新的键；重试时请求内容须完全相同",
            "use a new key for each different request; a retry sends the same request",
        ),
        "idempotency.in_flight": Entry(
            "使用 Idempotency-Key {key} 的请求仍在处理中",
            "the request with Idempotency-Key {key} is still being handled",
            "稍后用同一个键重试",
            "retry with the same key in a moment",
        ),
        "idempotency.too_large": Entry(
            "带 Idempotency-Key 的请求体超过 {limit_mb} MB",
            "a request with an Idempotency-Key is larger than {limit_mb} MB",
        ),
        "auth.csrf": Entry(
            "表单令牌缺失或不匹配",
            "the form token is missing or does not match",
            "刷新页面后重试",
            "reload the page and try again",
        ),
    }
)
