"""Shared test fixtures: databases on SQLite and PostgreSQL, the app, its client.

PostgreSQL variants run when ROLLOUT_TEST_POSTGRES_URL names a server where the test user may
create databases (`.ci/run` sets it); each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from rollout.app import create_app
from rollout.db import make_engine, upgrade

POSTGRES_URL = os.environ.get("ROLLOUT_TEST_POSTGRES_URL")
NO_POSTGRES = "PostgreSQL variant: set ROLLOUT_TEST_POSTGRES_URL (as .ci/run does) to run it"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (benchmarks, scale)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow = pytest.mark.skip(reason="slow: run with --run-slow")
    skip_postgres = pytest.mark.skip(reason=NO_POSTGRES)
    for item in items:
        if "slow" in item.keywords and not config.getoption("--run-slow"):
            item.add_marker(skip_slow)
        if "postgres" in item.keywords and not POSTGRES_URL:
            item.add_marker(skip_postgres)


def _fresh_postgres_database() -> Iterator[str]:
    admin_url = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"rollout_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database, on each engine the product supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rollout.sqlite3'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """An empty SQLite database, for tests whose subject is not the database engine."""
    return f"sqlite:///{tmp_path / 'rollout.sqlite3'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """A migrated database."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def app(engine: sa.Engine, tmp_path):
    """The application on a migrated database, in testing mode."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URL": engine.url.render_as_string(hide_password=False)},
        instance_path=str(tmp_path / "instance"),
    )
    app.extensions["rollout.engine"] = engine
    yield app


@pytest.fixture
def client(app):
    return app.test_client()
