"""Warm starts for the acceptance tests' `oaflow` processes (docs/adr/0011).

Every `oaflow` run of the acceptance tests is its own process, as a person's is. Most of such
a process's 0.7 s is Python importing the package (SQLAlchemy, Typer, Rich, ~170
dataclasses), the same every time; the command's own work is a tenth of it. A *zygote* — a
process started once per test worker that has imported the CLI and every command module —
forks a child for each run: the child is a new process with its own working directory,
environment, standard streams and database connections, and it runs the real entry point
(``oaflow.cli.main.run``) on the run's ``argv``; its exit code is the process's. Only the
imports are shared, so import-time behaviour is covered by the tests that start `oaflow`
cold (``served.OAFLOW``: the demo, the organisation, the web and server tests) and by any
run with ``OAFLOW_TEST_COLD_CLI=1``.

Rich reads the terminal's width and ``NO_COLOR`` when its consoles are made (at import), so
there is one zygote per width, started with the tests' clean environment.

    python tests/cli_zygote.py SOCKET_PATH   # the zygote (started by ``Zygotes``)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

_READY = "zygote ready"


class Zygotes:
    """The zygotes of this test process, one per terminal width, started when first used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, tuple[subprocess.Popen[str], str]] = {}
        self._folder = tempfile.mkdtemp(prefix="oaflow-zygote-")

    def run(
        self, args: list[str], cwd: Path, env: dict[str, str], columns: int, timeout: float
    ) -> tuple[int, str, str]:
        """Run `oaflow ARGS` in a child of the zygote for ``columns``: exit code, out, err."""
        path = self._zygote(columns, env)
        with tempfile.TemporaryDirectory(dir=self._folder) as folder:
            out, err = Path(folder) / "out", Path(folder) / "err"
            request = {"args": args, "cwd": str(cwd), "env": env, "out": str(out), "err": str(err)}
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(timeout)
                conn.connect(path)
                conn.sendall(json.dumps(request).encode() + b"\n")
                with conn.makefile("r", encoding="utf-8") as reader:
                    pid = int(reader.readline())
                    try:
                        code = reader.readline().strip()
                    except TimeoutError:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
                        raise subprocess.TimeoutExpired(["oaflow", *args], timeout) from None
            if not code:  # the child died without saying how (killed, crashed)
                raise RuntimeError(f"oaflow {' '.join(args)}: the process ended without a code")
            return int(code), out.read_text("utf-8"), err.read_text("utf-8")

    def _zygote(self, columns: int, env: dict[str, str]) -> str:
        with self._lock:
            found = self._running.get(columns)
            if found is not None and found[0].poll() is None:
                return found[1]
            path = os.path.join(self._folder, f"z{columns}.sock")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            process = subprocess.Popen(
                [sys.executable, __file__, path],
                env={k: v for k, v in env.items() if not k.startswith("OAFLOW_")},
                stdout=subprocess.PIPE,
                text=True,
            )
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            if line != _READY:
                process.kill()
                process.wait()
                process.stdout.close()
                raise RuntimeError(f"the oaflow zygote did not start: {line!r}")
            self._running[columns] = (process, path)
            return path

    def close(self) -> None:
        with self._lock:
            for process, _ in self._running.values():
                process.kill()
                process.wait()
                if process.stdout is not None:
                    process.stdout.close()
            self._running.clear()
        shutil.rmtree(self._folder, ignore_errors=True)


def serve(path: str) -> None:
    """The zygote: import the CLI and every command module, then fork a child per request."""
    import importlib

    from oaflow.cli import main

    for module, _, extras in main.GROUPS.values():
        for name in (module, *extras):
            importlib.import_module(f"oaflow.cli.{name}")
    for name in set(main.REGISTERED.values()):
        importlib.import_module(f"oaflow.cli.{name}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    print(_READY, flush=True)
    while True:
        conn, _ = listener.accept()
        line = conn.makefile("rb").readline()
        if not line:
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            _child(conn, json.loads(line))
        conn.close()


def _child(conn: socket.socket, request: dict[str, Any]) -> None:
    """Become the run's `oaflow` process; never returns."""
    code = 1
    try:
        conn.sendall(f"{os.getpid()}\n".encode())
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(os.open(request["out"], flags, 0o600), 1)
        os.dup2(os.open(request["err"], flags, 0o600), 2)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.argv = ["oaflow", *request["args"]]
        code = _run()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        with contextlib.suppress(OSError):
            conn.sendall(f"{code}\n".encode())
        os._exit(code)


def _run() -> int:
    """The entry point's exit code, as the interpreter would make it of ``SystemExit``."""
    from oaflow.cli.main import run

    try:
        run()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    serve(sys.argv[1])
