"""Who is calling: a signed-in session (Flask-Login) or an API token (`Authorization: Bearer`).

Both give the same `Account`, so a token has exactly its user's permissions. Sessions end after
an idle period, checked on the server as well as by the cookie's lifetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, logout_user
from sqlmodel import select

from rollout.auth.accounts import token_digest
from rollout.db import get_engine, get_session
from rollout.models import ApiToken, User, UserDistrict, utcnow
from rollout.core.author import Author

login_manager = LoginManager()
login_manager.session_protection = "strong"
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Account(UserMixin):
    """The signed-in user as the request sees it: role and districts loaded once."""

    id: int
    email: str
    role: str
    display_name: str | None
    district_ids: tuple[int, ...]
    via_token: bool = False

    def get_id(self) -> str:
        return str(self.id)


def account_of(user: User, *, via_token: bool = False) -> Account:
    districts = get_session().exec(select(UserDistrict.district_id).where(UserDistrict.user_id == user.id)).all()
    return Account(
        id=user.id, email=user.email, role=user.role, display_name=user.display_name,
        district_ids=tuple(sorted(districts)), via_token=via_token,
    )


@login_manager.user_loader
def load_user(user_id: str) -> Account | None:
    """The session's user, if the account still exists and is active."""
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active:
        return None
    return account_of(user)


@login_manager.request_loader
def load_user_from_token(req) -> Account | None:
    """A valid token of an active user: neither revoked nor expired."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    db = get_session()
    row = db.exec(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == token_digest(token.strip()), ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(), User.active,
        )
    ).first()
    if row is None:
        return None
    api_token, user = row
    _record_token_use(api_token)
    return account_of(user, via_token=True)


def _record_token_use(api_token: ApiToken) -> None:
    """Note when a token was last used, at most every few minutes and outside the request's
    transaction, so that reads stay reads."""
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > TOKEN_USE_RECORDED_EVERY:
        with get_engine().begin() as connection:
            connection.execute(sa.update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now))


@login_manager.unauthorized_handler
def unauthorized():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def end_idle_sessions():
    """before_request: sign out a browser session idle for longer than the configured period."""
    if not current_user.is_authenticated or current_user.via_token:
        return None
    now = utcnow().timestamp()
    seen = session.get("seen")
    idle_limit = current_app.permanent_session_lifetime.total_seconds()
    if seen is not None and now - seen > idle_limit:
        logout_user()
        session.clear()
        flash("Votre session a expiré après une période d'inactivité. Reconnectez-vous.", "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    session["seen"] = now
    session.permanent = True
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(end_idle_sessions)


def current_author(channel: str) -> Author:
    """The signed-in user as the author of a change made through `channel` (form, api, import)."""
    return Author(actor=current_user.email, channel=channel, user_id=current_user.id)
