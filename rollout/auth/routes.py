"""Sign in, sign out, and the page where users manage their API tokens."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from math import ceil
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlmodel import col, select
from werkzeug.security import check_password_hash, generate_password_hash

from rollout.auth.access import READERS, access
from rollout.auth.accounts import AccountError, create_token, normalise_email
from rollout.auth.forms import LoginForm, TokenForm
from rollout.core.forms import ButtonForm
from rollout.auth.identity import account_of
from rollout.auth.throttle import record_attempt, wait_before_attempt
from rollout.db import get_session
from rollout.models import ApiToken, User, utcnow

bp = Blueprint("auth", __name__)

@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so that both cases take the same time; made on first
    use rather than at import, which every CLI call and worker start would pay for."""
    return generate_password_hash("no account has this password", method="scrypt")


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the home page: no open redirect."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("home.index")
    return target


def client_address() -> str:
    """The caller's address (the client's, behind a proxy: see ROLLOUT_BEHIND_PROXY)."""
    return request.remote_addr or "unknown"


def typed_email(typed: str) -> str:
    """The email as stored when it is one; otherwise what was typed, bounded, to count it."""
    try:
        return normalise_email(typed)
    except AccountError:
        return typed.strip().lower()[:320]


def wait_text(wait: timedelta) -> str:
    """How long to wait, for people: seconds under a minute, else minutes rounded up."""
    seconds = ceil(wait.total_seconds())
    shown = timedelta(seconds=seconds) if seconds < 60 else timedelta(minutes=ceil(seconds / 60))
    return format_timedelta(shown, threshold=1)


def too_many_failures(body: str, wait: timedelta) -> Response:
    """429 with Retry-After: the attempt was not checked, and the page says how long to wait."""
    response = make_response(body, 429)
    response.headers["Retry-After"] = str(ceil(wait.total_seconds()))
    return response


@bp.route("/login", methods=["GET", "POST"])
@access(public=True)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    db = get_session()
    ip = client_address()
    email = typed_email(form.email.data)
    wait = wait_before_attempt(db, email=email, ip=ip)
    if wait:
        return too_many_failures(render_template("auth/login.html", form=form, wait=wait_text(wait)), wait)
    user = db.exec(select(User).where(User.email == email)).first()
    valid = check_password_hash(user.password_hash if user else _dummy_hash(), form.password.data)
    if user is None or not valid or not user.active:
        record_attempt(db, email=email, ip=ip, succeeded=False)
        db.commit()
        flash(_("Adresse ou mot de passe incorrect."), "error")
        return render_template("auth/login.html", form=form), 401
    record_attempt(db, email=email, ip=ip, succeeded=True)
    user.last_login_at = utcnow()
    db.add(user)
    db.commit()
    session.clear()  # a fresh session: nothing from before sign-in survives it
    login_user(account_of(user))
    session["seen"] = utcnow().timestamp()
    session.permanent = True
    return redirect(safe_next(form.next.data))


@bp.post("/logout")
@access(*READERS)
def logout():
    if not ButtonForm().validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@access(*READERS)
def tokens():
    """List the user's API tokens and create one; the secret is shown once, on this response."""
    db = get_session()
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        created = create_token(db, email=current_user.email, name=form.name.data.strip(), days=form.days.data)
        db.commit()
        form = TokenForm(formdata=None)
    rows = db.exec(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(col(ApiToken.created_at).desc())
    ).all()
    return render_template("auth/tokens.html", form=form, tokens=rows, created=created, revoke_form=ButtonForm(), now=utcnow())


@bp.post("/account/tokens/<int:token_id>/revoke")
@access(*READERS)
def revoke_token(token_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_session()
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.add(token)
        db.commit()
        flash(_("Jeton révoqué."), "info")
    return redirect(url_for("auth.tokens"))
