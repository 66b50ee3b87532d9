"""The one table of allowed transitions (RUN-3): a refusal names the state and the action,
in each language, with a code of the catalogue."""

from __future__ import annotations

import pytest

from oaflow.domain.errors import InvalidTransitionError
from oaflow.domain.labels import INSTANCE_STATES, TASK_STATES
from oaflow.domain.states import (
    ACTION_WORDS,
    INSTANCE_TRANSITIONS,
    OPEN_TASK_STATES,
    TRANSITIONS,
    Action,
    InstanceState,
    TaskState,
    next_instance_state,
    next_state,
)
from oaflow.domain.texts import CATALOGUE

REFUSED = [(s, a) for s in TaskState for a in Action if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_a_refused_transition_names_the_state_and_the_action(
    state: TaskState, action: Action
) -> None:
    with pytest.raises(InvalidTransitionError) as refused:
        next_state(state, action)
    error = refused.value
    assert error.code in CATALOGUE
    for lang in ("zh", "en"):
        assert TASK_STATES[state].get(lang) in error.text(lang)
        assert ACTION_WORDS[action].get(lang) in error.text(lang)
    assert error.code == "task.closed" or state in OPEN_TASK_STATES


def test_every_open_task_can_be_cancelled_and_reassigned() -> None:
    for state in OPEN_TASK_STATES:
        assert next_state(state, Action.CANCEL) is TaskState.CANCELLED
        # waits for its new assignee; a suspended or not yet started task stays as it is
        keeps = state in (TaskState.SUSPENDED, TaskState.WAITING)
        expected = state if keeps else TaskState.PENDING
        assert next_state(state, Action.REASSIGN) is expected


def test_only_a_running_instance_ends() -> None:
    for (state, action), after in INSTANCE_TRANSITIONS.items():
        assert state is InstanceState.RUNNING and after is not InstanceState.RUNNING
        assert next_instance_state(state, action) is after
    with pytest.raises(InvalidTransitionError) as refused:
        next_instance_state(InstanceState.COMPLETED, Action.CANCEL)
    assert refused.value.text("en") == "cannot cancel an instance that is completed"
    assert INSTANCE_STATES[InstanceState.COMPLETED].zh in refused.value.text("zh")
