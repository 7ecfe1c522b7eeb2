"""Shared test fixtures: databases on SQLite and PostgreSQL, the app, its client.

PostgreSQL variants run when ROLLOUT_TEST_POSTGRES_URL names a server where the test user may
create databases (`.ci/run` sets it); each test gets a fresh database, dropped afterwards.
A migrated database is a copy of one migrated once per session (per test process): a file
copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL. Running the migrations for each of
hundreds of tests cost minutes of the suite (0.24 s a PostgreSQL database, against 0.08 s for a
copy of the template).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

# Tests that queue plans (the API, the plan pages) must not fill a developer's queue in the
# repository's instance folder: the session's queue is a temporary file unless one is named,
# set before rollout.queue is first imported (it builds its storage from the environment).
os.environ.setdefault("ROLLOUT_QUEUE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='rollout-test-queue-')}/queue.sqlite3")

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


_LEFTOVER_DATABASES: list[str] = []


def _drop_database(admin: sa.Engine, name: str) -> bool:
    """Drop a test database; False when the server refuses (e.g. an autovacuum worker, which a
    non-superuser may not terminate, is still attached)."""
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return True
    except sa.exc.DBAPIError:
        return False


def _admin_engine() -> sa.Engine:
    admin_url = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    return sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")


def _fresh_postgres_database() -> Iterator[str]:
    admin = _admin_engine()
    name = f"rollout_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        if not _drop_database(admin, name):
            _LEFTOVER_DATABASES.append(name)
        admin.dispose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the test databases the server would not drop at their test's end."""
    if not _LEFTOVER_DATABASES:
        return
    admin = _admin_engine()
    remaining = [name for name in _LEFTOVER_DATABASES if not _drop_database(admin, name)]
    admin.dispose()
    if remaining:
        print(f"\nPostgreSQL test databases left behind: {', '.join(remaining)}")


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


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated to head once per session, for `engine` to copy."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection's close checkpoints the write-ahead log into the file
    return str(path)


@pytest.fixture(scope="session")
def _migrated_postgres() -> Iterator[str | None]:
    """The name of a PostgreSQL database migrated to head once per test process, for `engine`
    to copy (None without a server). Nothing stays connected to it: a template must be idle."""
    if not POSTGRES_URL:
        yield None
        return
    admin = _admin_engine()
    name = f"rollout_test_template_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    template = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    upgrade(template)
    template.dispose()
    yield name
    if not _drop_database(admin, name):
        _LEFTOVER_DATABASES.append(name)
    admin.dispose()


