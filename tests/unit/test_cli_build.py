"""The `oaflow` command builds only what the command it runs needs (cli/main.py): each name
of the tables builds the very command the whole CLI has, and the tables name every command."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from oaflow.cli.main import GROUPS, REGISTERED, build, command_of


def shape(command: Any) -> object:
    """A command's options and arguments, and its subcommands' (recursively)."""
    params = sorted((p.name or "", tuple(p.opts)) for p in command.params)
    subcommands = getattr(command, "commands", None)  # a group (typer's own click)
    if subcommands is not None:
        return params, {name: shape(sub) for name, sub in subcommands.items()}
    return params


def top(cli: typer.Typer) -> Any:
    return typer.main.get_command(cli)


WHOLE = top(build(None))


def test_the_tables_name_every_command() -> None:
    assert set(WHOLE.commands) == {*GROUPS, *REGISTERED, "init"}


@pytest.mark.parametrize("name", sorted({*GROUPS, *REGISTERED, "init"}))
def test_a_command_built_alone_is_the_same_command(name: str) -> None:
    alone = top(build(name))
    assert name in alone.commands
    assert shape(alone.commands[name]) == shape(WHOLE.commands[name])
    assert sorted(p.name or "" for p in alone.params) == ["db", "lang", "now"]


def test_the_command_word_is_found_after_the_global_options() -> None:
    assert command_of(["--now", "2024-03-01T09:00", "--db", "x", "tasks", "--as", "a"]) == "tasks"
    assert command_of(["--lang", "en", "exception", "list"]) == "exception"
    assert command_of(["--db=sqlite:///x.db", "init"]) == "init"
    assert command_of(["--help"]) is None
    assert command_of([]) is None
    assert top(build("nosuch")).commands.keys() == WHOLE.commands.keys()  # typer says no
