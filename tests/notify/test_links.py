"""Signed, expiring, single-use action links: fixed times, no sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from oaflow.notify import links
from oaflow.notify.links import (
    ActionClaim,
    LinkError,
    action_url,
    make_action_token,
    new_nonce,
    read_action_token,
)

SECRET = "test-secret-不要在生产环境使用"
ISSUED = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
MAX_AGE = timedelta(days=3)
NONCE = "n0nce-for-the-test_0001"


def token(action: str = "approve", issued_at: datetime = ISSUED) -> str:
    return make_action_token(
        SECRET, task_id=1024, login="li.na", action=action, nonce=NONCE, issued_at=issued_at
    )


def signed(payload: object) -> str:
    """A token with a valid signature over any payload (what an attacker cannot make)."""
    return str(links._serializer(SECRET).dumps(payload))


def reason(raised: pytest.ExceptionInfo[LinkError]) -> str:
    return str(raised.value.reason)


def test_round_trip() -> None:
    claim = read_action_token(SECRET, token(), ISSUED + timedelta(hours=2), MAX_AGE)
    assert claim == ActionClaim(1024, "li.na", "approve", NONCE, ISSUED)


@pytest.mark.parametrize("action", links.ACTIONS)
def test_every_action_round_trips(action: str) -> None:
    assert read_action_token(SECRET, token(action), ISSUED, MAX_AGE).action == action


def test_the_issue_time_may_be_given_in_any_zone() -> None:
    shanghai = timezone(timedelta(hours=8))
    made = token(issued_at=ISSUED.astimezone(shanghai))
    now = datetime(2024, 3, 1, 10, 0, tzinfo=shanghai)
    assert read_action_token(SECRET, made, now, MAX_AGE).issued_at == ISSUED


def test_a_tampered_token_is_refused() -> None:
    good = token()
    payload, signature = good.rsplit(".", 1)
    forged = signed({"t": 1025, "l": "li.na", "a": "approve", "n": NONCE, "i": 1709254800})
    tampered = forged.rsplit(".", 1)[0] + "." + signature
    for bad in (tampered, payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature):
        with pytest.raises(LinkError, match="signature is not valid") as raised:
            read_action_token(SECRET, bad, ISSUED, MAX_AGE)
        assert reason(raised) == "signature"


def test_a_token_made_with_another_secret_is_refused() -> None:
    with pytest.raises(LinkError, match="signature") as raised:
        read_action_token("another-secret", token(), ISSUED, MAX_AGE)
    assert reason(raised) == "signature"


def test_garbage_is_refused() -> None:
    for bad in ("", "abc", "a.b.c", token()[:20]):
        with pytest.raises(LinkError):
            read_action_token(SECRET, bad, ISSUED, MAX_AGE)


def test_an_expired_token_is_refused_and_says_when_it_expired() -> None:
    made = token()
    assert read_action_token(SECRET, made, ISSUED + MAX_AGE, MAX_AGE).task_id == 1024
    with pytest.raises(LinkError, match=r"expired at 2024-03-04T01:00:00\+00:00") as raised:
        read_action_token(SECRET, made, ISSUED + MAX_AGE + timedelta(seconds=1), MAX_AGE)
    assert reason(raised) == "expired"


def test_an_unknown_action_is_refused() -> None:
    made = signed({"t": 1024, "l": "li.na", "a": "delete", "n": NONCE, "i": 1709254800})
    with pytest.raises(LinkError, match="action 'delete' is unknown") as raised:
        read_action_token(SECRET, made, ISSUED, MAX_AGE)
    assert reason(raised) == "action"


def test_a_token_issued_in_the_future_is_refused() -> None:
    made = token()
    assert read_action_token(SECRET, made, ISSUED - timedelta(minutes=5), MAX_AGE)
    with pytest.raises(LinkError, match="check the servers' clocks") as raised:
        read_action_token(SECRET, made, ISSUED - timedelta(minutes=5, seconds=1), MAX_AGE)
    assert reason(raised) == "future"


@pytest.mark.parametrize(
    "payload",
    [
        [1024, "li.na", "approve"],
        {"t": 1024, "l": "li.na", "a": "approve", "n": NONCE},
        {"t": "1024", "l": "li.na", "a": "approve", "n": NONCE, "i": 1709254800},
        {"t": 1024, "l": "", "a": "approve", "n": NONCE, "i": 1709254800},
        {"t": 1024, "l": "li.na", "a": "approve", "n": NONCE, "i": True},
        {"t": 1024, "l": "li.na", "a": "approve", "n": NONCE, "i": 10**20},
    ],
)
def test_a_malformed_payload_is_refused(payload: object) -> None:
    with pytest.raises(LinkError, match="malformed") as raised:
        read_action_token(SECRET, signed(payload), ISSUED, MAX_AGE)
    assert reason(raised) == "malformed"


def test_a_signed_payload_that_is_not_json_is_malformed() -> None:
    serializer = links._serializer(SECRET)
    made = serializer.make_signer(links.SALT).sign(b"not json").decode()
    with pytest.raises(LinkError, match="malformed") as raised:
        read_action_token(SECRET, made, ISSUED, MAX_AGE)
    assert reason(raised) == "malformed"


def test_making_a_token_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="unknown action 'delete'"):
        token(action="delete")
    with pytest.raises(ValueError, match="timezone-aware"):
        token(issued_at=datetime(2024, 3, 1, 9, 0))
    with pytest.raises(ValueError, match="secret is empty"):
        make_action_token("", task_id=1, login="a", action="ack", nonce="n", issued_at=ISSUED)
    with pytest.raises(ValueError, match="positive integer"):
        make_action_token(SECRET, task_id=0, login="a", action="ack", nonce="n", issued_at=ISSUED)
    with pytest.raises(ValueError, match="timezone-aware"):
        read_action_token(SECRET, token(), datetime(2024, 3, 1, 9, 0), MAX_AGE)


def test_action_url_and_nonces() -> None:
    made = token()
    assert action_url("https://oa.example.com/", made) == f"https://oa.example.com/a/{made}"
    assert action_url("https://oa.example.com/oa", made) == f"https://oa.example.com/oa/a/{made}"
    nonces = {new_nonce() for _ in range(50)}
    assert len(nonces) == 50
    assert all(len(n) == 22 and n.isascii() for n in nonces)
