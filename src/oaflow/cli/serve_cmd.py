"""`oaflow serve`: the API (and, by default, the worker in the same process) on uvicorn."""

from __future__ import annotations

import signal
import socket
import threading
from typing import Annotated

import typer

from oaflow.bootstrap import build_channels, database_ready, require_database
from oaflow.cli.common import OPTIONS, console, run_command, zh
from oaflow.cli.demo_data import create_with_history, print_sign_ins
from oaflow.cli.keys_cmds import print_warnings
from oaflow.cli.worker_cmds import Worker
from oaflow.domain.errors import InputError
from oaflow.services import keys
from oaflow.services.app import App


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="On a new database: the demo organisation and six weeks of simulated work "
            "up to now. Print the demo sign-ins.",
        ),
    ] = False,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Run no worker here (run `oaflow worker`).")
    ] = False,
) -> None:
    """Run the REST API (/api, OpenAPI at /api/docs) and the worker in one process; SIGTERM
    or Ctrl-C finishes the requests under way, stops the worker between steps and exits."""
    if OPTIONS.now is not None:
        raise typer.BadParameter("the server runs on the real clock", param_hint="--now")

    def body(app: App) -> None:
        import uvicorn  # loaded only by the server

        from oaflow.web.app import create_site

        print_warnings(app)
        listening = _bind(host, port)  # a port in use: nothing is created
        if demo and database_ready(app):
            console.print(zh("数据库已存在，按原样使用", "the database exists: served as it is"))
        elif demo:
            create_with_history(app)
        require_database(app, current=True)
        keys.check_keys(app)  # a wrong or missing key: no start
        stop = threading.Event()
        worker = None if no_worker else _start_worker(app, stop)
        config = uvicorn.Config(
            create_site(app), host=host, port=port, log_level="info", timeout_graceful_shutdown=10
        )
        if demo:
            print_sign_ins(app)
        address = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        console.print(
            zh(
                f"OA-Flow 已启动：{address}/（接口文档：{address}/api/docs）",
                f"OA-Flow on {address}/ (the API's description: {address}/api/docs)",
            )
            + ("" if worker else zh("（无工作进程）", " (no worker)")),
            markup=False,
        )
        # uvicorn restores the handlers it found and raises the signal again once it has
        # shut down: these take it, so that the worker is stopped between steps below
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda _sig, _frame: stop.set())
        try:
            uvicorn.Server(config).run(sockets=[listening])
        finally:
            stop.set()
            if worker is not None:
                worker.join(timeout=30)
        console.print(zh("OA-Flow 已停止", "OA-Flow stopped"), markup=False)

    run_command(body, creates=demo)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything starts (a port in use is a clear error)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named: asyncio turns Nagle off (TCP_NODELAY) only on connections whose
        # socket says so; without it every answer on a kept-alive connection waited ~40 ms
        # for the client's delayed ACK between its headers and its body
        listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listening.bind((host, port))
    except OSError as exc:
        raise InputError("serve.cannot_listen", host=host, port=port, reason=exc.strerror) from None
    return listening


def _start_worker(app: App, stop: threading.Event) -> threading.Thread:
    def run() -> None:
        with build_channels() as channels:
            Worker(app, channels, poll=1.0, batch=100, exit_when_idle=False).run(stop)

    thread = threading.Thread(target=run, name="oaflow-worker", daemon=True)
    thread.start()
    return thread
