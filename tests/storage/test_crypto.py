"""The envelope of a sealed value and the keys' configuration (SEC-3, docs/adr/0008): AES-256-GCM
with a fresh nonce per value, the key id in the value, the place bound as associated data;
keys from OAFLOW_KEYS or a key file, checked with coded errors that never show a key."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oaflow.domain.errors import CryptoError
from oaflow.storage.crypto import (
    KEY_BYTES,
    NONCE_BYTES,
    Cipher,
    EnvelopeError,
    Key,
    cipher_from,
    is_sealed,
    key_id_of,
    new_key_entry,
    parse_keys,
)
from oaflow.storage.sealing import SensitiveFields, instance_place, task_place

K1 = Key("k1", bytes(range(32)))
K2 = Key("k2", bytes(range(32, 64)))
PLACE = b"instances/TS202403001/phone"


def code_of(error: pytest.ExceptionInfo[CryptoError]) -> str:
    return error.value.code


def test_a_sealed_value_names_its_key_and_opens_in_its_place_only() -> None:
    cipher = Cipher([K1])
    sealed = cipher.seal(b'"13800000000"', PLACE)
    assert sealed.startswith("enc:v1:k1:") and is_sealed(sealed) and key_id_of(sealed) == "k1"
    raw = base64.b64decode(sealed.removeprefix("enc:v1:k1:"))
    assert len(raw) == NONCE_BYTES + len(b'"13800000000"') + 16  # nonce, text, tag
    assert cipher.open(sealed, PLACE) == b'"13800000000"'
    for elsewhere in (b"instances/TS202403002/phone", b"instances/TS202403001/customer"):
        with pytest.raises(EnvelopeError) as moved:
            cipher.open(sealed, elsewhere)
        assert moved.value.reason == "unreadable"


def test_every_value_gets_its_own_nonce() -> None:
    cipher = Cipher([K1])
    sealed = {cipher.seal(b"same", PLACE) for _ in range(50)}
    assert len(sealed) == 50


@given(st.binary(max_size=200))
def test_whatever_is_sealed_opens_unchanged(plain: bytes) -> None:
    cipher = Cipher([K1])
    assert cipher.open(cipher.seal(plain, PLACE), PLACE) == plain


def test_the_current_key_seals_and_every_configured_key_opens() -> None:
    old = Cipher([K1]).seal(b"x", PLACE)
    both = Cipher([K2, K1])
    assert both.current == "k2" and key_id_of(both.seal(b"x", PLACE)) == "k2"
    assert both.open(old, PLACE) == b"x"
    with pytest.raises(EnvelopeError) as unknown:
        Cipher([K2]).open(old, PLACE)
    assert (unknown.value.reason, unknown.value.kid) == ("unknown", "k1")


def test_a_wrong_key_a_changed_or_a_malformed_value_does_not_open() -> None:
    sealed = Cipher([K1]).seal(b"x", PLACE)
    wrong = Cipher([Key("k1", bytes(32))])
    changed = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    cases = {
        "unreadable": [(wrong, sealed), (Cipher([K1]), changed)],
        "malformed": [(Cipher([K1]), "enc:v1:k1:***"), (Cipher([K1]), "enc:v1:k1:AAAA")],
    }
    for reason, pairs in cases.items():
        for cipher, value in pairs:
            with pytest.raises(EnvelopeError) as failed:
                cipher.open(value, PLACE)
            assert failed.value.reason == reason


def entry(kid: str, secret: bytes) -> str:
    return f"{kid}:{base64.b64encode(secret).decode()}"


def test_keys_come_from_the_setting_or_a_file_never_both(tmp_path: Path) -> None:
    assert cipher_from("", "") is None
    setting = f"{entry('a', bytes(32))}, {entry('b', bytes(range(32)))}"
    assert cipher_from(setting, "").key_ids == ("a", "b")  # type: ignore[union-attr]
    file = tmp_path / "keys"
    file.write_text(
        f"# the current key first\n{entry('b', bytes(32))}\n\n{entry('a', bytes(32))}\n"
    )
    file.chmod(0o600)
    from_file = cipher_from("", str(file))
    assert from_file is not None and from_file.key_ids == ("b", "a") and not from_file.warnings
    file.chmod(0o644)
    (warning,) = cipher_from("", str(file)).warnings  # type: ignore[union-attr]
    assert warning.code == "crypto.key_file_open" and "644" in warning.text("en")
    with pytest.raises(CryptoError) as both:
        cipher_from(setting, str(file))
    assert code_of(both) == "crypto.keys_twice"
    with pytest.raises(CryptoError) as missing:
        cipher_from("", str(tmp_path / "nothing"))
    assert code_of(missing) == "crypto.key_file_unreadable"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("k1", "crypto.key_malformed"),
        ("k1:not base64!", "crypto.key_malformed"),
        (entry("k1", bytes(16)), "crypto.key_length"),
        (entry("bad id", bytes(32)), "crypto.key_malformed"),  # split at the space
        (entry("k/1", bytes(32)), "crypto.key_id_invalid"),
        (f"{entry('k1', bytes(32))},{entry('k1', bytes(range(32)))}", "crypto.key_id_twice"),
        ("  # nothing\n", "crypto.no_keys_given"),
    ],
)
def test_a_key_written_wrong_is_a_coded_error_that_shows_no_key(text: str, code: str) -> None:
    with pytest.raises(CryptoError) as failed:
        parse_keys(text, "OAFLOW_KEYS")
    assert code_of(failed) == code
    said = failed.value.text("en") + failed.value.text("zh") + failed.value.hint("en")
    assert base64.b64encode(bytes(32)).decode() not in said


def test_a_new_key_is_random_and_reads_back() -> None:
    first, second = new_key_entry("2027a"), new_key_entry("2027a")
    assert first != second
    (key,) = parse_keys(first, "new")
    assert key.kid == "2027a" and len(key.secret) == KEY_BYTES
    with pytest.raises(CryptoError):
        new_key_entry("no:colons")


def fields(cipher: Cipher | None, names: frozenset[str] = frozenset({"phone"})) -> SensitiveFields:
    return SensitiveFields(cipher, lambda definition_id: names)


class Checks:
    """The database's check values, in memory (sealing.KeyChecks)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def check_names(self) -> list[str]:
        return list(self.values)

    def check_value(self, name: str) -> str | None:
        return self.values.get(name)

    def add_check(self, name: str, value: str) -> None:
        self.values.setdefault(name, value)


