"""The Idempotency-Key header on state-changing requests (INT-3): an ASGI middleware that
hands the first request through and keeps its answer, and gives a retry that answer
again (marked ``Idempotent-Replayed: true``). Keys belong to the signed-in caller.

File uploads (multipart) are handed through without it: their bytes are not buffered to
compare them; a retried upload keeps a second file, which nothing refers to until a
completion names it."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oaflow.api.deps import CALLER_STATE, SAFE, caller
from oaflow.api.problems import error_response
from oaflow.domain.errors import OAFlowError, TooLargeError
from oaflow.services import idempotency
from oaflow.services.app import App

HEADER = "idempotency-key"
MAX_BODY = 5 * 2**20
#: answers that are not kept: not signed in, throttled (a retry should be looked at anew)
NOT_KEPT = frozenset({401, 429})


class Idempotency:
    def __init__(self, asgi: ASGIApp, app: App) -> None:
        self.asgi = asgi
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE:
            return await self.asgi(scope, receive, send)
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None or headers.get("content-type", "").startswith("multipart/"):
            return await self.asgi(scope, receive, send)
        request = Request(scope)
        try:
            body = await _body(receive)
            found = await run_in_threadpool(caller, request)
        except TooLargeError as error:
            return await error_response(request, error, self.app.calendar.tz)(scope, receive, send)
        except OAFlowError:  # not signed in: the route says so itself
            return await self.asgi(scope, _replay(b""), send)
        scope.setdefault("state", {})[CALLER_STATE] = found
        login = found.principal.login
        mark = idempotency.fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b"").decode(), body
        )
        try:
            kept = await run_in_threadpool(idempotency.check, self.app, login, key, mark)
        except OAFlowError as error:
            return await error_response(request, error, self.app.calendar.tz)(scope, receive, send)
        if isinstance(kept, idempotency.Answer):
            return await _send_answer(send, kept)
        claim, answer = kept, _Recorder(send)
        try:
            with idempotency.running(claim):  # claimed in its first write transaction
                await self.asgi(scope, _replay(body), answer.send)
        except BaseException:
            await run_in_threadpool(idempotency.release, claim)
            raise
        if claim.lost:  # a retry that came while the first ran: refused, nothing to keep
            pass
        elif answer.status is None or answer.status >= 500 or answer.status in NOT_KEPT:
            await run_in_threadpool(idempotency.release, claim)
        else:
            done = idempotency.Answer(answer.status, answer.content_type, bytes(answer.body))
            await run_in_threadpool(idempotency.remember, claim, done)
        await answer.finish()  # only now may the client see the answer end (and retry)


async def _body(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > MAX_BODY:
            raise TooLargeError("idempotency.too_large", limit_mb=MAX_BODY // 2**20)
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class _Recorder:
    """Keeps a copy of the answer and holds its body back until ``finish``, called once
    the answer is kept: a client that has the whole answer (and retries at once) must find
    it kept, not "still running". (Holding only the closing message is not enough: with a
    Content-Length the client is done as soon as it has that many bytes.)"""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status: int | None = None
        self.content_type = ""
        self.body = bytearray()
        self._held: list[Message] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
            self._held.append(message)
            return
        await self._send(message)

    async def finish(self) -> None:
        held, self._held = self._held, []
        for message in held:
            await self._send(message)


async def _send_answer(send: Send, kept: idempotency.Answer) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"idempotent-replayed", b"true"),
        (b"content-length", str(len(kept.body)).encode()),
    ]
    if kept.content_type:
        headers.append((b"content-type", kept.content_type.encode("latin-1")))
    start: dict[str, Any] = {"type": "http.response.start", "status": kept.status}
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": kept.body})
