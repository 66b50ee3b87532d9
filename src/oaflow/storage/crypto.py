"""AES-256-GCM envelopes for sensitive values, and the keys that seal them (SEC-3,
docs/adr/0008).

A sealed value is the text ``enc:v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``: a random
96-bit nonce per value, and associated data that binds it to its place (table, row, field),
so that a value copied to another row or field does not open. Keys come from the settings
(``OAFLOW_KEYS``) or a key file (``OAFLOW_KEY_FILE``) — never from the database; the first
key is the current one, the others only open what they sealed before.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from oaflow.domain.errors import CryptoError, Fault, fault

PREFIX = "enc:v1:"
KEY_BYTES = 32
NONCE_BYTES = 12
_TAG_BYTES = 16
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}\Z")
_SEPARATORS = re.compile(r"[,\s]+")


class EnvelopeError(Exception):
    """A sealed value that does not open; ``reason`` is ``malformed``, ``unknown`` (no key
    with its id) or ``unreadable`` (a wrong key, or a value changed or moved). The layer
    that knows the value's place turns it into a coded ``CryptoError``."""

    def __init__(self, reason: str, kid: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kid = kid


@dataclass(frozen=True)
class Key:
    kid: str
    secret: bytes = field(repr=False)


def is_sealed(value: object) -> bool:
    """Whether ``value`` is a sealed value (its form; whether it opens is another matter)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(envelope: str) -> str:
    """The id of the key that sealed ``envelope``."""
    return envelope[len(PREFIX) :].partition(":")[0]


class Cipher:
    """Seals with the current key (the first) and opens with any configured key."""

    def __init__(self, keys: Sequence[Key], warnings: Sequence[Fault] = ()) -> None:
        # loaded with the first key (a command without keys does without the library)
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if not keys:
            raise ValueError("a cipher needs a key")
        self._invalid_tag = InvalidTag
        self.current = keys[0].kid
        self.key_ids = tuple(k.kid for k in keys)
        self._aead = {k.kid: AESGCM(k.secret) for k in keys}
        #: what the configuration should change (a key file others may read)
        self.warnings = tuple(warnings)

    def seal(self, plain: bytes, place: bytes) -> str:
        """``plain`` sealed with the current key for ``place``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.current].encrypt(nonce, plain, _associated(self.current, place))
        return f"{PREFIX}{self.current}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, envelope: str, place: bytes) -> bytes:
        """The plain bytes of ``envelope`` sealed for ``place``; ``EnvelopeError`` if it
        does not open."""
        kid, _, body = envelope[len(PREFIX) :].partition(":")
        if not envelope.startswith(PREFIX):
            raise EnvelopeError("malformed", kid)
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise EnvelopeError("malformed", kid) from None
        if len(raw) < NONCE_BYTES + _TAG_BYTES:
            raise EnvelopeError("malformed", kid)
        aead = self._aead.get(kid)
        if aead is None:
            raise EnvelopeError("unknown", kid)
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(kid, place))
        except self._invalid_tag:
            raise EnvelopeError("unreadable", kid) from None


def _associated(kid: str, place: bytes) -> bytes:
    return b"oaflow:v1:" + kid.encode("ascii") + b":" + place


# -- the keys' configuration ----------------------------------------------------------------
def cipher_from(keys: str, key_file: str) -> Cipher | None:
    """The cipher of ``OAFLOW_KEYS`` (``kid:base64key,…``) or of ``OAFLOW_KEY_FILE`` (such
    entries, one a line; ``#`` starts a comment); None when neither is set."""
    if keys.strip() and key_file.strip():
        raise CryptoError("crypto.keys_twice")
    if keys.strip():
        return Cipher(parse_keys(keys, "OAFLOW_KEYS"))
    if key_file.strip():
        path = Path(key_file.strip()).expanduser()
        return Cipher(parse_keys(_read_key_file(path), str(path)), _file_warnings(path))
    return None


def parse_keys(text: str, source: str) -> list[Key]:
    """The keys of ``text``: entries ``kid:base64key`` separated by commas or white space."""
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    entries = [e for line in lines for e in _SEPARATORS.split(line) if e]
    if not entries:
        raise CryptoError("crypto.no_keys_given", source=source)
    keys = [_key(entry, position, source) for position, entry in enumerate(entries, 1)]
    seen: set[str] = set()
    for key in keys:
        if key.kid in seen:
            raise CryptoError("crypto.key_id_twice", kid=key.kid, source=source)
        seen.add(key.kid)
    return keys


def _key(entry: str, position: int, source: str) -> Key:
    kid, colon, encoded = entry.partition(":")
    if not colon or not encoded:
        raise CryptoError("crypto.key_malformed", position=position, source=source)
    if not _KEY_ID.match(kid):
        raise CryptoError("crypto.key_id_invalid", kid=kid, position=position, source=source)
    secret = _decoded(encoded)
    if secret is None:
        raise CryptoError("crypto.key_malformed", position=position, source=source)
    if len(secret) != KEY_BYTES:
        raise CryptoError("crypto.key_length", kid=kid, length=len(secret), source=source)
    return Key(kid, secret)


def _decoded(encoded: str) -> bytes | None:
    """Base64 in the standard or the URL-safe alphabet; None if it is neither."""
    for alphabet in (None, b"-_"):
        try:
            return base64.b64decode(encoded, altchars=alphabet, validate=True)
        except (binascii.Error, ValueError):
            continue
    return None


def _read_key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise CryptoError("crypto.key_file_unreadable", path=str(path), reason=reason) from None


def _file_warnings(path: Path) -> tuple[Fault, ...]:
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        return (fault("crypto.key_file_open", path=str(path), mode=f"{mode:o}"),)
    return ()


def new_key_entry(kid: str) -> str:
    """A fresh random key as an entry of ``OAFLOW_KEYS`` or the key file."""
    if not _KEY_ID.match(kid):
        raise CryptoError("crypto.key_id_invalid", kid=kid, position=1, source="--id")
    return f"{kid}:{base64.b64encode(os.urandom(KEY_BYTES)).decode('ascii')}"
