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
