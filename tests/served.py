"""`oaflow` as its own process: the console script, a clean environment, and `oaflow serve`
started on a free port of 127.0.0.1 (acceptance and browser tests)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def oaflow_command() -> list[str]:
    """The `oaflow` console script of this environment (or the same entry point via Python)."""
    here = shutil.which("oaflow", path=str(Path(sys.executable).parent)) or shutil.which("oaflow")
    if here:
        return [here]
    return [sys.executable, "-c", "from oaflow.cli.main import run; run()"]


OAFLOW = oaflow_command()

#: an HTTP client's limits for one kept while the test waits for other processes: a new
#: connection per request (`oaflow serve` closes one idle for 5 s, uvicorn's default, and a
#: request sent on it just then is answered "Connection reset by peer")
FRESH_CONNECTIONS = httpx.Limits(max_keepalive_connections=0)


def clean_env(columns: int = 200) -> dict[str, str]:
    """The environment without OAFLOW_* settings, with a wide terminal for stable tables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}
    env.update(
        COLUMNS=str(columns), LINES="50", PYTHONIOENCODING="utf-8", NO_COLOR="1", TERM="dumb"
    )
    return env


def run_in(folder: Path, command: list[str], timeout: float = 60) -> str:
    """Run ``command`` in ``folder`` with the clean environment: what it printed (the test
    fails with all of it when the command fails)."""
    done = subprocess.run(
        command,
        cwd=folder,
        env=clean_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command[:3]} in {folder}:\n{done.stdout}{done.stderr}"
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """`oaflow serve` running as its own process in ``cwd``."""

    process: subprocess.Popen[str]
    url: str
    cwd: Path

    def stop(self, timeout: float = 30) -> tuple[int, str]:
        """SIGTERM, then the exit code and everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            out, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
            raise AssertionError(f"oaflow serve did not stop after SIGTERM:\n{out}") from None
        return self.process.returncode, out


def start_server(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Served:
    """Start `oaflow serve ARGS --port <free>` and wait until /readyz answers 200."""
    port = free_port()
    process = subprocess.Popen(
        [*OAFLOW, "serve", "--port", str(port), *args],
        cwd=cwd,
        env={**clean_env(), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    served = Served(process, f"http://127.0.0.1:{port}", cwd)
    # generous: `serve --demo` simulates six weeks of work before it listens (35 s seen on a
    # slow, loaded 2-core machine); a server that is ready answers at once anyway
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"oaflow serve exited: {served.stop()[1]}")
        try:
            if httpx.get(f"{served.url}/readyz", timeout=1).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    served.process.kill()
    raise AssertionError(f"oaflow serve did not get ready: {served.stop()[1]}")
