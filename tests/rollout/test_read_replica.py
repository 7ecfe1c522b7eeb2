"""Dashboards read from the read replica (ROLLOUT_READ_DATABASE_URL) once it has caught up with
the version of the data the primary reports, under which the result is cached; from the primary
while it lags or does not answer. Writes never go there.

The replica here is a copy of the primary's database made with `CREATE DATABASE … TEMPLATE`
(a streaming replica is PostgreSQL's business, not this product's): a copy changed behind the
primary's back tells which database a page was read from, and a change on the primary alone
is a replica lagging behind it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from rollout.db import get_engine
from tests.conftest import _admin_engine, _drop_database
from tests.rollout.test_dashboard_cache import teachers_trained, train_teachers


@pytest.fixture
def replica(app, engine: sa.Engine, world) -> Iterator[str]:
    """A copy of the primary with the world in it, as the app's read replica."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a read replica is PostgreSQL's")
    engine.dispose()
    get_engine(app).dispose()
    admin = _admin_engine()
    name = f"rollout_replica_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"'))
    url = engine.url.set(database=name).render_as_string(hide_password=False)
    app.config["ROLLOUT_READ_DATABASE_URL"] = url
    yield url
    read = app.extensions.pop("rollout.read_engine", None)
    if read is not None:
        read.dispose()
    _drop_database(admin, name)
    admin.dispose()


def _set_replica_count(url: str, world, count: int) -> None:
    """Change the replica alone, without an audit event: its data version stays the primary's."""
    replica = sa.create_engine(url)
    with replica.begin() as connection:
        connection.execute(sa.text(
            "UPDATE milestone SET count = :count, status = 'in_progress' WHERE kind = 'teachers_trained' AND school_id = "
            "(SELECT id FROM school WHERE programme_id = :programme ORDER BY uai LIMIT 1)"),
            {"count": count, "programme": world.programme_id})
        connection.execute(sa.text(
            "INSERT INTO milestone (school_id, kind, status, count, version, source, updated_at) SELECT id, 'teachers_trained', "
            "'in_progress', :count, 1, 'hand', now() FROM school WHERE programme_id = :programme AND NOT EXISTS ("
            "SELECT 1 FROM milestone m WHERE m.school_id = school.id AND m.kind = 'teachers_trained') ORDER BY uai LIMIT 1"),
            {"count": count, "programme": world.programme_id})
    replica.dispose()


def test_a_caught_up_replica_serves_the_dashboards(app, client, login, world, replica) -> None:
    _set_replica_count(replica, world, 41)
    login(client, "stakeholder")
    assert teachers_trained(client, world.programme_id) == 41  # read there: only the replica says 41


def test_a_lagging_replica_is_passed_over_for_the_primary(app, client, login, world, token, replica) -> None:
    _set_replica_count(replica, world, 41)
    train_teachers(app, world, token("project_manager"), 9)  # on the primary: the replica has not seen it
    login(client, "stakeholder")
    assert teachers_trained(client, world.programme_id) == 9


def test_an_unreachable_replica_is_passed_over_for_the_primary(app, client, login, world, token, replica) -> None:
    app.config["ROLLOUT_READ_DATABASE_URL"] = sa.engine.make_url(replica).set(port=1).render_as_string(hide_password=False)
    app.extensions.pop("rollout.read_engine", None)
    train_teachers(app, world, token("project_manager"), 7)
    login(client, "stakeholder")
    assert teachers_trained(client, world.programme_id) == 7
