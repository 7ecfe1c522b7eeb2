"""rollout behind PgBouncer in transaction mode (ROLLOUT_PGBOUNCER=1): consecutive transactions
of one client may run on different server connections, and one server connection serves many
clients, so nothing may rely on a connection's session state.

The pooler is Debian's pgbouncer (.ci/run installs it), started for each test on a free loopback
port in front of the test PostgreSQL (ROLLOUT_TEST_POSTGRES_URL), with the test role's password.
Skipped, saying why, without either; CI requires it (ROLLOUT_REQUIRE_PGBOUNCER=1).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from rollout.app import create_app
from rollout.db import PoolSettings, get_engine, make_engine
from tests.conftest import POSTGRES_URL
from tests.rollout.live_server import free_port, wait_until

pytestmark = pytest.mark.postgres
PGBOUNCER = shutil.which("pgbouncer") or next((path for path in ("/usr/sbin/pgbouncer",) if os.path.exists(path)), None)


@contextmanager
def pgbouncer(server_pool: int) -> Iterator[sa.URL]:
    """A PgBouncer in transaction mode with `server_pool` server connections per database, in
    front of the test PostgreSQL; yields the test URL with its address. As root it runs as
    `postgres` (it refuses root), its files readable by that user alone."""
    if PGBOUNCER is None:
        if os.environ.get("ROLLOUT_REQUIRE_PGBOUNCER") == "1":
            pytest.fail("ROLLOUT_REQUIRE_PGBOUNCER=1 but pgbouncer is not installed")
        pytest.skip("PgBouncer variant: install Debian's pgbouncer (as .ci/run does)")
    server = sa.engine.make_url(POSTGRES_URL)
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="rollout-pgbouncer-"))
    (folder / "userlist.txt").write_text(f'"{server.username}" "{server.password}"\n')
    (folder / "pgbouncer.ini").write_text(f"""[databases]
* = host={server.host or '127.0.0.1'} port={server.port or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = plain
auth_file = {folder / 'userlist.txt'}
pool_mode = transaction
default_pool_size = {server_pool}
max_client_conn = 100
query_wait_timeout = 20
ignore_startup_parameters = extra_float_digits
""")
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for path in folder.iterdir():
            shutil.chown(path, "postgres")
            path.chmod(0o600)
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = server.set(drivername="postgresql+psycopg", host="127.0.0.1", port=port)
    try:
        wait_until(lambda: _answers(url, process), timeout=15, what="pgbouncer listening", every=0.05)
        yield url
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
        shutil.rmtree(folder, ignore_errors=True)
        assert "FATAL" not in output, output


def _answers(url: sa.URL, process: subprocess.Popen) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"pgbouncer exited: {process.stdout.read() if process.stdout else ''}")
    try:
        psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def _alternate(engine: sa.Engine, times: int) -> None:
    """The same query on two of the engine's connections in turn, a transaction each time, as
    two threads of a web process do: past psycopg's threshold (five runs) it would prepare it."""
    with engine.connect() as first, engine.connect() as second:
        for turn in range(times):
            for connection in (first, second):
                assert connection.execute(sa.text("SELECT CAST(:n AS integer)"), {"n": turn}).scalar_one() == turn
                connection.commit()


def test_prepared_statements_are_off_behind_pgbouncer_as_transaction_mode_needs() -> None:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL variant: set ROLLOUT_TEST_POSTGRES_URL")
    with pgbouncer(server_pool=1) as url:
        direct_settings = make_engine(url.render_as_string(hide_password=False), PoolSettings(pgbouncer=False))
        with pytest.raises(sa.exc.DBAPIError, match="prepared statement"):
            _alternate(direct_settings, times=8)  # both clients prepare "_pg3_0" on the one server connection
        direct_settings.dispose()
        behind = make_engine(url.render_as_string(hide_password=False), PoolSettings.from_environment({"ROLLOUT_PGBOUNCER": "1"}))
        _alternate(behind, times=8)
        behind.dispose()


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_app_works_through_pgbouncer_in_transaction_mode(engine: sa.Engine, world, login, csrf, tmp_path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign in, read the dashboards again and again, edit a milestone, import usage (staged in a
    temporary table of the transaction, with COPY), queue a solve, sign out:
    through one server connection that PgBouncer lends each transaction in turn: a SET, a
    temporary table, a LISTEN or an advisory lock kept from one transaction to the next would
    not be there, or would be another client's."""
    monkeypatch.setenv("ROLLOUT_PGBOUNCER", "1")
    with pgbouncer(server_pool=1) as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                          "SQLALCHEMY_DATABASE_URL": url.set(database=engine.url.database).render_as_string(hide_password=False)},
                         instance_path=str(tmp_path / "instance"))
        client = app.test_client()
        try:
            _flow(client, world, login, csrf)
        finally:
            get_engine(app).dispose()


def _flow(client, world, login: Callable, csrf: Callable) -> None:
    login(client, "district_leader")
    programme = f"/programmes/{world.programme_id}"
    for _ in range(6):
        for page in ("/dashboard", "/dashboard/equity", "/dashboard/leadership", "/plans"):
            assert client.get(programme + page).status_code == 200, page
    token = csrf(client, programme + "/plans")
    edit = client.patch(f"/api/v1/schools/{sorted(world.uais)[0]}/milestones/teachers_trained?programme={world.programme_id}",
                        json={"version": 0, "status": "in_progress", "count": 4}, headers={"X-CSRFToken": token})
    assert edit.status_code == 200, edit.text
    first, second = world.uais[:2]
    usage = (f"date,uai,service,profile,visits,visitors\n2016-03-07,{first},Notes,National_ENS,60,8\n"
             f"2016-03-07,{second},Devoirs,National_ELV,40,30\n").encode()
    imported = client.post(f"/api/v1/usage/imports?programme={world.programme_id}", headers={"X-CSRFToken": token},
                           data={"file": (io.BytesIO(usage), "usage.csv")}, content_type="multipart/form-data")
    assert imported.status_code == 201 and imported.json["new"] == 2, imported.text  # a temporary table and COPY
    queued = client.post(programme + "/plans", data={"name": "Derrière PgBouncer", "time_limit": "5", "csrf_token": token})
    assert queued.status_code == 302, queued.text
    assert client.get(queued.headers["Location"]).status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get(programme + "/dashboard").status_code in (302, 401)
