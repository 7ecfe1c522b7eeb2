"""Login throttling slows a guesser down, per account and address, and never locks the owner out."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.auth.routes import wait_text
from rollout.auth.throttle import ADDRESS, PAIR
from rollout.models import LoginAttempt, utcnow

from conftest import WORLD_EMAILS, WORLD_PASSWORD

STRANGER = "203.0.113.7"
OWNER = "198.51.100.4"
WRONG = "not the password at all"


def _attempt(client, csrf, email: str, password: str, ip: str):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client)},
                       environ_base={"REMOTE_ADDR": ip})


def _said(response) -> str:
    """The page's text, with the non-breaking spaces Babel puts between a number and its unit."""
    return response.text.replace("\xa0", " ")


def _waits(response, delay: int) -> bool:
    """Whether `response` slows its caller down for `delay` seconds after the last failure, of
    which the test itself may have used a few."""
    return response.status_code == 429 and delay - 5 < int(response.headers["Retry-After"]) <= delay


def _move_clock(engine: sa.Engine, by: timedelta) -> None:
    """As if every stored attempt had been made `by` earlier."""
    with Session(engine) as session:
        for attempt in session.exec(select(LoginAttempt)):
            attempt.at -= by
            session.add(attempt)
        session.commit()


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (2, 0), (3, 30), (4, 60), (5, 120), (7, 480), (8, 900), (9, 900), (10_000, 900)],
)
def test_the_wait_doubles_with_each_failure_up_to_a_cap(failures: int, wait: int) -> None:
    now = utcnow()
    assert PAIR.wait(failures, now, now) == timedelta(seconds=wait)
    assert PAIR.wait(failures, now - timedelta(seconds=10), now) == timedelta(seconds=max(wait - 10, 0))


@pytest.mark.parametrize(
    ("seconds", "french", "english"),
    [(1, "1 seconde", "1 second"), (29.2, "30 secondes", "30 seconds"), (60, "1 minute", "1 minute"),
     (61, "2 minutes", "2 minutes"), (900, "15 minutes", "15 minutes")],
)
def test_the_wait_is_said_in_seconds_then_minutes_rounded_up(app, seconds: float, french: str, english: str) -> None:
    for language, said in (("fr", french), ("en", english)):
        with app.test_request_context(f"/login?lang={language}"):
            assert wait_text(timedelta(seconds=seconds)).replace("\xa0", " ") == said


def test_a_stranger_cannot_lock_the_owner_out(client, world, csrf) -> None:
    email = WORLD_EMAILS["project_manager"]
    for _ in range(PAIR.free_failures):
        assert _attempt(client, csrf, email, WRONG, STRANGER).status_code == 401
    slowed = _attempt(client, csrf, email, WORLD_PASSWORD, STRANGER)  # right, but not even checked
    assert _waits(slowed, 30)
    seconds = slowed.headers["Retry-After"]
    assert f"Trop de tentatives de connexion échouées. Réessayez dans {seconds} secondes." in _said(slowed)
    owner = client.application.test_client()
    assert _attempt(owner, csrf, email, WORLD_PASSWORD, OWNER).status_code == 302


def test_once_the_wait_is_over_the_pair_may_try_again_and_waits_longer_after(client, world, csrf, engine: sa.Engine) -> None:
    email = WORLD_EMAILS["project_manager"]
    for _ in range(PAIR.free_failures):
        _attempt(client, csrf, email, WRONG, STRANGER)
    _move_clock(engine, timedelta(seconds=20))
    assert _waits(_attempt(client, csrf, email, WRONG, STRANGER), 10)
    _move_clock(engine, timedelta(seconds=10))
    assert _attempt(client, csrf, email, WRONG, STRANGER).status_code == 401  # checked again
    slowed = _attempt(client, csrf, email, WORLD_PASSWORD, STRANGER)
    assert _waits(slowed, 60)
    with Session(engine) as session:  # attempts made while waiting are not counted
        assert len(session.exec(select(LoginAttempt)).all()) == PAIR.free_failures + 1


def test_a_success_clears_the_pairs_failures(client, world, csrf) -> None:
    email = WORLD_EMAILS["stakeholder"]
    for _ in range(PAIR.free_failures - 1):
        _attempt(client, csrf, email, WRONG, OWNER)
    assert _attempt(client, csrf, email, WORLD_PASSWORD, OWNER).status_code == 302
    for _ in range(PAIR.free_failures - 1):
        assert _attempt(client.application.test_client(), csrf, email, WRONG, OWNER).status_code == 401
    assert _attempt(client.application.test_client(), csrf, email, WORLD_PASSWORD, OWNER).status_code == 302


def _failures_from(engine: sa.Engine, ip: str, count: int) -> None:
    """`count` failed attempts from `ip`, each on another account, as one address trying many."""
    with Session(engine) as session:
        session.add_all(LoginAttempt(email=f"guess{n}@test.invalid", ip=ip, succeeded=False) for n in range(count))
        session.commit()


def test_an_address_trying_many_accounts_slows_down_too(client, world, csrf, engine: sa.Engine) -> None:
    _failures_from(engine, STRANGER, ADDRESS.free_failures - 1)
    assert _attempt(client, csrf, "guess-last@test.invalid", WRONG, STRANGER).status_code == 401
    slowed = _attempt(client, csrf, WORLD_EMAILS["stakeholder"], WORLD_PASSWORD, STRANGER)
    assert _waits(slowed, 30)
    assert _attempt(client.application.test_client(), csrf, WORLD_EMAILS["stakeholder"], WORLD_PASSWORD, OWNER).status_code == 302


def test_a_schools_shared_address_gets_many_more_failures_than_a_pair(client, world, csrf, engine: sa.Engine) -> None:
    assert ADDRESS.free_failures >= 10 * PAIR.free_failures
    _failures_from(engine, STRANGER, ADDRESS.free_failures - 1)
    assert _attempt(client, csrf, WORLD_EMAILS["stakeholder"], WORLD_PASSWORD, STRANGER).status_code == 302


def test_the_english_page_says_how_long_too(client, world, csrf) -> None:
    email = WORLD_EMAILS["project_manager"]
    for _ in range(PAIR.free_failures):
        _attempt(client, csrf, email, WRONG, STRANGER)
    slowed = client.post("/login?lang=en", data={"email": email, "password": WRONG, "csrf_token": csrf(client)},
                         environ_base={"REMOTE_ADDR": STRANGER})
    assert _waits(slowed, 30) and f"Try again in {slowed.headers['Retry-After']} seconds." in _said(slowed)

