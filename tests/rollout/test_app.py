"""The web application's shell: health check, welcome page, security headers, configuration."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from rollout.app import create_app
from rollout.config import database_url
from rollout.db import head_revision
from rollout.models import District, Programme


def test_healthz_reports_a_migrated_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_fails_on_an_unmigrated_database_and_says_no_more(sqlite_url: str, tmp_path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URL": sqlite_url}, instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}


def test_healthz_fails_when_the_database_is_unreachable_and_says_no_more(tmp_path) -> None:
    url = "postgresql+psycopg://nobody:wrong@127.0.0.1:1/none?connect_timeout=2"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URL": url}, instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}


def test_healthz_details_are_for_admins_only(app, client, engine, login) -> None:
    leader = app.test_client()
    login(leader, "district_leader")
    assert leader.get("/healthz/details").status_code == 403
    login(client, "admin")
    details = client.get("/healthz/details")
    assert details.status_code == 200
    body = details.get_json()
    assert body == {"status": "ok", "engine": engine.dialect.name, "reachable": True, "revision": head_revision(),
                    "expected": head_revision(), "error": None}


def test_healthz_details_name_a_database_behind_the_code(client, engine, login) -> None:
    login(client, "admin")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    assert client.get("/healthz").get_json() == {"status": "error"}
    details = client.get("/healthz/details")
    assert details.status_code == 503
    assert (details.get_json()["revision"], details.get_json()["expected"]) == ("0001", head_revision())


def test_welcome_page_speaks_french_and_sends_security_headers(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert "Données simulées" not in response.text
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_only_over_https(client) -> None:
    response = client.get("/", base_url="https://rollout.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_simulated_programmes_are_labelled(client, engine: sa.Engine) -> None:
    with Session(engine) as session:
        district = District(code="093", name="Seine-Saint-Denis")
        session.add(district)
        session.flush()
        session.add(Programme(district_id=district.id, name="Démo", platform="ENT", start_date=date(2015, 9, 1), simulated=True))
        session.commit()
    assert "Données simulées" in client.get("/").text


def test_database_url_from_the_environment(tmp_path) -> None:
    assert database_url(None, str(tmp_path)) == f"sqlite:///{tmp_path / 'rollout.sqlite3'}"
    assert database_url("postgres://u:p@h:5432/d", "x") == "postgresql+psycopg://u:p@h:5432/d"
    assert database_url("postgresql://u:p@h/d", "x") == "postgresql+psycopg://u:p@h/d"
    assert database_url("postgresql+psycopg://u@h/d", "x") == "postgresql+psycopg://u@h/d"


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == "from-the-environment"


def test_behind_a_proxy_https_is_recognised(sqlite_url: str, tmp_path) -> None:
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URL": sqlite_url}
    direct = create_app(config, instance_path=str(tmp_path)).test_client()
    proxied = create_app({**config, "BEHIND_PROXY": True}, instance_path=str(tmp_path)).test_client()
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in direct.get("/login", headers=forwarded).headers
    assert "Strict-Transport-Security" in proxied.get("/login", headers=forwarded).headers


def test_home_lists_only_the_users_programmes(client, world, login) -> None:
    login(client, "other_leader")
    page = client.get("/").text
    assert "ENT 094" in page and "ENT 093" not in page
    assert f"/programmes/{world.other_programme_id}/progress" in page
