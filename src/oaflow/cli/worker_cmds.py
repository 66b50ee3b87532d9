"""`oaflow worker` (SLA checks, digests and delivery on the real clock) and `oaflow tick`
(simulated time).

Both are thin: the work is ``services.timers`` (TIME-7, TIME-8, ADR 0003). Several workers
may run against one PostgreSQL database; each check is claimed by exactly one of them.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import FrameType
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from oaflow.bootstrap import build_channels, driver_errors, require_database
from oaflow.cli.common import OPTIONS, console, errors, print_json, run_command, zh
from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import InputError
from oaflow.services import delivery, digest, keys, telemetry, timers
from oaflow.services.app import App
from oaflow.services.delivery import Channels

#: with nothing claimable but a check already due, other workers hold it: look again soon
BUSY_RETRY = 0.05
#: how often the worker looks whose daily digest is due
DIGEST_EVERY = timedelta(minutes=1)


def register(cli: typer.Typer) -> None:
    cli.command("worker")(worker)
    cli.command("tick")(tick)


def worker(
    poll: Annotated[
        float, typer.Option("--poll", min=0.01, help="Seconds between looks when idle.")
    ] = 1.0,
    exit_when_idle: Annotated[
        bool, typer.Option("--exit-when-idle", help="Stop when nothing is due (tests, cron).")
    ] = False,
    batch: Annotated[
        int, typer.Option("--batch", min=1, help="Checks handled per round at most.")
    ] = 100,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            "--metrics-port",
            min=1,
            max=65535,
            help="Serve this worker's Prometheus metrics at http://HOST:PORT/metrics.",
        ),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option("--metrics-host", help="Address of the metrics endpoint.")
    ] = "127.0.0.1",
) -> None:
    """Fire due SLA checks (reminders, warnings, escalations), write due daily digests and
    deliver the outbox (e-mail, robots, webhooks) on the real clock, until stopped
    (SIGTERM / Ctrl-C). Several workers may share one PostgreSQL database."""
    if OPTIONS.now is not None:
        raise typer.BadParameter(
            "the worker runs on the real clock; replay simulated time with "
            "`oaflow --now START tick --until END`",
            param_hint="--now",
        )

    def body(app: App) -> None:
        require_database(app, current=True)
        keys.check_keys(app)
        if metrics_port is not None:
            serve_metrics(app, metrics_host, metrics_port)
        with stop_on_signals() as stop, build_channels() as channels:
            total = Worker(app, channels, poll, batch, exit_when_idle).run(stop)
        say(zh(f"工作进程已停止：共处理 {total} 个检查", f"worker stopped: {total} checks handled"))

    run_command(body)


def serve_metrics(app: App, host: str, port: int) -> None:
    """The worker's counters and the database's backlog at http://host:port/metrics, from a
    daemon thread (gone with the process)."""
    from prometheus_client import start_http_server

    try:
        start_http_server(port, addr=host, registry=telemetry.Exposition(app))
    except OSError as exc:
        raise InputError(
            "worker.metrics_cannot_listen", host=host, port=port, reason=exc.strerror
        ) from None
    say(zh(f"指标：http://{host}:{port}/metrics", f"metrics at http://{host}:{port}/metrics"))


class Worker:
    """The loop: handle due checks, write due digests, deliver due messages, then wait until
    the next thing is due or the poll interval has passed."""

    def __init__(
        self, app: App, channels: Channels, poll: float, batch: int, exit_when_idle: bool
    ) -> None:
        self.app, self.poll, self.batch, self.exit_when_idle = app, poll, batch, exit_when_idle
        self.channels = channels
        self.digests_looked: datetime | None = None
        self.db_errors = driver_errors()

    def run(self, stop: threading.Event) -> int:
        total = 0
        while not stop.is_set():
            try:
                handled, wait = self.round()
            except self.db_errors as exc:  # the database went away, a deadlock…: go on
                errors.print(f"{zh('数据库错误', 'database error')}: {exc}", markup=False)
                handled, wait = 0, self.poll
            total += handled
            if wait is None:
                break
            stop.wait(wait)
        return total

    def round(self) -> tuple[int, float | None]:
        """Handle one batch; how many, and how long to wait (None: idle, stop)."""
        now = self.app.now()
        handled = timers.fire_due(self.app, now, limit=self.batch)
        if self.digests_looked is None or now - self.digests_looked >= DIGEST_EVERY:
            digest.write_digests(self.app, now)
            self.digests_looked = now
        sent = delivery.deliver_due(self.app, self.channels, now, limit=self.batch)
        if handled or sent:
            done = f"{zh('已处理', 'handled')} {handled} {zh('已投递', 'delivered')} {sent}"
            say(f"{local(self.app, now)} {done}")
        if self.batch in (handled, sent):
            return handled, 0.0  # there may be more
        due = min(
            (d for d in (timers.next_due(self.app), delivery.next_due(self.app)) if d),
            default=None,
        )
        if due is None or due > self.app.now():
            if self.exit_when_idle:
                return handled, None
            left = self.poll if due is None else (due - self.app.now()).total_seconds()
            return handled, max(0.0, min(self.poll, left))
        return handled, min(self.poll, BUSY_RETRY)  # due, but held by another worker


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while the block runs (old handlers restored)."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def tick(
    until: Annotated[
        str, typer.Option("--until", help="Process everything due up to this ISO-8601 instant.")
    ],
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Replay simulated time up to --until: every check due on the way is handled at its
    own instant, in order. Starts at the global --now (default: the earliest due check)."""

    def body(app: App) -> None:
        require_tables(app)
        end = parse_instant(until, app.default_timezone)
        clock = start_clock(app, end)
        start = clock.now()
        if json_:
            handled = timers.tick(app, clock, end)
            print_json({"from": minute(app, start), "until": minute(app, end), "handled": handled})
            return
        with tick_progress(app, start, end) as report:
            handled = timers.tick(app, clock, end, report)
        console.print(
            zh(
                f"已推进到 {minute(app, end)}：处理了 {handled} 个检查",
                f"ticked to {minute(app, end)}: {handled} checks handled",
            ),
            markup=False,
        )

    run_command(body)


