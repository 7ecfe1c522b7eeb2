"""A request holds one database connection at a time: noting its session's or token's use
waits until the request's own connection is given back. Behind PgBouncer in transaction mode
(or with a pool of one), a second connection taken while the first is in a transaction can wait
on requests waiting the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.db import PoolSettings, make_engine
from rollout.models import ApiToken, UserSession, utcnow


@pytest.fixture
def one_connection(app, engine: sa.Engine):
    """The app on a pool of exactly one connection, refusing a second after a second's wait."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite connections are not pooled per request")
    single = make_engine(engine.url.render_as_string(hide_password=False), PoolSettings(size=1, overflow=0, timeout=1))
    app.extensions["rollout.engine"] = single
    yield single
    single.dispose()


def _age(engine: sa.Engine, model, column: str) -> None:
    with Session(engine) as session:
        for row in session.exec(select(model)):
            setattr(row, column, utcnow() - timedelta(minutes=30))
            session.add(row)
        session.commit()


def test_a_session_use_is_noted_on_a_pool_of_one(app, client, world, login, engine, one_connection) -> None:
    login(client, "stakeholder")
    _age(engine, UserSession, "last_seen_at")
    assert client.get(f"/programmes/{world.programme_id}/progress").status_code == 200
    with Session(engine) as session:
        assert max(row.last_seen_at for row in session.exec(select(UserSession))) > utcnow() - timedelta(minutes=1)


def test_a_token_use_is_noted_on_a_pool_of_one(app, client, world, token, engine, one_connection) -> None:
    headers = token("stakeholder")
    _age(engine, ApiToken, "last_used_at")
    assert client.get(f"/api/v1/schools?programme={world.programme_id}", headers=headers).status_code == 200
    with Session(engine) as session:
        assert max(row.last_used_at for row in session.exec(select(ApiToken))) > utcnow() - timedelta(minutes=1)


def test_a_request_that_finds_every_connection_lent_answers_503_and_the_next_one_works(
        app, client, world, login, one_connection) -> None:
    login(client, "stakeholder")
    page = f"/programmes/{world.programme_id}/progress"
    with one_connection.connect() as held:  # the pool's only connection, lent for the whole request
        held.exec_driver_sql("SELECT 1")
        busy = client.get(page)
        api = client.get(f"/api/v1/schools?programme={world.programme_id}", headers={"Accept": "application/json"})
    assert busy.status_code == 503 and "trop de demandes à la fois" in busy.get_data(as_text=True)
    assert api.status_code == 503 and "trop de demandes" in api.get_json()["message"]
    assert client.get(page).status_code == 200
