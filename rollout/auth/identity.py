"""Who is calling: a signed-in session (Flask-Login) or an API token (`Authorization: Bearer`).

Both give the same `Account`, so a token has exactly its user's permissions. A browser session
is accepted only while its record in the database is (`rollout.auth.sessions`): the cookie
carries the record's secret, so signing out, a password change or a deactivation ends the
session on every app host, and a copy of the cookie dies with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user
from sqlmodel import col, select

from rollout.auth.sessions import SessionLimits, live_session, secret_digest
from rollout.db import after_request_session, get_session
from rollout.models import ApiToken, User, UserDistrict, UserSession, utcnow
from rollout.core.author import Author

login_manager = LoginManager()
login_manager.session_protection = "strong"
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=5)
SESSION_USE_RECORDED_EVERY = timedelta(minutes=1)
SESSION_KEY = "session_secret"  # the key of the Flask session (the cookie) that holds it


@dataclass(frozen=True)
class Account(UserMixin):
    """The signed-in user as the request sees it: role and districts loaded once."""

    id: int
    email: str
    role: str
    display_name: str | None
    district_ids: tuple[int, ...]
    via_token: bool = False
    session_id: int | None = None  # the browser session's record, when signed in through one

    def get_id(self) -> str:
        return str(self.id)


def account_of(user: User, *, via_token: bool = False, session_id: int | None = None) -> Account:
    districts = get_session().exec(select(UserDistrict.district_id).where(UserDistrict.user_id == user.id)).all()
    return Account(
        id=user.id, email=user.email, role=user.role, display_name=user.display_name,
        district_ids=tuple(sorted(districts)), via_token=via_token, session_id=session_id,
    )


def session_limits() -> SessionLimits:
    """The idle timeout (ROLLOUT_IDLE_MINUTES) and the absolute lifetime (ROLLOUT_SESSION_HOURS)."""
    return SessionLimits(idle=current_app.permanent_session_lifetime, lifetime=current_app.config["SESSION_ABSOLUTE_LIFETIME"])


@login_manager.user_loader
def load_user(user_id: str) -> Account | None:
    """The cookie's user, while the session record its secret names may still be used."""
    secret = session.get(SESSION_KEY)
    if not isinstance(secret, str) or not user_id.isdigit():
        return None
    found = live_session(get_session(), secret=secret, limits=session_limits(), now=utcnow())
    if found is None or found[0].user_id != int(user_id):
        return None
    record, user = found
    _record_session_use(record)
    return account_of(user, session_id=record.id)


def _record_session_use(record: UserSession) -> None:
    """Note when a session was last used (its idle timeout counts from there), at most once a
    minute and after the request's transaction (`after_request_session`), so that reads stay reads."""
    now = utcnow()
    if now - record.last_seen_at >= SESSION_USE_RECORDED_EVERY:
        update = sa.update(UserSession).where(col(UserSession.id) == record.id).values(last_seen_at=now)
        after_request_session(lambda connection: connection.execute(update))


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
            ApiToken.token_hash == secret_digest(token.strip()), ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(), User.active,
        )
    ).first()
    if row is None:
        return None
    api_token, user = row
    _record_token_use(api_token)
    return account_of(user, via_token=True)


def _record_token_use(api_token: ApiToken) -> None:
    """Note when a token was last used, at most every few minutes and after the request's
    transaction (`after_request_session`), so that reads stay reads."""
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > TOKEN_USE_RECORDED_EVERY:
        update = sa.update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now)
        after_request_session(lambda connection: connection.execute(update))


@login_manager.unauthorized_handler
def unauthorized():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def forget_ended_session() -> None:
    """before_request: empty a cookie whose session is no longer accepted (signed out, timed out,
    ended elsewhere) and say so; the access rules then send its holder to the login page."""
    if SESSION_KEY not in session or (current_user.is_authenticated and not current_user.via_token):
        return
    session.clear()
    flash(_("Votre session a pris fin. Reconnectez-vous."), "warning")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(forget_ended_session)


def current_author(channel: str) -> Author:
    """The signed-in user as the author of a change made through `channel` (form, api, import)."""
    return Author(actor=current_user.email, channel=channel, user_id=current_user.id)
