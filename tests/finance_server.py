"""A finance system played by a local HTTP server on 127.0.0.1 (a thread in the test): it
checks each request's signature and answers as told — ``"fail"`` (HTTP 503), ``"garbage"``
(200 with a body that is not JSON), ``"wrong"`` (200 JSON without ``accepted``), ``"ok"``
(200 ``{"accepted": true, "reference": …}``) — one answer per request in order, the last
one again once the list is used up. Every request is kept with whether its signature held."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from oaflow.services.service_http import verify

SECRET = "s3cret-finance"


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes
    signed: bool

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Finance:
    answers: list[str]
    secret: str = SECRET
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def next_answer(self) -> str:
        index = min(len(self.requests) - 1, len(self.answers) - 1)
        return self.answers[index]


def _handler(finance: Finance) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            signed = verify(
                finance.secret,
                headers.get("x-oaflow-timestamp", ""),
                body,
                headers.get("x-oaflow-signature", ""),
            )
            finance.requests.append(Seen(self.path, headers, body, signed))
            answer = finance.next_answer() if signed else "unsigned"
            status, text = {
                "ok": (
                    200,
                    json.dumps({"accepted": True, "reference": f"FIN-{len(finance.requests)}"}),
                ),
                "fail": (503, "finance system busy"),
                "garbage": (200, "<html>oops</html>"),
                "wrong": (200, json.dumps({"status": "maybe"})),
                "unsigned": (401, "bad signature"),
            }[answer]
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def finance_server(answers: list[str], secret: str = SECRET) -> Iterator[Finance]:
    finance = Finance(answers, secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(finance))
    finance.url = f"http://127.0.0.1:{server.server_address[1]}/api/budget-sync"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield finance
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
