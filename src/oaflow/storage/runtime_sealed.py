"""What the runtime store does about sealed values (docs/adr/0008): which version an
instance runs (its sensitive fields), a row's sealed column written anew, and the keys'
check values in the store's transaction (``sealing.KeyChecks``)."""

from __future__ import annotations

from typing import Any

from oaflow.storage.runtime_rows import json_text
from oaflow.storage.sealing import SensitiveFields


class SealedRows:
    """The sealed-value part of ``RuntimeStore`` (on its cursor and statements)."""

    cursor: Any
    sql: dict[str, str]
    fields: SensitiveFields
    #: instance id -> its definition's id (which fields are sensitive)
    _definitions: dict[int, int]

    @staticmethod
    def _open(remembered: dict[str, Any], m: dict[str, Any], column: str, opened: Any) -> None:
        """Put a JSON column's opened value in the record's values; when a sealed value
        was opened, remember the plain text (an update compares with it)."""
        if opened is not m[column]:
            remembered[column] = json_text(opened)
        m[column] = opened

    def definition_of(self, instance_id: int) -> int:
        """The id of the published version instance ``instance_id`` runs."""
        found = self._definitions.get(instance_id)
        if found is None:
            self.cursor.execute(self.sql["definition_of"], {"iid": instance_id})
            found = self._definitions[instance_id] = int(self.cursor.fetchone()[0])
        return found

    def reseal(self, table: str, row_id: int, sealed: str) -> None:
        """Write a row's sealed JSON column anew (rotation; a new task's outputs)."""
        statement = "reseal_data" if table == "instances" else "reseal_outputs"
        column = "data" if table == "instances" else "outputs"
        self.cursor.execute(self.sql[statement], {"id": row_id, column: sealed})

    def check_names(self) -> list[str]:
        self.cursor.execute(self.sql["check_names"])
        return [str(row[0]) for row in self.cursor.fetchall()]

    def check_value(self, name: str) -> str | None:
        self.cursor.execute(self.sql["check_value"], {"name": name})
        row = self.cursor.fetchone()
        return str(row[0]) if row else None

    def add_check(self, name: str, value: str) -> None:
        self.cursor.execute(self.sql["add_check"], {"name": name, "value": value})
