"""Several app hosts behind a load balancer without sticky sessions: two gunicorn hosts (the
Procfile's web line, on two loopback ports) and two planner workers (its worker line, one task
at a time each) on one PostgreSQL database and one Redis, each with an instance folder of its own.

A browser is one `requests.Session` sending its cookie to either host, as it would to a load
balancer's one address. Needs PostgreSQL (ROLLOUT_TEST_POSTGRES_URL) and Redis
(ROLLOUT_TEST_REDIS_URL), in the database two after the one named (the queue and the cache
are this module's alone there: tests/rollout/test_queue.py flushes the named one, and its
worker would run this module's solves).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests
from sqlmodel import Session, select

from rollout.auth.accounts import create_user
from rollout.cli import load_dataset_committed
from rollout.db import make_engine, upgrade
from rollout.models import School
from tests.conftest import NO_POSTGRES, POSTGRES_URL, _fresh_postgres_database
from tests.rollout.live_server import BIN, live_server, queue_worker, wait_until
from tests.rollout.test_dashboard_cache import neighbour_database, redis_or_skip

pytestmark = pytest.mark.postgres
EMAIL = "direction@multi-host.invalid"
PASSWORD = "mot de passe des deux hôtes"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# Île-de-France's collèges without history: its solve runs to its time limit (a smaller
# programme is optimal within a second, too soon to watch two solves at once), and loads in seconds.
DATASET = "ile-de-france"
SOLVE_SECONDS = 60


@dataclass
class Hosts:
    """The two app hosts' addresses, the programme and a school, the Redis the hosts share,
    and the workers' logs."""

    a: str
    b: str
    programme_id: int
    uai: str
    redis_url: str
    worker_logs: list[Path]


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    shared_redis = neighbour_database(redis_or_skip(), 2)
    redis.Redis.from_url(shared_redis).flushdb()
    directory = tmp_path_factory.mktemp("multi-host")
    with ExitStack() as stack:
        database_url = next(databases := _fresh_postgres_database())
        stack.callback(lambda: next(databases, None))  # drops the database
        programme_id, uai = _load(database_url)
        env = {"DATABASE_URL": database_url, "SECRET_KEY": "one-key-for-every-host", "ROLLOUT_QUEUE_URL": shared_redis,
               "PATH": f"{BIN}:{os.environ['PATH']}"}
        environment = stack.enter_context(pytest.MonkeyPatch.context())
        for name, value in env.items():  # what live_server passes on to gunicorn
            environment.setenv(name, value)
        for name in ("a", "b", "w1", "w2"):
            (directory / name).mkdir()
        host_a = stack.enter_context(live_server(directory / "a", database_url, workers=1))
        host_b = stack.enter_context(live_server(directory / "b", database_url, workers=1))
        for name in ("w1", "w2"):  # one task at a time each: two solves running at once are on two workers
            stack.enter_context(queue_worker(directory / name, database_url, args=("--workers", "1")))
        yield Hosts(a=host_a.url, b=host_b.url, programme_id=programme_id, uai=uai, redis_url=shared_redis,
                    worker_logs=[directory / name / "worker.log" for name in ("w1", "w2")])
    redis.Redis.from_url(shared_redis).flushdb()
    for log in [*(directory / "a").glob("gunicorn-*.log"), *(directory / "b").glob("gunicorn-*.log")]:
        assert "Traceback" not in log.read_text(), log.read_text()


