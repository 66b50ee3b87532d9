"""The organisation's people (the directory every user may read), deputies (ORG-3),
passwords and API tokens (SEC-1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import Field

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import COMMON, ONE
from oaflow.api.schemas import Deputy, NewToken, Password, Strict
from oaflow.domain.clock import parse_instant
from oaflow.services import auth, deputies, organisation, runtime
from oaflow.services.auth import TokenView
from oaflow.services.deputies import DelegationView
from oaflow.services.organisation import UserView

router = APIRouter(tags=["people"], responses=COMMON)
Login = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/users", response_model=list[UserView])
def users(app: TheApp, who: Who) -> list[UserView]:
    """Everybody, with their departments and roles."""
    return organisation.users(app, who)


@router.put("/users/{login}/password", status_code=204, responses=ONE)
def password(login: Login, body: Password, app: TheApp, who: Who) -> None:
    """Set a password: one's own, or anyone's for an administrator; the person's sessions
    end."""
    auth.set_password(app, who, login, body.password)


class MoveTasks(Strict):
    to: str = Field(min_length=1, max_length=64)


@router.post("/users/{login}/move-tasks", response_model=list[int], responses=ONE)
def move_tasks(login: Login, body: MoveTasks, app: TheApp, who: Who) -> list[int]:
    """Move every open task of ``login`` (e.g. someone who left) to another person
    (administrators, ORG-2); the ids of the tasks moved."""
    return runtime.move_open_tasks(app, who, login, body.to)


@router.get("/deputies", response_model=list[DelegationView])
def delegations(app: TheApp, who: Who) -> list[DelegationView]:
    """The delegations one takes part in (all of them for administrators and auditors)."""
    return deputies.list_deputies(app, who)


@router.put("/users/{login}/deputy", response_model=list[DelegationView], responses=ONE)
def set_deputy(login: Login, body: Deputy, app: TheApp, who: Who) -> list[DelegationView]:
    """Name ``login``'s deputy for a period (one's own; anyone's for administrators)."""
    tz = app.calendar.tz
    starts, ends = parse_instant(body.starts, tz), parse_instant(body.ends, tz)
    deputies.set_deputy(app, who, login, body.deputy, starts, ends)
    return deputies.list_deputies(app, who)


@router.delete("/users/{login}/deputy", status_code=204, responses=ONE)
def clear_deputy(login: Login, app: TheApp, who: Who) -> None:
    deputies.clear_deputy(app, who, login)


@router.get("/tokens", response_model=list[TokenView])
def tokens(app: TheApp, who: Who) -> list[TokenView]:
    """API tokens: one's own (all of them for auditors and administrators)."""
    return auth.tokens(app, who)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is the secret, shown here only (send it as
    ``Authorization: Bearer …``)."""

    token: str
    details: TokenView


@router.post("/tokens", response_model=IssuedToken, status_code=201, responses=ONE)
def create_token(body: NewToken, app: TheApp, who: Who) -> IssuedToken:
    """A new API token; its secret is in this answer only (only its hash is kept)."""
    secret, made = auth.create_token(
        app, who, body.login or who.login, body.name, body.scopes, body.days
    )
    return IssuedToken(secret, made)


@router.delete("/tokens/{token_id}", status_code=204, responses=ONE)
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**63 - 1)], app: TheApp, who: Who) -> None:
    auth.revoke_token(app, who, token_id)
