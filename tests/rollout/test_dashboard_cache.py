"""The dashboards' cache (rollout.cache): a page asked again is not computed again, and a change
committed anywhere makes the next page fresh, on this app and on another app sharing its Redis,
though nobody told that app: entries are keyed by the programme's data version.

The Redis variant uses the server of ROLLOUT_TEST_REDIS_URL (.ci/run starts one), in the database
after the one named: tests/rollout/test_queue.py flushes the named one while its tests run.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import Session

import dashboards.views
from rollout import cache
from rollout.app import create_app
from rollout.core.author import Author
from rollout.db import get_engine
from rollout.models import Programme
from rollout.sharing.links import create_link
from tests.rollout.live_server import free_port

REDIS_URL = os.environ.get("ROLLOUT_TEST_REDIS_URL")
REDIS_REQUIRED = os.environ.get("ROLLOUT_REQUIRE_REDIS") == "1"


def neighbour_database(url: str, offset: int) -> str:
    """`url` with the database `offset` after its own (of the 16 a Redis server has)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number + offset) % 16}"))


def redis_or_skip() -> str:
    """The test Redis (its next database), or a skip saying why; a failure when CI requires it."""
    reason = "ROLLOUT_TEST_REDIS_URL is not set"
    if REDIS_URL:
        try:
            redis.Redis.from_url(REDIS_URL).ping()
            return neighbour_database(REDIS_URL, 1)
        except redis.RedisError as error:
            reason = f"{REDIS_URL} does not answer: {error}"
    if REDIS_REQUIRED:
        pytest.fail(f"ROLLOUT_REQUIRE_REDIS=1 but {reason}")
    pytest.skip(f"Redis variant: install Debian's redis-server and set ROLLOUT_TEST_REDIS_URL (as .ci/run does): {reason}")


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Each dashboard actually computed (name, shared), in order: what the cache saved is what is missing."""
    calls: list[tuple[str, bool]] = []
    compute = dashboards.views._compute

    def counted(name, programme, filters, *, shared):
        calls.append((name, shared))
        return compute(name, programme, filters, shared=shared)

    monkeypatch.setattr(dashboards.views, "_compute", counted)
    return calls


def teachers_trained(client, programme_id: int) -> int:
    """The overview's "teachers trained" count, from its cascade figure's CSV."""
    response = client.get(f"/programmes/{programme_id}/dashboard/cascade.csv")
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    (count,) = [int(row[1]) for row in rows[1:] if row[0] == "Enseignants formés"]
    return count


def train_teachers(app, world, headers: dict[str, str], count: int) -> None:
    """Record `count` teachers trained at the world's first school through `app`'s API (audited)."""
    response = app.test_client().patch(f"/api/v1/schools/{sorted(world.uais)[0]}/milestones/teachers_trained?programme={world.programme_id}",
                            json={"version": 0, "status": "in_progress", "count": count}, headers=headers)
    assert response.status_code == 200, response.text


def test_a_page_asked_again_is_not_computed_again_until_the_data_changes(app, client, login, world, token, computed) -> None:
    login(client, "stakeholder")
    page = f"/programmes/{world.programme_id}/dashboard"
    first = client.get(page)
    assert first.status_code == 200
    again = client.get(page)
    assert again.status_code == 200
    assert _figures(again.text) == _figures(first.text)
    assert computed == [("overview", False)]
    assert teachers_trained(client, world.programme_id) == 0  # the CSV reads the same entry
    assert computed == [("overview", False)]

    train_teachers(app, world, token("project_manager"), 9)
    assert teachers_trained(client, world.programme_id) == 9
    assert computed == [("overview", False), ("overview", False)]


def test_the_key_keeps_apart_languages_filters_share_links_and_districts(app, client, login, world, engine, computed) -> None:
    login(client, "district_leader")
    page = f"/programmes/{world.programme_id}/dashboard"
    assert "Plan et réalisé" in client.get(page).text
    assert "Plan and actual" in client.get(page + "?lang=en").text
    client.get(page + "?lang=fr")
    filtered = client.get(page + "?basin=N")
    assert filtered.status_code == 200
    assert len(computed) == 3  # French, English, then filtered (French again comes from the cache)

    with Session(engine) as session:
        _, secret = create_link(session, programme=session.get(Programme, world.programme_id), label="Conseil", days=7,
                                author=Author(actor="tests", channel="system"))
        session.commit()
    with app.test_client() as reader:
        assert reader.get(f"/partage/{secret}").status_code == 200
    assert computed[-1] == ("overview", True)

    login(other := app.test_client(), "other_leader")
    assert other.get(page).status_code == 404  # another district: refused before any cache is read


def _figures(page: str) -> list[str]:
    """The figures' JSON blocks of a page (the rest holds the session's CSRF token)."""
    return [block.split("</script>")[0] for block in page.split('<script type="application/json"')[1:]]


@pytest.fixture
def two_apps(engine: sa.Engine, tmp_path) -> Iterator[tuple[object, object]]:
    """Two applications on one database and one Redis, as two app hosts are: nothing in memory shared."""
    url = redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex}:"
    apps = []
    for host in ("a", "b"):
        config = {"TESTING": True, "SECRET_KEY": "test-secret", "ROLLOUT_CACHE_URL": url, "ROLLOUT_CACHE_PREFIX": prefix,
                  "SQLALCHEMY_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
        apps.append(create_app(config, instance_path=str(tmp_path / host)))
    assert all(cache.shared_between_hosts(app) for app in apps)
    yield apps[0], apps[1]
    for app in apps:
        get_engine(app).dispose()
    keys = redis.Redis.from_url(url)
    for key in keys.scan_iter(f"{prefix}*"):
        keys.delete(key)


def test_a_change_on_one_app_makes_the_next_page_fresh_on_another_sharing_redis(
        two_apps, login, world, token, computed: list[tuple[str, bool]]) -> None:
    host_a, host_b = two_apps
    login(client_a := host_a.test_client(), "project_manager")
    login(client_b := host_b.test_client(), "stakeholder")
    assert teachers_trained(client_b, world.programme_id) == 0
    assert teachers_trained(client_a, world.programme_id) == 0
    assert len(computed) == 1, "host A read what host B computed, through Redis"

    train_teachers(host_a, world, token("project_manager"), 12)
    assert teachers_trained(client_b, world.programme_id) == 12
    assert teachers_trained(client_a, world.programme_id) == 12
    assert len(computed) == 2


def test_a_redis_that_stops_answering_costs_speed_not_pages(engine: sa.Engine, tmp_path, login, world) -> None:
    refusing = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "ROLLOUT_CACHE_URL": refusing,
                      "SQLALCHEMY_DATABASE_URL": engine.url.render_as_string(hide_password=False)},
                     instance_path=str(tmp_path / "instance"))
    login(client := app.test_client(), "stakeholder")
    assert teachers_trained(client, world.programme_id) == 0
    assert client.get(f"/programmes/{world.programme_id}/dashboard").status_code == 200
    get_engine(app).dispose()


def test_a_restore_drops_every_entry_since_the_restored_database_hands_out_old_ids_again(
        two_apps, login, world, computed: list[tuple[str, bool]]) -> None:
    host_a, host_b = two_apps
    login(client_b := host_b.test_client(), "stakeholder")
    teachers_trained(client_b, world.programme_id)
    assert cache.forget_all(host_a)  # what `rollout db restore` does once the database is replaced
    teachers_trained(client_b, world.programme_id)
    assert len(computed) == 2
