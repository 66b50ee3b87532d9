"""The keys that seal sensitive fields (SEC-3, docs/adr/0008): which keys the database's
values use (``status``), sealing every value anew with the current key (``rotate``), a new
key for the configuration (``new_key``), and what the configuration should change
(``warnings``). Keys come from the settings or a key file; the database keeps none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from oaflow.domain.errors import CryptoError, Fault, fault
from oaflow.domain.security import Permission, Principal
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.storage import rekey
from oaflow.storage.crypto import new_key_entry
from oaflow.storage.runtime_store import RuntimeStore
from oaflow.storage.sealing import CHECK_PREFIX, verify_key

#: rows sealed anew per transaction
BATCH = 500
#: reports the rows gone through so far and the rows there are
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class KeyUse:
    """One key id: whether it is configured (and current), whether the database's check
    value opens with it (``ok``, ``wrong``, ``none`` when the database has none), and how
    many values it sealed. The key id ``""`` counts the values kept plain."""

    kid: str
    configured: bool
    current: bool
    check: str
    instances: int
    tasks: int


@dataclass(frozen=True)
class KeyStatus:
    keys: tuple[KeyUse, ...]

    @property
    def plain(self) -> int:
        return sum(k.instances + k.tasks for k in self.keys if k.kid == rekey.PLAIN)


@dataclass(frozen=True)
class Rotation:
    """What ``rotate`` did: the current key, the rows gone through, the values sealed anew."""

    kid: str
    rows: int
    resealed: int


def new_key(kid: str) -> str:
    """A fresh random 256-bit key as an entry of OAFLOW_KEYS or the key file."""
    return new_key_entry(kid)


def warnings(app: App) -> list[Fault]:
    """What the keys' configuration should change: no key at all, a key file others read."""
    cipher = app.sensitive.cipher
    return [fault("crypto.no_key")] if cipher is None else list(cipher.warnings)


def check_keys(app: App) -> None:
    """Before a server or worker starts: every configured key opens its check value in the
    database, and a database that keeps encrypted values has keys — failing closed at the
    start rather than at the first request."""
    cipher = app.sensitive.cipher
    with app.db.read() as conn:
        store = RuntimeStore.on(conn, app.sensitive)
        if cipher is None:
            kids = sorted(n.removeprefix(CHECK_PREFIX) for n in store.check_names())
            if kids:
                raise CryptoError("crypto.database_encrypted", kids=kids)
            return
        for kid in cipher.key_ids:
            verify_key(cipher, kid, store)


def status(app: App, who: Principal) -> KeyStatus:
    """The key ids configured or found in the database, with their values (auditors and
    administrators)."""
    counts: dict[str, Counter[str]] = {}
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        store = RuntimeStore.on(conn, app.sensitive)
        for table in rekey.TABLES:
            counts[table] = Counter()
            after = 0
            while rows := rekey.rows_after(conn, table, after, BATCH):
                counts[table] += rekey.tally(store, rows)
                after = rows[-1].id
        checked = [n.removeprefix(CHECK_PREFIX) for n in store.check_names()]
        checks = {kid: _check(app, store, kid) for kid in checked}
    return KeyStatus(_uses(app, counts, checks))


def _check(app: App, store: RuntimeStore, kid: str) -> str:
    cipher = app.sensitive.cipher
    if cipher is None or kid not in cipher.key_ids:
        return "unknown"
    try:
        return "ok" if verify_key(cipher, kid, store) else "none"
    except CryptoError:
        return "wrong"


def _uses(app: App, counts: dict[str, Counter[str]], checks: dict[str, str]) -> tuple[KeyUse, ...]:
    cipher = app.sensitive.cipher
    configured = cipher.key_ids if cipher is not None else ()
    found = sorted((counts["instances"].keys() | counts["tasks"].keys() | checks.keys()) - {""})
    kids = [*configured, *(k for k in found if k not in configured)]
    if counts["instances"][rekey.PLAIN] or counts["tasks"][rekey.PLAIN]:
        kids.append(rekey.PLAIN)
    return tuple(
        KeyUse(
            kid,
            kid in configured,
            cipher is not None and kid == cipher.current,
            checks.get(kid, "none") if kid != rekey.PLAIN else "",
            counts["instances"][kid],
            counts["tasks"][kid],
        )
        for kid in kids
    )


def rotate(
    app: App, who: Principal, progress: Progress | None = None, batch: int = BATCH
) -> Rotation:
    """Seal every value of a sensitive field with the current key — those another key
    sealed, and those kept plain — a batch of rows per transaction (administrators). Each
    configured key must open its check value first; run again, it changes nothing."""
    cipher = app.sensitive.cipher
    if cipher is None:
        raise CryptoError("crypto.rotate_without_key")
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        store = RuntimeStore.on(conn, app.sensitive)
        for kid in cipher.key_ids:
            verify_key(cipher, kid, store, add=kid == cipher.current)
        total = sum(rekey.count_rows(conn, table) for table in rekey.TABLES)
    done = resealed = 0
    for table in rekey.TABLES:
        after = 0
        while True:
            with app.db.write() as conn:
                rows = rekey.rows_after(conn, table, after, batch, lock=True)
                resealed += rekey.reseal(RuntimeStore.on(conn, app.sensitive), table, rows)
            if not rows:
                break
            after, done = rows[-1].id, done + len(rows)
            if progress is not None:
                progress(done, max(total, done))
    return Rotation(cipher.current, done, resealed)
