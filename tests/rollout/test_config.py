"""Settings read from the environment: cookies go over HTTPS only behind a proxy, by default."""

from __future__ import annotations

import pytest

from rollout.app import create_app
from rollout.config import from_environment
from rollout.imports import bounds

COOKIE_SETTINGS = ("ROLLOUT_BEHIND_PROXY", "ROLLOUT_SECURE_COOKIES")


@pytest.mark.parametrize(
    ("environment", "secure"),
    [
        ({}, False),
        ({"ROLLOUT_BEHIND_PROXY": "1"}, True),
        ({"ROLLOUT_BEHIND_PROXY": "1", "ROLLOUT_SECURE_COOKIES": "0"}, False),
        ({"ROLLOUT_SECURE_COOKIES": "1"}, True),
        ({"ROLLOUT_BEHIND_PROXY": "0", "ROLLOUT_SECURE_COOKIES": "1"}, True),
    ],
)
def test_cookies_are_secure_behind_a_proxy_unless_explicitly_not(monkeypatch, tmp_path, environment, secure: bool) -> None:
    for name in COOKIE_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = from_environment(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is secure and settings["REMEMBER_COOKIE_SECURE"] is secure


def test_behind_a_proxy_the_session_cookie_is_sent_secure(monkeypatch, sqlite_url: str, tmp_path) -> None:
    for name in COOKIE_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROLLOUT_BEHIND_PROXY", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URL": sqlite_url}, instance_path=str(tmp_path))
    cookies = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"}).headers.getlist("Set-Cookie")
    [session] = [cookie for cookie in cookies if cookie.startswith("session=")]
    assert "Secure" in session and "HttpOnly" in session


@pytest.mark.parametrize(("hours", "expected"), [(None, 12), ("2", 2)])
def test_the_absolute_session_lifetime_is_a_setting(monkeypatch, tmp_path, hours: str | None, expected: int) -> None:
    monkeypatch.delenv("ROLLOUT_SESSION_HOURS", raising=False)
    if hours is not None:
        monkeypatch.setenv("ROLLOUT_SESSION_HOURS", hours)
    assert from_environment(str(tmp_path))["SESSION_ABSOLUTE_LIFETIME"].total_seconds() == expected * 3600


def test_by_default_a_request_takes_the_largest_file_an_import_reads(monkeypatch, tmp_path) -> None:
    """A district's million daily usage rows (56 MiB) go through the page and the API as through
    the command line: the request limit is the import's file bound and its form, unless lowered."""
    monkeypatch.delenv("ROLLOUT_MAX_UPLOAD_MB", raising=False)
    assert from_environment(str(tmp_path))["MAX_CONTENT_LENGTH"] > bounds.MAX_BYTES
    monkeypatch.setenv("ROLLOUT_MAX_UPLOAD_MB", "20")
    assert from_environment(str(tmp_path))["MAX_CONTENT_LENGTH"] == 20 * 2**20
