"""Departments and people as a template's cells name them (研发部, 张伟, rnd, zhang.wei) and
back: the organisation looked up by name in either language, by code or by login."""

from __future__ import annotations

from dataclasses import dataclass

from oaflow.domain.org import Organisation


@dataclass(frozen=True)
class Directory:
    org: Organisation

    def department(self, text: str) -> str | None:
        """The code of the department ``text`` names (its code, Chinese or English name)."""
        wanted = text.strip()
        if wanted in self.org.departments:
            return wanted
        for code, department in self.org.departments.items():
            if wanted in (department.name.zh, department.name.en):
                return code
        return None

    def people(self, text: str) -> list[str]:
        """The logins ``text`` may name (a login, or a name in either language)."""
        wanted = text.strip()
        if wanted in self.org.users:
            return [wanted]
        return [
            login
            for login, user in self.org.users.items()
            if wanted in (user.name.zh, user.name.en)
        ]

    def department_name(self, code: str, lang: str) -> str:
        return self.org.department_name(code, lang)

    def person_name(self, login: str, lang: str) -> str:
        return self.org.user_name(login, lang)