def _copy_of_template(name: str, template: str) -> None:
    """Make the empty test database `name` a copy of the migrated `template`."""
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str, _migrated_sqlite: str, _migrated_postgres: str | None) -> Iterator[sa.Engine]:
    """A migrated database: a copy of the session's migrated SQLite file or PostgreSQL template."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and not os.path.exists(url.database):
        shutil.copyfile(_migrated_sqlite, url.database)
    elif url.get_backend_name() == "postgresql" and _migrated_postgres:
        _copy_of_template(url.database, _migrated_postgres)
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


WORLD_PASSWORD = "mot de passe de test"
WORLD_EMAILS = {
    "admin": "admin@test.invalid",
    "district_leader": "direction@test.invalid",
    "project_manager": "projet@test.invalid",
    "stakeholder": "partenaire@test.invalid",
    "other_leader": "direction94@test.invalid",
}
_WORLD_HASH = None


def _password_hash() -> str:
    """One scrypt hash for every test user: hashing is slow on purpose."""
    global _WORLD_HASH
    if _WORLD_HASH is None:
        from rollout.auth.accounts import hash_password

        _WORLD_HASH = hash_password(WORLD_PASSWORD)
    return _WORLD_HASH


@dataclass
class World:
    """Ids of the small programme every tracker test starts from."""

    programme_id: int
    other_programme_id: int
    district_id: int
    other_district_id: int
    uais: list[str]
    other_uai: str
    user_ids: dict[str, int]


@pytest.fixture
def world(engine: sa.Engine) -> World:
    """District 093 with a programme of six real collèges (two basins, three waves, trainers),
    users of every role there, and district 094 with its own programme and leader."""
    from datetime import date

    from sqlmodel import Session

    from rollout.colleges.national_file import public_colleges
    from rollout.colleges.teachers import estimated_teachers
    from rollout.models import Basin, District, Programme, School, Trainer, TrainerBasin, User, UserDistrict, Wave

    colleges = public_colleges(departments=["093"])[:6]
    other_college = public_colleges(departments=["094"])[0]
    with Session(engine) as session:
        districts = [District(code="093", name="Seine-Saint-Denis"), District(code="094", name="Val-de-Marne")]
        session.add_all(districts)
        session.flush()
        programmes = [
            Programme(district_id=district.id, name=f"ENT {district.code}", platform="ENT", start_date=date(2015, 9, 1))
            for district in districts
        ]
        session.add_all(programmes)
        session.flush()
        programme, other = programmes
        basins = [Basin(programme_id=programme.id, code=code, name=name) for code, name in (("N", "Nord"), ("S", "Sud"))]
        other_basin = Basin(programme_id=other.id, code="N", name="Nord")
        session.add_all([*basins, other_basin])
        waves = [
            Wave(programme_id=programme.id, code=f"W{i + 1}", label=f"Vague {i + 1}", position=i,
                 start_date=start, end_date=end, max_schools=3)
            for i, (start, end) in enumerate(
                [(date(2015, 9, 1), date(2015, 12, 18)), (date(2016, 1, 4), date(2016, 3, 31)), (date(2016, 4, 4), date(2016, 7, 7))]
            )
        ]
        session.add_all(waves)
        session.add(Wave(programme_id=other.id, code="W1", position=0, start_date=date(2015, 9, 1), end_date=date(2015, 12, 18)))
        session.flush()

        def school(college, programme_id: int, basin_id: int) -> School:
            return School(
                programme_id=programme_id, basin_id=basin_id, uai=college.uai, name=college.name,
                commune=college.commune, commune_code=college.commune_code, pupils=college.pupils,
                teachers=estimated_teachers(college.pupils, college.priority), priority=college.priority,
                latitude=college.latitude, longitude=college.longitude,
            )

        session.add_all(school(c, programme.id, basins[i % 2].id) for i, c in enumerate(colleges))
        session.add(school(other_college, other.id, other_basin.id))
        trainers = [
            Trainer(programme_id=programme.id, code="V-1", name="Éditeur", tier="vendor", capacity=6, trained=True, all_basins=True),
            Trainer(programme_id=programme.id, code="AT-001", name="Formatrice Nord", tier="academic", capacity=8, trained=True),
            Trainer(programme_id=programme.id, code="AT-002", name="Formateur Sud", tier="academic", capacity=8, trained=False),
        ]
        session.add_all(trainers)
        session.flush()
        session.add_all([
            TrainerBasin(trainer_id=trainers[1].id, basin_id=basins[0].id, rank=0),
            TrainerBasin(trainer_id=trainers[1].id, basin_id=basins[1].id, rank=1),
            TrainerBasin(trainer_id=trainers[2].id, basin_id=basins[1].id, rank=0),
        ])
        user_ids = {}
        for key, email in WORLD_EMAILS.items():
            role = "district_leader" if key == "other_leader" else key
            user = User(email=email, password_hash=_password_hash(), role=role, display_name=key)
            session.add(user)
            session.flush()
            user_ids[key] = user.id
            if role != "admin":
                district = districts[1] if key == "other_leader" else districts[0]
                session.add(UserDistrict(user_id=user.id, district_id=district.id))
        session.commit()
        return World(
            programme_id=programme.id, other_programme_id=other.id, district_id=districts[0].id,
            other_district_id=districts[1].id, uais=[c.uai for c in colleges], other_uai=other_college.uai,
            user_ids=user_ids,
        )


@pytest.fixture
def login(world: World):
    """`login(client, "project_manager")` signs a test client in through the real login form."""

    def sign_in(client, role: str | None = None, *, email: str | None = None):
        address = email or WORLD_EMAILS[role]
        response = client.post("/login", data={"email": address, "password": WORLD_PASSWORD, "csrf_token": _csrf_token(client)})
        assert response.status_code == 302, response.text
        return response

    return sign_in


def _csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, as a form on the page at `path` carries it."""
    import re

    if not client.application.config.get("WTF_CSRF_ENABLED", True):
        return ""
    page = client.get(path).text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, "no CSRF token on the login page"
    return match.group(1)


@pytest.fixture
def token(engine: sa.Engine, world: World):
    """`token("stakeholder")` → headers with a fresh API token of that world user."""
    from sqlmodel import Session

    from rollout.auth.accounts import create_token
    from rollout.core.author import Author

    def headers(role: str) -> dict[str, str]:
        with Session(engine) as session:
            secret = create_token(session, email=WORLD_EMAILS[role], name="tests", author=Author(actor="tests", channel="system"))
            session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def csrf():
    """`csrf(client, path)` → the CSRF token a form on that page would submit."""
    return _csrf_token


# The tables a change or an import writes (sign-in's own tables apart, which a request may use).
RECORD_TABLES = ("school", "basin", "wave", "trainer", "trainerbasin", "milestone", "pixcertification", "usagerecord",
                 "servicecategory", "plan", "auditevent", "importbatch", "savedpreview")


@pytest.fixture
def stored(engine: sa.Engine):
    """`stored()` → how many rows each table of records holds: a refused request leaves it as it was."""

    def count() -> dict[str, int]:
        with engine.connect() as connection:
            return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for table in RECORD_TABLES}

    return count


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium (tests/browser/served.py), once per test process: Playwright's
    sync API runs one instance per thread, so the browser modules share it."""
    from tests.browser.served import headless_chromium

    with headless_chromium() as browser:
        yield browser
