"""The accounts page: admins deactivate and reactivate accounts, never their own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.models import ApiToken, User, UserSession

from conftest import WORLD_EMAILS, WORLD_PASSWORD


def _admin(app, login):
    client = app.test_client()
    login(client, "admin")
    return client


def _press(client, csrf, action: str, user_id: int):
    return client.post(f"/admin/users/{user_id}/{action}", data={"csrf_token": csrf(client, "/admin/users")})


def test_the_page_lists_every_account_with_role_districts_and_last_sign_in(app, world, login) -> None:
    page = _admin(app, login).get("/admin/users").text
    for email in WORLD_EMAILS.values():
        assert email in page
    assert "direction du projet" in page and "093" in page and "094" in page
    assert page.count("UTC") == 1  # only the admin has signed in
    assert page.count(">Désactiver</button>") == len(WORLD_EMAILS) - 1  # not for themself


def test_deactivating_ends_sessions_and_refuses_tokens_until_reactivated(app, engine: sa.Engine, world, login, token, csrf) -> None:
    user = app.test_client()
    login(user, "stakeholder")
    headers = token("stakeholder")
    script = app.test_client()
    admin = _admin(app, login)
    stakeholder = world.user_ids["stakeholder"]

    assert _press(admin, csrf, "deactivate", stakeholder).status_code == 302
    assert user.get("/account").status_code == 302
    assert script.get("/api/v1/schools", headers=headers).status_code == 401
    signing_in = app.test_client()
    assert signing_in.post("/login", data={"email": WORLD_EMAILS["stakeholder"], "password": WORLD_PASSWORD,
                                           "csrf_token": csrf(signing_in)}).status_code == 401
    with Session(engine) as session:
        assert not session.get(User, stakeholder).active
        assert session.exec(select(UserSession.ended_reason).where(UserSession.user_id == stakeholder)).all() == ["deactivated"]
        assert session.exec(select(ApiToken.revoked_at)).one() is None  # refused, not revoked
    assert "désactivé" in admin.get("/admin/users").text

    assert _press(admin, csrf, "activate", stakeholder).status_code == 302
    assert script.get("/api/v1/schools", headers=headers).status_code == 200
    login(signing_in, "stakeholder")


def test_an_admin_cannot_deactivate_themself(app, engine: sa.Engine, world, login, csrf) -> None:
    admin = _admin(app, login)
    response = _press(admin, csrf, "deactivate", world.user_ids["admin"])
    assert response.status_code == 302
    assert "Vous ne pouvez pas désactiver votre propre compte." in admin.get(response.headers["Location"]).text
    with Session(engine) as session:
        assert session.get(User, world.user_ids["admin"]).active


def test_the_buttons_need_the_forms_csrf_token_and_a_real_account(app, engine: sa.Engine, world, login, csrf) -> None:
    admin = _admin(app, login)
    assert admin.post(f"/admin/users/{world.user_ids['stakeholder']}/deactivate").status_code == 400
    assert _press(admin, csrf, "deactivate", 999_999).status_code == 404
    with Session(engine) as session:
        assert session.get(User, world.user_ids["stakeholder"]).active


def test_only_admins_see_the_link(app, world, login) -> None:
    assert 'href="/admin/users"' in _admin(app, login).get("/").text
    leader = app.test_client()
    login(leader, "district_leader")
    assert 'href="/admin/users"' not in leader.get("/").text
    assert leader.get("/admin/users").status_code == 403