def _load(database_url: str) -> tuple[int, str]:
    """The programme and a district leader of it; its first school by UAI."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        programme = load_dataset_committed(engine, DATASET, with_history=False)
        with Session(engine) as session:
            create_user(session, email=EMAIL, password=PASSWORD, role="district_leader", district_codes=[DATASET])
            uai = session.exec(select(School.uai).where(School.programme_id == programme.id).order_by(School.uai)).first()
            session.commit()
        return programme.id, uai
    finally:
        engine.dispose()


def csrf_token(browser: requests.Session, url: str) -> str:
    """The CSRF token a form of the page at `url` carries, for the browser's session."""
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    match = CSRF.search(page.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(host: str) -> requests.Session:
    browser = requests.Session()
    answer = browser.post(f"{host}/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(browser, f"{host}/login")},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    return browser


def signed_in(browser: requests.Session, host: str) -> bool:
    """Whether `host` serves the account page to the browser (else it sends it to sign in)."""
    answer = browser.get(f"{host}/account", allow_redirects=False, timeout=30)
    assert answer.status_code in (200, 302), answer.status_code
    return answer.status_code == 200 and EMAIL in answer.text


def test_signed_in_on_one_host_is_signed_in_on_the_other_and_signed_out_from_both(hosts: Hosts) -> None:
    browser = sign_in(hosts.a)
    assert signed_in(browser, hosts.b)
    assert signed_in(browser, hosts.a)
    kept = browser.cookies.copy()  # a copy of the cookie, as an attacker or another tab keeps it
    token = csrf_token(browser, f"{hosts.b}/account")
    assert browser.post(f"{hosts.b}/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30).status_code == 302
    assert not signed_in(browser, hosts.a)
    replayed = requests.Session()
    replayed.cookies.update(kept)
    assert not signed_in(replayed, hosts.a), "the session ended on B must be refused on A, even with its old cookie"
    assert not signed_in(replayed, hosts.b)


def test_two_solves_queued_at_once_run_at_once_on_the_two_workers(hosts: Hosts) -> None:
    browser = sign_in(hosts.a)
    plans = []
    for host, other, name in ((hosts.a, hosts.b, "Plan de l'hôte A"), (hosts.b, hosts.a, "Plan de l'hôte B")):
        path = f"/programmes/{hosts.programme_id}/plans"
        token = csrf_token(browser, other + path)  # the form read from one host, sent to the other
        answer = browser.post(host + path, data={"name": name, "time_limit": str(SOLVE_SECONDS), "csrf_token": token},
                              allow_redirects=False, timeout=60)
        assert answer.status_code == 302, answer.text
        plans.append(urlsplit(answer.headers["Location"]).path)

    def states() -> list[dict]:
        # Each plan read from the other host than the one it was queued on: the row is the state.
        return [browser.get(f"{host}{plan}/progress.json", timeout=30).json() for host, plan in zip((hosts.b, hosts.a), plans)]

    def both_solving() -> list[dict] | None:
        seen = states()
        return seen if all(state["status"] == "solving" and state["elapsed_seconds"] for state in seen) else None

    # Each worker takes one task at a time: both solving at once means each has one.
    wait_until(both_solving, timeout=60, what="both plans solving at once", every=0.1)
    for host, plan in zip((hosts.b, hosts.a), plans):
        answer = browser.post(f"{host}{plan}/stop", data={"csrf_token": csrf_token(browser, f"{host}{plan}")},
                              allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.text
    finished = wait_until(lambda: (seen := states()) and not any(state["running"] for state in seen) and seen,
                          timeout=60, what="both solves stopped")
    assert [state["status"] for state in finished] == ["stopped", "stopped"], finished
    for log in hosts.worker_logs:
        assert "Traceback" not in log.read_text(), log.read_text()


def teachers_trained(browser: requests.Session, host: str, programme_id: int) -> int:
    answer = browser.get(f"{host}/programmes/{programme_id}/dashboard/cascade.csv", timeout=60)
    assert answer.status_code == 200, answer.text
    rows = [line.split(";") for line in answer.content.decode("utf-8-sig").splitlines()]
    (count,) = [int(row[1]) for row in rows if row[0] == "Enseignants formés"]
    return count


def test_a_dashboard_cached_on_one_host_is_fresh_after_an_edit_on_the_other(hosts: Hosts) -> None:
    browser = sign_in(hosts.b)
    shared = redis.Redis.from_url(hosts.redis_url)
    before = teachers_trained(browser, hosts.b, hosts.programme_id)
    cached = set(shared.scan_iter("rollout:cache:dashboard:*"))
    assert cached, "host B kept the dashboard in the shared Redis"
    assert teachers_trained(browser, hosts.a, hosts.programme_id) == before
    assert set(shared.scan_iter("rollout:cache:dashboard:*")) == cached, "host A read host B's entry"

    token = csrf_token(browser, f"{hosts.a}/account")
    answer = browser.patch(f"{hosts.a}/api/v1/schools/{hosts.uai}/milestones/teachers_trained?programme={hosts.programme_id}",
                           json={"version": 0, "status": "in_progress", "count": 17}, headers={"X-CSRFToken": token}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert teachers_trained(browser, hosts.b, hosts.programme_id) == before + 17
