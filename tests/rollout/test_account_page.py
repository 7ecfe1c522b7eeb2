"""The "Mon compte" page: changing one's password under the policy, and one's open sessions."""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.models import User, UserSession

from conftest import WORLD_EMAILS, WORLD_PASSWORD

NEW_PASSWORD = "une phrase que personne ne devine"


def _change(client, csrf, *, current: str = WORLD_PASSWORD, new: str = NEW_PASSWORD, again: str | None = None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirmation": new if again is None else again,
        "csrf_token": csrf(client, "/account"),
    })


def _sign_in(app, csrf, password: str):
    client = app.test_client()
    response = client.post("/login", data={"email": WORLD_EMAILS["stakeholder"], "password": password, "csrf_token": csrf(client)})
    return client, response.status_code


def test_the_page_lists_open_sessions_and_links_to_tokens(app, world, login) -> None:
    other = app.test_client()
    other.environ_base["HTTP_USER_AGENT"] = "Navigateur du collège"
    login(other, "stakeholder")
    client = app.test_client()
    login(client, "stakeholder")
    page = client.get("/account")
    assert page.status_code == 200
    assert "Mon compte" in page.text and 'href="/account/tokens"' in page.text
    assert page.text.count("127.0.0.1") == 2 and "Navigateur du collège" in page.text
    assert page.text.count("(cette session)") == 1
    assert 'action="/account/sessions/end"' in page.text
    assert 'href="/account"' in client.get("/").text  # the header links to it


def test_changing_the_password_ends_every_other_session(app, engine: sa.Engine, world, login, csrf) -> None:
    elsewhere = app.test_client()
    login(elsewhere, "stakeholder")
    client = app.test_client()
    login(client, "stakeholder")
    response = _change(client, csrf)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    with Session(engine) as session:
        assert sorted(str(s.ended_reason) for s in session.exec(select(UserSession))) == ["None", "password_change"]
    assert _sign_in(app, csrf, WORLD_PASSWORD)[1] == 401
    assert _sign_in(app, csrf, NEW_PASSWORD)[1] == 302


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"current": "not my password at all"}, "ce n'est pas votre mot de passe actuel"),
        ({"new": "court"}, "au moins 12 caractères"),
        ({"new": "Motdepasse123"}, "ce mot de passe est parmi les plus courants"),
        ({"new": "AZERTYUIOP123"}, "ce mot de passe est parmi les plus courants"),
        ({"new": "password1234"}, "ce mot de passe est parmi les plus courants"),
        ({"again": "une autre phrase encore"}, "les deux saisies diffèrent"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(app, engine: sa.Engine, world, login, csrf, fields, said: str) -> None:
    client = app.test_client()
    login(client, "stakeholder")
    with Session(engine) as session:
        before = session.get(User, world.user_ids["stakeholder"]).password_hash
    response = _change(client, csrf, **fields)
    assert response.status_code == 422 and said in unescape(response.text)
    with Session(engine) as session:
        assert session.get(User, world.user_ids["stakeholder"]).password_hash == before


def test_guessing_the_current_password_is_slowed_like_signing_in(app, world, login, csrf) -> None:
    client = app.test_client()
    login(client, "stakeholder")
    for _ in range(3):
        assert _change(client, csrf, current="a guess of mine").status_code == 422
    slowed = _change(client, csrf)
    assert slowed.status_code == 429 and 25 < int(slowed.headers["Retry-After"]) <= 30
