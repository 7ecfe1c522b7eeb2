"""Signing in and out, CSRF and API tokens (sessions: test_sessions.py; throttling: test_throttle.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.auth.routes import safe_next
from rollout.models import ApiToken, User, UserDistrict, utcnow

from conftest import WORLD_EMAILS, WORLD_PASSWORD


def _post_login(client, csrf, email: str, password: str, next_url: str = ""):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client), "next": next_url})


def test_sign_in_starts_a_fresh_session_and_sign_out_ends_it(client, world, csrf) -> None:
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
    response = _post_login(client, csrf, WORLD_EMAILS["stakeholder"], WORLD_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == f"/programmes/{world.programme_id}/dashboard"
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    assert client.get("/account/tokens").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf(client, "/account/tokens")}).status_code == 302
    assert client.get("/account/tokens").status_code == 302


@pytest.mark.parametrize("role", ["stakeholder", "district_leader", "other_leader"])
def test_who_sees_one_programme_lands_on_its_overview(client, world, csrf, role: str) -> None:
    response = _post_login(client, csrf, WORLD_EMAILS[role], WORLD_PASSWORD)
    programme_id = world.other_programme_id if role == "other_leader" else world.programme_id
    assert response.headers["Location"] == f"/programmes/{programme_id}/dashboard"


def test_who_sees_several_programmes_or_none_lands_on_the_home_page(client, engine: sa.Engine, world, csrf) -> None:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == WORLD_EMAILS["project_manager"])).one()
        session.delete(session.exec(select(UserDistrict).where(UserDistrict.user_id == user.id)).one())
        session.commit()
    assert _post_login(client, csrf, WORLD_EMAILS["admin"], WORLD_PASSWORD).headers["Location"] == "/"  # both districts
    other_client = client.application.test_client()
    assert _post_login(other_client, csrf, WORLD_EMAILS["project_manager"], WORLD_PASSWORD).headers["Location"] == "/"  # no district


def test_next_wins_over_the_landing_page(client, world, csrf) -> None:
    response = _post_login(client, csrf, WORLD_EMAILS["stakeholder"], WORLD_PASSWORD, next_url="/account/tokens")
    assert response.headers["Location"] == "/account/tokens"


def test_wrong_password_is_refused_without_saying_which_part(client, world, csrf) -> None:
    wrong = _post_login(client, csrf, WORLD_EMAILS["stakeholder"], "not the password at all")
    unknown = _post_login(client, csrf, "nobody@test.invalid", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Adresse ou mot de passe incorrect" in wrong.text and "Adresse ou mot de passe incorrect" in unknown.text


def test_login_form_requires_csrf(client, world) -> None:
    response = client.post("/login", data={"email": WORLD_EMAILS["stakeholder"], "password": WORLD_PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account/tokens", "/account/tokens"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_only_redirects_within_the_site(app, target: str, expected: str) -> None:
    with app.test_request_context():
        assert safe_next(target) == expected


def test_anonymous_page_redirects_to_login_with_next(client, world) -> None:
    response = client.get("/account/tokens")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/account/tokens"


def test_session_cookie_flags(client, world, csrf) -> None:
    response = _post_login(client, csrf, WORLD_EMAILS["stakeholder"], WORLD_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_tokens_page_creates_shows_once_and_revokes(client, world, login, csrf, engine: sa.Engine) -> None:
    login(client, "project_manager")
    page = client.post("/account/tokens", data={"name": "import nocturne", "days": "30", "csrf_token": csrf(client, "/account/tokens")})
    secret = re.search(r'<code id="new-token">([^<]+)</code>', page.text).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    listing = client.get("/account/tokens").text
    assert listing.count(secret) == 0
    api = client.application.test_client()
    assert api.get("/api/v1/schools", headers=headers).status_code == 200
    with Session(engine) as session:
        token = session.exec(select(ApiToken)).one()
        assert token.token_hash != secret and token.last_used_at is not None
        assert abs(token.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)
    assert token.expires_at.strftime("%Y-%m-%d %H:%M UTC") in listing
    client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf(client, "/account/tokens")})
    assert api.get("/api/v1/schools", headers=headers).status_code == 401


def test_tokens_last_90_days_unless_asked_otherwise(client, world, login, csrf, engine: sa.Engine) -> None:
    login(client, "project_manager")
    form = client.get("/account/tokens").text
    assert '<option selected value="90">' in form and 'value="30"' in form and 'value="365"' in form
    client.post("/account/tokens", data={"name": "sans durée", "csrf_token": csrf(client, "/account/tokens")})
    refused = client.post("/account/tokens", data={"name": "dix ans", "days": "3650", "csrf_token": csrf(client, "/account/tokens")})
    assert "new-token" not in refused.text
    with Session(engine) as session:
        token = session.exec(select(ApiToken)).one()
    assert abs(token.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)


def test_an_expired_token_is_refused_like_a_revoked_one(client, world, token, engine: sa.Engine, login) -> None:
    headers = token("stakeholder")
    assert client.get("/api/v1/schools", headers=headers).status_code == 200
    with Session(engine) as session:
        stored = session.exec(select(ApiToken)).one()
        stored.expires_at = utcnow() - timedelta(seconds=1)
        session.add(stored)
        session.commit()
    refused = client.get("/api/v1/schools", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["message"].startswith("authentication required")
    login(client, "stakeholder")
    assert "expiré" in client.get("/account/tokens").text


def test_cannot_revoke_someone_elses_token(client, world, login, token, csrf, engine: sa.Engine) -> None:
    token("district_leader")
    with Session(engine) as session:
        other_id = session.exec(select(ApiToken.id)).one()
    login(client, "project_manager")
    response = client.post(f"/account/tokens/{other_id}/revoke", data={"csrf_token": csrf(client, "/account/tokens")})
    assert response.status_code == 404


def test_api_without_or_with_a_bad_token_is_401_json(client, world) -> None:
    for headers in ({}, {"Authorization": "Bearer rlt_not-a-real-token"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/schools", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["message"].startswith("authentication required")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_calls_need_no_csrf_but_session_calls_do(client, world, login, token, csrf) -> None:
    # Adopting a plan that does not exist is a 404 once past CSRF: a token call gets there with
    # no CSRF token, a session call is stopped with a 400 until it sends one.
    adopt = "/api/v1/plans/999999/adopt"
    assert client.post(adopt, headers=token("district_leader")).status_code == 404
    login(client, "district_leader")
    assert client.post(adopt).status_code == 400
    assert client.post(adopt, headers={"X-CSRFToken": csrf(client, "/account/tokens")}).status_code == 404


def test_language_is_french_first_and_english_on_request(client, world) -> None:
    assert '<html lang="fr">' in client.get("/login").text
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    client.get("/login?lang=fr")
    assert '<html lang="fr">' in client.get("/login", headers={"Accept-Language": "en"}).text