def start_clock(app: App, end: datetime) -> FixedClock:
    """The simulated clock of the tick, installed as the app's clock: the global --now, or
    the earliest due check (or ``end`` when nothing is due before it)."""
    if isinstance(app.clock, FixedClock):
        return app.clock
    due = timers.next_due(app, housekeeping=False)
    clock = FixedClock(end if due is None else min(due, end))
    app.clock = clock
    return clock


@contextmanager
def tick_progress(app: App, start: datetime, end: datetime) -> Iterator[Any]:
    """A progress bar over simulated time; yields the callback ``timers.tick`` calls."""
    span = max((end - start).total_seconds(), 1.0)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[at]}"),
        TextColumn("{task.fields[handled]}"),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        bar = progress.add_task(zh("推进时间", "ticking"), total=span, at="", handled=0)

        def report(at: datetime, handled: int) -> None:
            done = min((at - start) / timedelta(seconds=1), span)
            progress.update(bar, completed=done, at=local(app, at)[:16], handled=handled)

        yield report


def require_tables(app: App) -> None:
    require_database(app, tables=True)


def local(app: App, at: datetime) -> str:
    """The worker's log time, to the second."""
    return at.astimezone(ZoneInfo(app.calendar.tz)).strftime("%Y-%m-%d %H:%M:%S")


def minute(app: App, at: datetime) -> str:
    """Simulated time as every other command shows it (``2024-03-03 12:00``)."""
    return local(app, at)[:16]


def say(line: str) -> None:
    console.print(line, markup=False)
    sys.stdout.flush()