def test_only_the_values_of_sensitive_fields_are_sealed_and_they_open_as_they_were() -> None:
    sealing, checks = fields(Cipher([K1])), Checks()
    data = {"phone": "13800000000", "customer": "某公司", "nothing": None}
    sealed = sealing.seal(data, frozenset({"phone", "nothing"}), instance_place("TS1"), checks)
    assert sealed["customer"] == "某公司" and sealed["nothing"] is None
    assert is_sealed(sealed["phone"]) and list(checks.values) == ["key_check.k1"]
    opened = sealing.open(dict(sealed), frozenset({"phone"}), lambda: instance_place("TS1"))
    assert opened == data
    numbers = sealing.seal({"cost": [1.5, 2]}, frozenset({"cost"}), task_place(7), checks)
    opened_numbers = sealing.open(dict(numbers), frozenset({"cost"}), lambda: task_place(7))
    assert orjson.dumps(opened_numbers) == b'{"cost":[1.5,2]}'


def test_text_that_looks_sealed_in_an_ordinary_field_is_left_as_it_is() -> None:
    typed = {"customer": "enc:v1:k1:AAAA"}
    assert fields(None).open(typed, frozenset({"phone"}), lambda: instance_place("TS1")) == typed


def test_a_wrong_current_key_seals_nothing() -> None:
    checks = Checks()
    fields(Cipher([K1])).seal({"phone": "1"}, frozenset({"phone"}), instance_place("A"), checks)
    wrong = fields(Cipher([Key("k1", os.urandom(32))]))
    with pytest.raises(CryptoError) as failed:
        wrong.seal({"phone": "1"}, frozenset({"phone"}), instance_place("B"), checks)
    assert code_of(failed) == "crypto.key_wrong"
    keyless = fields(None)
    with pytest.raises(CryptoError) as refused:
        keyless.seal({"phone": "1"}, frozenset({"phone"}), instance_place("C"), checks)
    assert code_of(refused) == "crypto.database_encrypted"
    assert keyless.seal({"phone": "1"}, frozenset({"phone"}), instance_place("C"), Checks()) == {
        "phone": "1"
    }
