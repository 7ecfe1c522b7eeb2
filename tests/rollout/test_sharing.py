"""Share links: stored as digests, always expiring, revocable, and created or revoked only by
the programme's district leaders (and admins), every step audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout.auth.sessions import secret_digest
from rollout.core.author import Author
from rollout.models import AuditEvent, Programme, ShareLink, utcnow
from rollout.sharing import links

from conftest import WORLD_EMAILS

LEADER = Author(actor=WORLD_EMAILS["district_leader"], channel="form")
CREATED_ADDRESS = re.compile(r'<code id="new-share-link">http://localhost/partage/([A-Za-z0-9_-]+)</code>')


def _programme(session: Session, world) -> Programme:
    return session.get(Programme, world.programme_id)


def _events(engine: sa.Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def test_only_the_digest_of_the_secret_is_stored(engine: sa.Engine, world) -> None:
    with Session(engine) as session:
        _link, secret = links.create_link(session, programme=_programme(session, world), label="Conseil", days=30,
                                         author=LEADER)
        session.commit()
        stored = session.exec(select(ShareLink)).one()
    assert len(secret) >= 43 and stored.token_hash == secret_digest(secret) and secret not in stored.model_dump_json()
    assert stored.expires_at - stored.created_at == timedelta(days=30)


@pytest.mark.parametrize("days", [0, 366])
def test_a_link_always_expires_within_a_year(engine: sa.Engine, world, days: int) -> None:
    with Session(engine) as session, pytest.raises(links.ShareLinkError):
        links.create_link(session, programme=_programme(session, world), label="Conseil", days=days, author=LEADER)


def test_a_link_is_active_until_it_expires_or_is_revoked(engine: sa.Engine, world) -> None:
    with Session(engine) as session:
        programme = _programme(session, world)
        link, secret = links.create_link(session, programme=programme, label="Conseil", days=7, author=LEADER)
        now = utcnow()
        assert links.status(link, now) == "active" and links.link_by_secret(session, secret) == link
        assert links.status(link, now + timedelta(days=7)) == "expired"
        assert links.revoke_link(session, link=link, programme=programme, author=LEADER)
        assert not links.revoke_link(session, link=link, programme=programme, author=LEADER)  # once only
        assert links.status(link, now) == "revoked"
        assert links.link_by_secret(session, secret + "x") is None


def test_a_use_is_audited_at_most_once_an_hour(engine: sa.Engine, world) -> None:
    with Session(engine) as session:
        programme = _programme(session, world)
        link, _secret = links.create_link(session, programme=programme, label="Conseil", days=7, author=LEADER)
        session.commit()
        now = utcnow()
        details = {"endpoint": "shared.dashboard", "ip": "192.0.2.1"}
        assert links.record_use(session, link=link, programme=programme, now=now, details=details)
        assert not links.record_use(session, link=link, programme=programme, now=now + timedelta(minutes=59), details=details)
        assert links.record_use(session, link=link, programme=programme, now=now + timedelta(minutes=61), details=details)
        link_id = link.id
    [first, _second] = _events(engine, "share_use")
    assert (first.entity, first.entity_id, first.district_id) == ("sharelink", str(link_id), world.district_id)


def _create(client, world, csrf, label: str = "Conseil départemental du 12 janvier"):
    path = f"/programmes/{world.programme_id}/partages"
    return client.post(path, data={"label": label, "days": "30", "csrf_token": csrf(client, path)})


def test_a_leader_creates_a_link_whose_address_is_shown_once(client, engine: sa.Engine, world, login, csrf) -> None:
    login(client, "district_leader")
    response = _create(client, world, csrf)
    assert response.status_code == 200
    [secret] = CREATED_ADDRESS.findall(response.text)
    listing = client.get(f"/programmes/{world.programme_id}/partages").text
    assert secret not in listing and "Conseil départemental du 12 janvier" in listing and "actif" in listing
    assert WORLD_EMAILS["district_leader"] in listing  # created by
    [event] = _events(engine, "share_create")
    assert event.user_id == world.user_ids["district_leader"] and event.district_id == world.district_id
    assert secret not in str(event.changes)


def test_a_link_needs_a_label(client, world, login, csrf) -> None:
    login(client, "district_leader")
    assert _create(client, world, csrf, label="  ").status_code == 422


@pytest.mark.parametrize("role", ["stakeholder", "project_manager"])
def test_other_roles_may_not_create_a_link(client, engine: sa.Engine, world, login, csrf, role: str) -> None:
    login(client, role)
    assert client.get(f"/programmes/{world.programme_id}/partages").status_code == 403
    response = client.post(f"/programmes/{world.programme_id}/partages", data={"label": "x", "days": "30",
                                                                              "csrf_token": csrf(client, "/account")})
    assert response.status_code == 403
    with Session(engine) as session:
        assert session.exec(select(ShareLink)).all() == []


def test_another_districts_leader_gets_404(client, world, login) -> None:
    login(client, "other_leader")
    assert client.get(f"/programmes/{world.programme_id}/partages").status_code == 404


def test_a_leader_revokes_a_link_and_the_revocation_is_audited(client, engine: sa.Engine, world, login, csrf) -> None:
    login(client, "district_leader")
    [secret] = CREATED_ADDRESS.findall(_create(client, world, csrf).text)
    with Session(engine) as session:
        link = session.exec(select(ShareLink)).one()
    path = f"/programmes/{world.programme_id}/partages"
    response = client.post(f"{path}/{link.id}/revoke", data={"csrf_token": csrf(client, path)})
    assert response.status_code == 302
    assert "révoqué" in client.get(path).text
    with Session(engine) as session:
        assert session.get(ShareLink, link.id).revoked_at is not None
    [event] = _events(engine, "share_revoke")
    assert event.entity_id == str(link.id) and event.user_id == world.user_ids["district_leader"]
    assert client.get(f"/partage/{secret}").status_code == 404


def test_a_link_of_another_programme_is_404_under_ones_own(client, engine: sa.Engine, world, login, csrf) -> None:
    with Session(engine) as session:
        other = session.get(Programme, world.other_programme_id)
        link, _secret = links.create_link(session, programme=other, label="Val-de-Marne", days=7, author=LEADER)
        session.flush()
        link_id = link.id
        session.commit()
    login(client, "district_leader")
    path = f"/programmes/{world.programme_id}/partages"
    assert client.post(f"{path}/{link_id}/revoke", data={"csrf_token": csrf(client, path)}).status_code == 404
    with Session(engine) as session:
        assert session.get(ShareLink, link_id).revoked_at is None


def test_revoking_needs_the_csrf_token(client, engine: sa.Engine, world, login, csrf) -> None:
    login(client, "district_leader")
    _create(client, world, csrf)
    with Session(engine) as session:
        link = session.exec(select(ShareLink)).one()
    assert client.post(f"/programmes/{world.programme_id}/partages/{link.id}/revoke").status_code == 400
    with Session(engine) as session:
        assert session.get(ShareLink, link.id).revoked_at is None


def test_the_access_log_writes_no_secret() -> None:
    from types import SimpleNamespace

    from gunicorn.config import Config

    from rollout.serve import AccessLogger

    secret = "Zs0-secret_value"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/partage/{secret}/equity?basin=N", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": f"/partage/{secret}/equity", "QUERY_STRING": "basin=N",
               "HTTP_REFERER": f"https://rollout.example/partage/{secret}"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", f"https://rollout.example/partage/{secret}")])
    atoms = AccessLogger(Config()).atoms(response, request, environ, timedelta(milliseconds=5))
    assert atoms["r"] == "GET /partage/…/equity?basin=N HTTP/1.1" and atoms["U"] == "/partage/…/equity"
    assert [key for key, value in atoms.items() if secret in str(value)] == []


def test_the_application_log_writes_no_secret(app, caplog: pytest.LogCaptureFixture) -> None:
    app.logger.error("Exception on %s [%s]", "/partage/Zs0-secret_value/cascade.csv", "GET")
    assert "Exception on /partage/…/cascade.csv [GET]" in caplog.text and "Zs0-secret_value" not in caplog.text
