"""Accounts and API tokens: plain functions the CLI, the pages and the tests share.

Passwords are hashed with scrypt (werkzeug) and must be long and not among the passwords
people pick most; API tokens are random, expire, and are stored only as a SHA-256 digest, so a
database leak reveals neither. Every change to an account or a token is audited. None of these
functions commits: the caller does, once.
"""

from __future__ import annotations

import gzip
import secrets
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Iterable

from sqlmodel import Session, col, select
from werkzeug.security import generate_password_hash

from rollout.auth.events import record_event
from rollout.auth.sessions import end_sessions, secret_digest
from rollout.core.author import Author
from rollout.models import ROLES, ApiToken, District, User, UserDistrict, utcnow

MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "rlt_"
TOKEN_LIFETIMES = (30, 90, 365)  # days, offered on the tokens page
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
# What a refused password is told on the command line; the pages say it through
# `rollout.core.messages`, under the same codes.
WEAKNESSES = {
    "password_too_short": f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
    "password_too_common": "the password is among the most common ones: choose another",
}


class AccountError(ValueError):
    """An account request that cannot be honoured; the message says why, for the user."""


@cache
def common_passwords() -> frozenset[str]:
    """The shipped lists of common passwords, lower-cased (see rollout/auth/data/README.md).
    Read on first use rather than at import, which every CLI call and worker start would pay."""
    data = resources.files("rollout.auth") / "data"
    django = gzip.decompress(data.joinpath("common-passwords.txt.gz").read_bytes()).decode("utf-8")
    french = data.joinpath("french-common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in (django + "\n" + french).splitlines()) - {""}


def password_weakness(password: str) -> str | None:
    """Why `password` may not be chosen (a code of WEAKNESSES), or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short"
    if password.strip().lower() in common_passwords():
        return "password_too_common"
    return None


def hash_password(password: str) -> str:
    """A scrypt hash of `password`, refusing passwords the policy does not allow."""
    weakness = password_weakness(password)
    if weakness is not None:
        raise AccountError(WEAKNESSES[weakness])
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    """Emails are compared and stored lower-cased and stripped."""
    cleaned = email.strip().lower()
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or " " in cleaned:
        raise AccountError(f"{email!r} is not an email address")
    return cleaned


def user_by_email(session: Session, email: str) -> User:
    """The account with this email; AccountError when there is none."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise AccountError(f"no user with email {email}")
    return user


def accounts_with_districts(session: Session) -> list[tuple[User, list[str]]]:
    """Every account, by email, with the codes of the districts its role applies to."""
    users = session.exec(select(User).order_by(col(User.email))).all()
    links = session.exec(
        select(UserDistrict.user_id, District.code).join(District, col(District.id) == UserDistrict.district_id)
        .order_by(col(District.code))
    ).all()
    codes: dict[int, list[str]] = {}
    for user_id, code in links:
        codes.setdefault(user_id, []).append(code)
    return [(user, codes.get(user.id, [])) for user in users]


def create_user(
    session: Session, *, email: str, password: str, role: str, district_codes: Iterable[str] = (), display_name: str | None = None
) -> User:
    """Add a user with a role in some districts (admins need none). Does not commit."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    email = normalise_email(email)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise AccountError(f"a user with email {email} already exists")
    codes = list(dict.fromkeys(district_codes))
    districts = session.exec(select(District).where(col(District.code).in_(codes))).all()
    missing = sorted(set(codes) - {district.code for district in districts})
    if missing:
        raise AccountError(f"unknown district {', '.join(missing)}")
    if role != "admin" and not districts:
        raise AccountError(f"a {role} needs at least one district (--district CODE)")
    user = User(email=email, password_hash=hash_password(password), role=role, display_name=display_name)
    session.add(user)
    session.flush()
    for district in districts:
        session.add(UserDistrict(user_id=user.id, district_id=district.id))
    return user


def change_password(session: Session, *, user: User, password: str, author: Author, sparing: int | None = None) -> int:
    """Give `user` a new password and end their other sessions (all but `sparing`, the one the
    change is made from): whoever knew the old password is signed out. Returns how many
    sessions were ended. Does not commit."""
    user.password_hash = hash_password(password)
    session.add(user)
    ended = end_sessions(session, user_id=user.id, reason="password_change", sparing=sparing)
    record_event(session, author, entity="account", entity_id=user.id, action="password_change",
                 details={"sessions_ended": ended})
    return ended


def deactivate_user(session: Session, *, user: User, author: Author) -> None:
    """Stop `user` from signing in and end their sessions; their API tokens are refused while the
    account is inactive, and work again if it is reactivated (nothing is revoked behind anyone's
    back). An admin cannot deactivate themself: someone must be left to undo it. Does not commit."""
    if author.user_id == user.id:
        raise AccountError("you cannot deactivate your own account")
    if not user.active:
        return
    user.active = False
    session.add(user)
    ended = end_sessions(session, user_id=user.id, reason="deactivated")
    record_event(session, author, entity="account", entity_id=user.id, action="deactivate",
                 changes={"active": [True, False]}, details={"email": user.email, "sessions_ended": ended})


def activate_user(session: Session, *, user: User, author: Author) -> None:
    """Let a deactivated user sign in again (their unexpired, unrevoked tokens work again). Does not commit."""
    if user.active:
        return
    user.active = True
    session.add(user)
    record_event(session, author, entity="account", entity_id=user.id, action="activate",
                 changes={"active": [False, True]}, details={"email": user.email})


def create_token(session: Session, *, email: str, author: Author, name: str = "API", days: int = DEFAULT_TOKEN_DAYS) -> str:
    """Create an API token for a user, valid `days` days, and return the secret, which is never
    stored. Does not commit."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"a token lives from 1 to {MAX_TOKEN_DAYS} days")
    user = user_by_email(session, email)
    if not user.active:
        raise AccountError(f"user {user.email} is deactivated")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(user_id=user.id, name=name, token_hash=secret_digest(token), prefix=token[:10],
                         expires_at=utcnow() + timedelta(days=days))
    session.add(api_token)
    session.flush()
    record_event(session, author, entity="token", entity_id=api_token.id, action="token_create",
                 details={"user": user.email, "name": name, "expires_at": api_token.expires_at})
    return token


def revoke_token(session: Session, *, token: ApiToken, author: Author) -> bool:
    """Revoke a token; False when it already was. Does not commit."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.add(token)
    record_event(session, author, entity="token", entity_id=token.id, action="token_revoke", details={"name": token.name})
    return True
