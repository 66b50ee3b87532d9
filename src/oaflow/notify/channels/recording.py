"""A fake channel that records what it is asked to send (for tests and the demo).

``RecordingChannel(script)`` answers from ``script`` in order — results or bare outcomes such
as ``"retry"`` — and ``sent`` once the script is used up; every call is kept in
``deliveries`` (thread-safe, so a multi-threaded worker can share one).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from oaflow.notify.channels.base import Endpoint, Outcome, Outgoing, SendResult


@dataclass(frozen=True)
class Delivery:
    """One call of :meth:`RecordingChannel.send`."""

    endpoint: Endpoint
    message: Outgoing
    now: datetime


class RecordingChannel:
    """Records every send; returns scripted results, then ``sent``."""

    def __init__(self, script: Iterable[SendResult | Outcome] = ()) -> None:
        self._script: deque[SendResult] = deque(_as_result(item) for item in script)
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []

    def send(self, endpoint: Endpoint, message: Outgoing, now: datetime) -> SendResult:
        with self._lock:
            self.deliveries.append(Delivery(endpoint, message, now))
            if self._script:
                return self._script.popleft()
        return SendResult("sent", "recorded")

    def then(self, *results: SendResult | Outcome) -> RecordingChannel:
        """Add results to the end of the script; returns the channel for chaining."""
        with self._lock:
            self._script.extend(_as_result(item) for item in results)
        return self

    @property
    def messages(self) -> list[Outgoing]:
        """The messages in the order they were given."""
        with self._lock:
            return [delivery.message for delivery in self.deliveries]

    def clear(self) -> None:
        """Forget the recorded deliveries (the script stays)."""
        with self._lock:
            self.deliveries.clear()


def _as_result(item: SendResult | Outcome) -> SendResult:
    return item if isinstance(item, SendResult) else SendResult(item, f"scripted {item}")
