"""API tests against a real uvicorn server on 127.0.0.1 (a thread of the test process), on
a copy of a demo database made once per session; clients are real HTTP clients (httpx).

``api`` is a server on SQLite; ``api_pg`` the same on a fresh PostgreSQL database.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from oaflow.api.app import create_api
from oaflow.bootstrap import build_app
from oaflow.config import Settings
from oaflow.services import setup
from oaflow.services.app import App
from oaflow.services.setup import DEMO_PASSWORD
from pg_databases import drop_pg_database, fresh_pg_database
from shared_settings import TEST_KEYS


def demo_settings(files: Path | None = None) -> Settings:
    return Settings(
        database_url="sqlite:///unused.db",
        lang="zh",
        secret_key="test-links-key",
        files_dir=str(files or Path("unused-files")),
        keys=TEST_KEYS,
    )


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database (organisation, calendar, built-in processes, passwords `demo`)."""
    path = tmp_path_factory.mktemp("api-template") / "demo.db"
    app = build_app(demo_settings(), url=f"sqlite:///{path}")
    setup.init(app, demo=True)
    app.db.dispose()
    return path


@dataclass
class Server:
    """A running API: its base URL and the App behind it (for looking at the database)."""

    url: str
    app: App
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **kwargs: Any) -> httpx.Client:
        """A new HTTP client (its own cookies), closed when the server stops."""
        http = httpx.Client(base_url=self.url, timeout=30.0, **kwargs)
        self.clients.append(http)
        return http

    def signed_in(self, login: str, password: str = DEMO_PASSWORD) -> Session:
        http = self.client()
        answer = http.post("/api/session", json={"login": login, "password": password})
        assert answer.status_code == 200, answer.text
        http.headers["X-CSRF-Token"] = answer.json()["csrf"]
        return Session(login, http)

    def with_token(self, token: str) -> httpx.Client:
        return self.client(headers={"Authorization": f"Bearer {token}"})


@dataclass
class Session:
    login: str
    http: httpx.Client

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.put(path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.patch(path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.delete(path, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, **kwargs)


def serve(app: App) -> Iterator[Server]:
    """Run the API for ``app`` on a free port of 127.0.0.1 until the generator is closed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # idle connections are kept as long as a test may leave a signed-in client unused: with
    # uvicorn's 5 s a loaded machine let the server close one just as its client reused it
    # ("Connection reset by peer" in the BOLA matrix's data making, on CI)
    config = uvicorn.Config(
        create_api(app), log_level="warning", lifespan="off", timeout_keep_alive=600
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    running = Server(f"http://127.0.0.1:{port}", app)
    try:
        yield running
    finally:
        for http in running.clients:
            http.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.db.dispose()


@pytest.fixture
def api(demo_template: Path, tmp_path: Path) -> Iterator[Server]:
    """The API on a fresh copy of the demo database (SQLite)."""
    path = tmp_path / "oaflow.db"
    shutil.copyfile(demo_template, path)
    yield from serve(build_app(demo_settings(tmp_path / "files"), url=f"sqlite:///{path}"))


@pytest.fixture
def api_pg(pg_admin_url: str, tmp_path: Path) -> Iterator[Server]:
    """The API on a fresh PostgreSQL database with the demo."""
    url, name = fresh_pg_database(pg_admin_url)
    try:
        app = build_app(demo_settings(tmp_path / "files"), url=url)
        setup.init(app, demo=True)
        yield from serve(app)
    finally:
        drop_pg_database(pg_admin_url, name)
