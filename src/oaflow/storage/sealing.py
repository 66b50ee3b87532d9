"""Which fields of a process are sensitive, and sealing and opening their values where
instance data and task outputs become JSON and come back from it (``runtime_store``,
``runtime_reads``; docs/adr/0008). Only the values of sensitive fields are sealed; the rest
of the data stays plain JSON (rules and scope queries read it).

Before the first value is sealed, the database's check value of the current key must open
with it (a wrong key fails closed instead of sealing new values nobody can open later); a
database that has check values accepts no plain sensitive values from a process without
keys. Check values sit in the ``settings`` table; they are not keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from oaflow.domain.errors import CryptoError
from oaflow.domain.text import Text
from oaflow.storage.crypto import Cipher, EnvelopeError, is_sealed

CHECK_PREFIX = "key_check."
_CHECK_PLAIN = b"oaflow key check"
_CHECK_PLACE = b"settings/key_check"
_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)
_CODES = {
    "malformed": "crypto.value_malformed",
    "unknown": "crypto.key_unknown",
    "unreadable": "crypto.value_unreadable",
}


@dataclass(frozen=True)
class Place:
    """Where values are kept: an instance (by business key) or a task (by id). A value
    sealed for one place and field opens there only."""

    table: str
    row: str

    def aad(self, name: str) -> bytes:
        return f"{self.table}/{self.row}/{name}".encode()

    def text(self) -> Text:
        if self.table == "tasks":
            return Text(f"任务 {self.row}", f"task {self.row}")
        return Text(f"实例 {self.row}", f"instance {self.row}")


def instance_place(business_key: str) -> Place:
    return Place("instances", business_key)


def task_place(task_id: int) -> Place:
    return Place("tasks", str(task_id))


class KeyChecks(Protocol):
    """The check values the database keeps (in the write transaction that seals)."""

    def check_names(self) -> list[str]: ...

    def check_value(self, name: str) -> str | None: ...

    def add_check(self, name: str, value: str) -> None: ...


class SensitiveFields:
    """The cipher (None: no key configured) and the sensitive fields of each published
    version, cached (versions never change); ``names_of`` finds those not cached yet."""

    def __init__(self, cipher: Cipher | None, names_of: Callable[[int], frozenset[str]]) -> None:
        self.cipher = cipher
        self._names_of = names_of
        self._names: dict[int, frozenset[str]] = {}
        #: whether this process has seen the database's check value of the current key open
        #: (or, without a key, that the database has none)
        self._checked = False

    def names(self, definition_id: int) -> frozenset[str]:
        """The sensitive fields of the published version ``definition_id``."""
        found = self._names.get(definition_id)
        if found is None:
            found = self._names[definition_id] = self._names_of(definition_id)
        return found

    def learn(self, definition_id: int, names: frozenset[str]) -> None:
        self._names[definition_id] = names

    # -- sealing --------------------------------------------------------------------------
    def seal(
        self, values: Mapping[str, Any], names: frozenset[str], place: Place, checks: KeyChecks
    ) -> Mapping[str, Any]:
        """``values`` with those of ``names`` sealed for ``place`` (no value, None, stays
        as it is); ``values`` itself when nothing is to be sealed or no key is configured."""
        todo = [n for n in names if values.get(n) is not None] if names else []
        if not todo:
            return values
        self.before_sealing(checks)
        if self.cipher is None:
            return values
        sealed = dict(values)
        for name in todo:
            sealed[name] = self.cipher.seal(plain_json(values[name]), place.aad(name))
        return sealed

    def before_sealing(self, checks: KeyChecks) -> None:
        """Once per process: the current key opens its check value (added when the
        database has none for it yet); without a key, the database has no check value."""
        if self._checked:
            return
        if self.cipher is None:
            kids = [n.removeprefix(CHECK_PREFIX) for n in checks.check_names()]
            if kids:
                raise CryptoError("crypto.database_encrypted", kids=sorted(kids))
            self._checked = True
            return
        self._checked = verify_key(self.cipher, self.cipher.current, checks, add=True)

    # -- opening --------------------------------------------------------------------------
    def open(
        self, values: dict[str, Any], names: frozenset[str], place: Callable[[], Place]
    ) -> dict[str, Any]:
        """``values`` with the sealed values of the fields ``names`` opened (``values``
        itself when there are none); a value that does not open fails closed. Text that
        looks sealed in another field is left as it is."""
        sealed = [n for n in names if is_sealed(values.get(n))]
        if not sealed:
            return values
        where = place()
        opened = dict(values)
        for name in sealed:
            opened[name] = self.open_value(values[name], where, name)
        return opened

    def open_value(self, envelope: str, place: Place, name: str) -> Any:
        """The value ``envelope`` holds, sealed for field ``name`` of ``place``."""
        if self.cipher is None:
            raise CryptoError("crypto.key_missing", field=name, place=place.text())
        try:
            return orjson.loads(self.cipher.open(envelope, place.aad(name)))
        except EnvelopeError as error:
            code = _CODES[error.reason]
            raise CryptoError(code, field=name, place=place.text(), kid=error.kid) from None
        except orjson.JSONDecodeError:
            raise CryptoError("crypto.value_malformed", field=name, place=place.text()) from None


def plain_json(value: Any) -> bytes:
    """A value as the JSON that is sealed (as ``runtime_rows.json_text`` writes it)."""
    return orjson.dumps(value, default=str, option=_OPTIONS)


def verify_key(cipher: Cipher, kid: str, checks: KeyChecks, add: bool = False) -> bool:
    """Whether key ``kid``'s check value is in the database and opens; with ``add``, the
    current key's check value is added when there is none (False: not committed yet).
    A check value that does not open: ``crypto.key_wrong``."""
    name = CHECK_PREFIX + kid
    stored = checks.check_value(name)
    if stored is None:
        if not add:
            return False
        checks.add_check(name, cipher.seal(_CHECK_PLAIN, _CHECK_PLACE))
        stored = checks.check_value(name)  # another process may have added its own first
        if stored is None:
            return False
        _open_check(cipher, kid, stored)
        return False
    _open_check(cipher, kid, stored)
    return True


def _open_check(cipher: Cipher, kid: str, stored: str) -> None:
    try:
        opens = cipher.open(stored, _CHECK_PLACE) == _CHECK_PLAIN
    except EnvelopeError:
        opens = False
    if not opens:
        raise CryptoError("crypto.key_wrong", kid=kid)
