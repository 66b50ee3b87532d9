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
