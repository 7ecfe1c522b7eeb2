"""A flood of guessed secrets (share links and trainers' feeds alike) is cut off per client
address, in the database: a bounded trail, then 429 until the window has passed, while other
addresses, the right secrets from them, and sign-ins from the flooding address are unaffected."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select
from werkzeug.exceptions import HTTPException

from rollout.core import secret_links
from rollout.core.author import Author
from rollout.models import AuditEvent, Programme, utcnow
from rollout.sharing import links
from rollout.trainers.records import trainer_or_none
from rollout.training import feeds

from conftest import WORLD_EMAILS, WORLD_PASSWORD

FLOODER = "203.0.113.66"
NEIGHBOUR = "198.51.100.9"
FRESH = "192.0.2.44"
ALLOWED = secret_links.REFUSALS_ALLOWED
AUTHOR = Author(actor="tests", channel="system")


@pytest.fixture
def secrets_(engine: sa.Engine, world) -> dict[str, str]:
    """The addresses of an active share link and of an active feed of the world's programme."""
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        _link, link_secret = links.create_link(session, programme=programme, label="Conseil", days=7, author=AUTHOR)
        trainer = trainer_or_none(session, programme=programme, code="AT-001")
        _feed, feed_secret = feeds.create_feed(session, programme=programme, trainer=trainer, author=AUTHOR)
        session.commit()
    return {"link": f"/partage/{link_secret}", "feed": f"/feeds/{feed_secret}.ics"}


def _get(client, path: str, address: str):
    return client.get(path, environ_base={"REMOTE_ADDR": address})


def _refusals(engine: sa.Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "refused").order_by(col(AuditEvent.id))))


def _flood(client, address: str, count: int) -> list:
    """`count` wrong secrets from `address`, share links' and feeds' in turn."""
    return [_get(client, f"/partage/guess{index}" if index % 2 else f"/feeds/guess{index}.ics", address)
            for index in range(count)]


def test_a_flood_writes_a_bounded_trail_then_gets_429(client, engine: sa.Engine, secrets_: dict[str, str]) -> None:
    answers = _flood(client, FLOODER, 200)
    assert [answer.status_code for answer in answers] == [404] * ALLOWED + [429] * (200 - ALLOWED)
    slowed = answers[-1]
    assert 3590 < int(slowed.headers["Retry-After"]) <= 3600
    assert slowed.headers["Cache-Control"] == "no-store" and slowed.headers["Referrer-Policy"] == "no-referrer"
    assert "Trop de tentatives échouées. Réessayez dans 1" in slowed.text and "guess199" not in slowed.text
    assert "Too many failed attempts. Try again in 1" in _get(client, "/partage/guess?lang=en", FLOODER).text
    refused = _refusals(engine)
    assert len(refused) == ALLOWED + 1
    assert {event.entity for event in refused[:ALLOWED]} == {"sharelink", "trainerfeed"}
    summary = refused[-1]
    assert (summary.entity, summary.entity_id, summary.district_id) == ("address", FLOODER, None)
    assert {field: new for field, (_old, new) in summary.changes.items() if field != "until"} == {
        "ip": FLOODER, "reason": "throttled", "refused": ALLOWED, "window_minutes": 60}
    # the flooding address's right secrets are not even checked; nothing more is written
    assert [_get(client, path, FLOODER).status_code for path in secrets_.values()] == [429, 429]
    assert len(_refusals(engine)) == ALLOWED + 1
    with Session(engine) as session:
        assert session.exec(select(AuditEvent).where(col(AuditEvent.action).in_(["share_use", "feed_use"]))).all() == []


def test_other_addresses_are_unaffected(client, engine: sa.Engine, secrets_: dict[str, str]) -> None:
    _flood(client, FLOODER, ALLOWED + 5)
    assert _get(client, "/partage/guess", NEIGHBOUR).status_code == 404
    assert _get(client, "/feeds/guess.ics", NEIGHBOUR).status_code == 404
    assert [(event.entity, event.changes["ip"][1]) for event in _refusals(engine)[-2:]] == [
        ("sharelink", NEIGHBOUR), ("trainerfeed", NEIGHBOUR)]
    assert [_get(client, path, FRESH).status_code for path in secrets_.values()] == [200, 200]


def test_the_window_passing_lets_the_address_in_again(client, engine: sa.Engine, secrets_: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _flood(client, FLOODER, ALLOWED)
    assert _get(client, secrets_["link"], FLOODER).status_code == 429
    later = utcnow() + secret_links.WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(secret_links, "utcnow", lambda: later)
    assert [_get(client, path, FLOODER).status_code for path in secrets_.values()] == [200, 200]
    assert _get(client, "/partage/guess-again", FLOODER).status_code == 404  # counted and audited afresh
    assert len(_refusals(engine)) == ALLOWED + 2


def test_sign_in_throttling_and_refused_secrets_count_apart(client, engine: sa.Engine, world, csrf) -> None:
    _flood(client, FLOODER, ALLOWED)
    signed_in = client.post("/login", data={"email": WORLD_EMAILS["project_manager"], "password": WORLD_PASSWORD,
                                            "csrf_token": csrf(client)}, environ_base={"REMOTE_ADDR": FLOODER})
    assert signed_in.status_code == 302
    for _ in range(40):  # more failed sign-ins than an address may make within the hour
        client.post("/login", data={"email": "nobody@test.invalid", "password": "wrong", "csrf_token": csrf(client)},
                    environ_base={"REMOTE_ADDR": NEIGHBOUR})
    assert _get(client, "/partage/guess", NEIGHBOUR).status_code == 404


def test_a_refusal_after_the_allowance_was_used_meanwhile_writes_nothing(app, engine: sa.Engine, world) -> None:
    """Two hosts may check the same address at once: the refusal itself checks again."""
    details = {"ip": FLOODER}
    with app.test_request_context("/feeds/guess.ics"):
        for _ in range(ALLOWED):
            with Session(engine) as own:
                secret_links.record_refused_use(own, entity="trainerfeed", entity_id=None, reason="unknown",
                                                district_id=None, details=details)
        with Session(engine) as own, pytest.raises(HTTPException) as refused:
            secret_links.record_refused_use(own, entity="trainerfeed", entity_id=None, reason="unknown",
                                            district_id=None, details=details)
    assert refused.value.response.status_code == 429
    assert len(_refusals(engine)) == ALLOWED + 1
