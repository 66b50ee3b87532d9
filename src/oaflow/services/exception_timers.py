"""The clock of exception records as one of the timers' sweeps (services/timers.py): the
report's reminder and escalation, a handling past its planned completion (EXC-2)."""

from __future__ import annotations

from datetime import datetime

from oaflow.services import exceptions
from oaflow.services.app import App
from oaflow.services.retry import retried
from oaflow.services.timers import Sweep


def fire_one(app: App, now: datetime) -> bool:
    # a person who moved the instance meanwhile wins: look again
    return retried(lambda: exceptions.check_due(app, now), False)


SWEEP = Sweep("exceptions", exceptions.next_check, fire_one)
