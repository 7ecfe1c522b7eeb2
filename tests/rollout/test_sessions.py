"""Browser sessions live in the database: signing out, timing out and signing out everywhere
end them for every copy of the cookie, on every app host."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.app import create_app
from rollout.auth.identity import SESSION_KEY, SESSION_USE_RECORDED_EVERY
from rollout.auth.sessions import secret_digest
from rollout.models import UserSession, utcnow


def _signed_in(app, login, role: str = "stakeholder", **environ):
    client = app.test_client()
    if environ:
        client.environ_base.update(environ)
    login(client, role)
    return client


def _copy(client, app):
    """Another browser holding the same session cookie (a stolen or forgotten copy)."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def _refused(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _move_clock(engine: sa.Engine, *, idle: timedelta = timedelta(0), age: timedelta = timedelta(0)) -> None:
    """As if every session had been last used `idle` earlier and opened `age` earlier."""
    with Session(engine) as session:
        for record in session.exec(select(UserSession)):
            record.last_seen_at -= idle
            record.created_at -= age
            session.add(record)
        session.commit()


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, world, login, csrf) -> None:
    client = _signed_in(app, login)
    page_copy, api_copy = _copy(client, app), _copy(client, app)
    assert page_copy.get("/account").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf(client, "/account")}).status_code == 302
    assert _refused(page_copy.get("/account"))
    refused = api_copy.get("/api/v1/schools")
    assert refused.status_code == 401 and refused.get_json()["message"].startswith("authentication required")


def test_sign_out_holds_on_every_app_host(app, engine: sa.Engine, world, login, csrf, tmp_path) -> None:
    """Two hosts share only the database: one's sign-out ends the session the other accepts."""
    other_host = create_app(
        {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "SQLALCHEMY_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URL"]},
        instance_path=str(tmp_path / "other-host"),
    )
    other_host.extensions["rollout.engine"] = engine
    client = _signed_in(app, login)
    elsewhere = _copy(client, other_host)
    assert elsewhere.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    assert _refused(elsewhere.get("/account"))


def test_the_cookie_carries_a_secret_the_database_keeps_only_as_a_digest(app, engine: sa.Engine, world, login) -> None:
    client = _signed_in(app, login, HTTP_USER_AGENT="Firefox/" + "9" * 400, REMOTE_ADDR="192.0.2.10")
    with client.session_transaction() as cookie:
        secret = cookie[SESSION_KEY]
    with Session(engine) as session:
        record = session.exec(select(UserSession)).one()
    assert record.secret_hash == secret_digest(secret) != secret
    assert record.user_id == world.user_ids["stakeholder"] and record.ended_at is None
    assert record.ip == "192.0.2.10" and len(record.user_agent) == 200


def test_an_idle_session_ends_though_the_client_keeps_its_cookie(app, engine: sa.Engine, world, login) -> None:
    client = _signed_in(app, login)
    _move_clock(engine, idle=app.permanent_session_lifetime + timedelta(seconds=1))
    response = client.get("/account")
    assert _refused(response)
    assert "Votre session a pris fin" in client.get(response.headers["Location"]).text


def test_use_keeps_a_session_alive_and_is_recorded_once_a_minute(app, engine: sa.Engine, world, login) -> None:
    client = _signed_in(app, login)
    with Session(engine) as session:
        opened = session.exec(select(UserSession)).one().last_seen_at
    assert client.get("/account").status_code == 200
    with Session(engine) as session:
        assert session.exec(select(UserSession)).one().last_seen_at == opened  # not written again within the minute
    for _ in range(3):  # used just before each idle timeout, three times over
        _move_clock(engine, idle=app.permanent_session_lifetime - SESSION_USE_RECORDED_EVERY)
        assert client.get("/account").status_code == 200
    with Session(engine) as session:
        assert utcnow() - session.exec(select(UserSession)).one().last_seen_at < timedelta(minutes=1)


def test_a_session_in_use_ends_at_its_absolute_lifetime(app, engine: sa.Engine, world, login) -> None:
    client = _signed_in(app, login)
    assert app.config["SESSION_ABSOLUTE_LIFETIME"] == timedelta(hours=12)
    _move_clock(engine, age=timedelta(hours=12) - timedelta(minutes=1))
    assert client.get("/account").status_code == 200
    _move_clock(engine, age=timedelta(minutes=2))
    assert _refused(client.get("/account"))


def test_sign_out_everywhere_ends_another_clients_session(app, engine: sa.Engine, world, login, csrf) -> None:
    laptop = _signed_in(app, login)
    phone = _signed_in(app, login)
    other_user = _signed_in(app, login, "project_manager")
    response = laptop.post("/account/sessions/end", data={"csrf_token": csrf(laptop, "/account")})
    assert _refused(response)
    assert _refused(phone.get("/account")) and _refused(laptop.get("/account"))
    assert other_user.get("/account").status_code == 200
    with Session(engine) as session:
        reasons = {record.user_id: record.ended_reason for record in session.exec(select(UserSession))}
    assert reasons == {world.user_ids["stakeholder"]: "sign_out_all", world.user_ids["project_manager"]: None}


def test_sign_out_everywhere_needs_the_forms_csrf_token(app, world, login) -> None:
    client = _signed_in(app, login)
    assert client.post("/account/sessions/end").status_code == 400
    assert client.get("/account").status_code == 200
