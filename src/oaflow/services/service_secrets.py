"""A service endpoint's signing secret at rest (INT-2): sealed with the current key of the
sensitive fields' cipher when one is configured (docs/adr/0008), bound to its service name;
kept as given when none is (like the values of sensitive fields then)."""

from __future__ import annotations

from typing import Any

from oaflow.domain.errors import CryptoError
from oaflow.domain.text import Text
from oaflow.services.app import App
from oaflow.storage.crypto import EnvelopeError, is_sealed


def _place(service: str) -> bytes:
    return f"service_endpoints/{service}/secret".encode()


def sealed_secret(app: App, service: str, secret: str) -> str:
    cipher = app.sensitive.cipher
    if cipher is None or not secret:
        return secret
    return cipher.seal(secret.encode(), _place(service))


def opened_secret(app: App, endpoint: dict[str, Any]) -> str:
    value = str(endpoint["secret"])
    if not is_sealed(value):
        return value
    cipher = app.sensitive.cipher
    where = Text(f"外部系统接口 {endpoint['service']}", f"service endpoint {endpoint['service']}")
    if cipher is None:
        raise CryptoError("crypto.key_missing", field="secret", place=where)
    try:
        return cipher.open(value, _place(str(endpoint["service"]))).decode()
    except EnvelopeError as error:
        raise CryptoError(
            "crypto.value_unreadable", field="secret", place=where, kid=error.kid
        ) from None
