"""One attempt of a service call over HTTP (INT-2), made by the worker outside any
database transaction.

The request is a ``POST`` of the JSON payload (UTF-8, compact) with the headers

* ``Idempotency-Key`` — the same on every attempt of one call: the other system does the
  work once however often it is asked;
* ``X-OAFlow-Timestamp`` — unix seconds of the attempt;
* ``X-OAFlow-Signature`` — ``sha256=<hex>``: HMAC-SHA256 with the endpoint's secret as key
  over ``f"{timestamp}."`` followed by the body bytes.

The contract: a 2xx answer with the JSON object ``{"accepted": true, "reference": "…"}``
accepts the call. A timeout, a connection error, another status, or an answer that is not
that JSON is a failed attempt (``Attempt.error`` says which).

The demo's finance system answers in the process: an endpoint URL ``demo://finance``
is served by ``DemoFinance`` (it checks the signature and accepts), so nothing leaves the
machine.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import orjson

from oaflow.domain.integration import MAX_ANSWER, accepted_reference

USER_AGENT = "OA-Flow-service/1"
DEMO_FINANCE_URL = "demo://finance"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Attempt:
    """How one attempt went: accepted with ``reference``, or failed with ``error``."""

    reference: str | None
    error: str = ""
    status: int | None = None


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-OAFlow-Signature`` value for ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int | str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is right for ``body`` at ``timestamp`` (constant time): what
    the other system checks."""
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def body_of(payload: object) -> bytes:
    return orjson.dumps(payload, default=str)


def post(
    url: str,
    secret: str,
    timeout: float,
    payload: object,
    idempotency_key: str,
    now: datetime,
    transport: httpx.BaseTransport | None = None,
) -> Attempt:
    """POST ``payload`` to ``url``, signed, and judge the answer."""
    body = body_of(payload)
    timestamp = (now.astimezone(UTC) - _EPOCH) // _SECOND
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": idempotency_key,
        "X-OAFlow-Timestamp": str(timestamp),
        "X-OAFlow-Signature": sign(secret, timestamp, body),
    }
    if url.startswith(DEMO_FINANCE_URL):
        transport = httpx.MockTransport(DemoFinance(secret))
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException:
        return Attempt(None, f"timeout after {timeout:g} s")
    except (httpx.HTTPError, ValueError) as error:  # connection refused, bad URL …
        return Attempt(None, f"{type(error).__name__}: {error}"[:300])
    return judge(response)


def judge(response: httpx.Response) -> Attempt:
    """The attempt's outcome from the other system's answer."""
    status = response.status_code
    snippet = response.text[:200]
    if not 200 <= status < 300:
        return Attempt(None, f"HTTP {status}: {snippet}", status)
    try:
        body = orjson.loads(response.content[:MAX_ANSWER])
    except orjson.JSONDecodeError:
        return Attempt(None, f"HTTP {status} but not JSON: {snippet}", status)
    reference = accepted_reference(body)
    if reference is None:
        return Attempt(None, f'HTTP {status} without {{"accepted": true}}: {snippet}', status)
    return Attempt(reference, "", status)


class DemoFinance:
    """The demo company's finance system: checks the signature, accepts each budget once
    (the same idempotency key gets the same reference)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        timestamp = request.headers.get("X-OAFlow-Timestamp", "")
        signature = request.headers.get("X-OAFlow-Signature", "")
        if not verify(self.secret, timestamp, body, signature):
            return httpx.Response(401, json={"error": "bad signature"})
        key = request.headers.get("Idempotency-Key", "")
        number = int(hashlib.sha256(key.encode()).hexdigest()[:6], 16) % 100000
        return httpx.Response(200, json={"accepted": True, "reference": f"FIN-{number:05d}"})
