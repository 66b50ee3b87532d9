"""Deciding again when the instance moved: a command reads an instance, the engine decides,
and the write checks the instance's version. When another transaction committed in between
(a parallel branch, a countersigner), the command is decided again on fresh state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from oaflow.domain.errors import ConflictError, OAFlowError
from oaflow.storage.runtime_store import InstanceMoved

RETRIES = 5
T = TypeVar("T")


def retried(
    attempt: Callable[[], T],
    gave_up: T | OAFlowError,
    also_on: tuple[type[Exception], ...] = (),
) -> T:
    """``attempt()``, again while the instance moves under it (and on ``also_on``), at
    most ``RETRIES`` times; then ``gave_up``: raised when it is an error, else returned."""
    retry_on: tuple[type[Exception], ...] = (InstanceMoved, *also_on)
    for _ in range(RETRIES):
        try:
            return attempt()
        except retry_on:
            continue
    if isinstance(gave_up, OAFlowError):
        raise gave_up
    return gave_up


def task_busy(task_id: int) -> ConflictError:
    """The error after the retries of a command on task ``task_id``."""
    return ConflictError("task.busy", task=task_id)


def instance_busy(business_key: str) -> ConflictError:
    """The error after the retries of a command on an instance."""
    return ConflictError("instance.busy", business_key=business_key)
