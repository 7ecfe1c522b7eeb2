"""Sign in and out, the account page (password, open sessions) and the API tokens page."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from math import ceil
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlmodel import Session, col, select
from werkzeug.security import check_password_hash, generate_password_hash

from rollout.auth.access import READERS, access
from rollout.auth import accounts
from rollout.auth.accounts import AccountError, change_password, create_token, normalise_email
from rollout.auth.events import record_event
from rollout.auth.forms import LoginForm, PasswordForm, TokenForm
from rollout.auth.identity import SESSION_KEY, account_of, current_author, session_limits
from rollout.auth.scope import scoped_programmes
from rollout.auth.sessions import end_session, end_sessions, open_sessions, prune_sessions, start_session
from rollout.auth.throttle import record_attempt, wait_before_attempt
from rollout.core.author import Author
from rollout.core.forms import ButtonForm
from rollout.core.messages import message
from rollout.db import get_session
from rollout.models import ApiToken, User, UserSession, utcnow

bp = Blueprint("auth", __name__)


@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so that both cases take the same time; made on first
    use rather than at import, which every CLI call and worker start would pay for."""
    return generate_password_hash("no account has this password", method="scrypt")


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it is a path on this site, else `default` (the home page unless given): no
    open redirect."""
    fallback = default or url_for("home.index")
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def landing_page() -> str:
    """Where the signed-in user lands without a `next`: the programme overview when they see
    exactly one programme (most people work on one rollout), else the home page, which lists them."""
    programmes = get_session().exec(scoped_programmes().limit(2)).all()
    if len(programmes) == 1:
        return url_for("dashboards.overview", programme_id=programmes[0].id)
    return url_for("home.index")


def client_address() -> str:
    """The caller's address (the client's, behind a proxy: see ROLLOUT_BEHIND_PROXY)."""
    return request.remote_addr or "unknown"


def typed_email(typed: str) -> str:
    """The email as stored when it is one; otherwise what was typed, bounded, to count and audit it."""
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
        refuse_sign_in(db, email=email, ip=ip, user=user,
                       reason="unknown_email" if user is None else "wrong_password" if not valid else "deactivated")
        db.commit()
        flash(_("Adresse ou mot de passe incorrect."), "error")
        return render_template("auth/login.html", form=form), 401
    record, secret = open_session(db, user=user, ip=ip)
    db.commit()
    session.clear()  # a fresh session: nothing from before sign-in survives it
    login_user(account_of(user, session_id=record.id))
    session[SESSION_KEY] = secret
    session.permanent = True
    return redirect(safe_next(form.next.data, default=landing_page()))


def refuse_sign_in(db: Session, *, email: str, ip: str, user: User | None, reason: str) -> None:
    """Count a failed sign-in for throttling and audit it: the email tried, the address and why
    (unknown_email, wrong_password, deactivated), never the password. Does not commit."""
    record_attempt(db, email=email, ip=ip, succeeded=False)
    record_event(db, Author(actor=email, channel="form", user_id=user.id if user else None), entity="account",
                 entity_id=user.id if user else "unknown", action="sign_in_failed",
                 details={"email": email, "ip": ip, "reason": reason})


def open_session(db: Session, *, user: User, ip: str) -> tuple[UserSession, str]:
    """Record a successful sign-in (throttling, last sign-in, audit) and start its session;
    returns the session and the secret its cookie will carry. Does not commit."""
    record_attempt(db, email=user.email, ip=ip, succeeded=True)
    user.last_login_at = utcnow()
    db.add(user)
    record, secret = start_session(db, user=user, ip=ip, user_agent=request.user_agent.string)
    prune_sessions(db, limits=session_limits(), now=utcnow())
    record_event(db, Author(actor=user.email, channel="form", user_id=user.id), entity="account", entity_id=user.id,
                 action="sign_in", details={"ip": ip, "session": record.id})
    return record, secret


@bp.post("/logout")
@access(*READERS)
def logout():
    if not ButtonForm().validate_on_submit():
        abort(400)
    if current_user.session_id is not None:
        db = get_session()
        end_session(db, session_id=current_user.session_id, reason="sign_out")
        record_event(db, current_author("form"), entity="account", entity_id=current_user.id, action="sign_out",
                     details={"session": current_user.session_id})
        db.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


def account_page(form: FlaskForm, status: int = 200) -> tuple[str, int]:
    """The account page: the password form (`form`, with its problems) and the open sessions."""
    sessions = open_sessions(get_session(), user_id=current_user.id, limits=session_limits(), now=utcnow())
    return render_template("auth/account.html", form=form, sessions=sessions, end_all_form=ButtonForm(),
                           min_password_length=accounts.MIN_PASSWORD_LENGTH), status


@bp.get("/account")
@access(*READERS)
def account():
    return account_page(PasswordForm(formdata=None))


@bp.post("/account/password")
@access(*READERS)
def password():
    """Change one's password; every other session ends, so whoever knew the old one is out.
    Wrong current passwords count as failed sign-ins, so this form cannot be used to guess."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return account_page(form, 422)
    db = get_session()
    ip = client_address()
    wait = wait_before_attempt(db, email=current_user.email, ip=ip)
    if wait:
        form.current_password.errors.append(
            _("Trop de tentatives échouées. Réessayez dans %(delay)s.", delay=wait_text(wait)))
        return too_many_failures(account_page(form)[0], wait)
    user = db.get(User, current_user.id)
    if not check_password_hash(user.password_hash, form.current_password.data):
        record_attempt(db, email=user.email, ip=ip, succeeded=False)
        db.commit()
        form.current_password.errors.append(message("wrong_current_password", {}))
        return account_page(form, 422)
    change_password(db, user=user, password=form.new_password.data, author=current_author("form"),
                    sparing=current_user.session_id)
    db.commit()
    flash(_("Votre mot de passe est changé ; vos autres sessions sont fermées."), "info")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end")
@access(*READERS)
def sign_out_everywhere():
    """End every session of the user, this one included: for a session left open elsewhere."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    db = get_session()
    ended = end_sessions(db, user_id=current_user.id, reason="sign_out_all")
    record_event(db, current_author("form"), entity="account", entity_id=current_user.id, action="sign_out_all",
                 details={"sessions_ended": ended})
    db.commit()
    logout_user()
    session.clear()
    flash(_("Toutes vos sessions sont fermées."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@access(*READERS)
def tokens():
    """List the user's API tokens and create one; the secret is shown once, on this response."""
    db = get_session()
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        created = create_token(db, email=current_user.email, name=form.name.data.strip(), days=form.days.data,
                               author=current_author("form"))
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
    if accounts.revoke_token(db, token=token, author=current_author("form")):
        db.commit()
        flash(_("Jeton révoqué."), "info")
    return redirect(url_for("auth.tokens"))
