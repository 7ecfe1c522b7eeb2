"""Creating accounts and API tokens: plain functions the CLI, the pages and the tests share.

Passwords are hashed with scrypt (werkzeug); API tokens are random and stored only as a SHA-256
digest, so a database leak reveals neither.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Iterable

from sqlmodel import Session, col, select
from werkzeug.security import generate_password_hash

from rollout.models import ROLES, ApiToken, District, User, UserDistrict

MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "rlt_"


class AccountError(ValueError):
    """An account request that cannot be honoured; the message says why, for the user."""


def hash_password(password: str) -> str:
    """A scrypt hash of `password`, refusing passwords shorter than the policy allows."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    """Emails are compared and stored lower-cased and stripped."""
    cleaned = email.strip().lower()
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or " " in cleaned:
        raise AccountError(f"{email!r} is not an email address")
    return cleaned


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


def token_digest(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, email: str, name: str = "API") -> str:
    """Create an API token for a user and return the secret, which is never stored. Does not commit."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise AccountError(f"no user with email {email}")
    if not user.active:
        raise AccountError(f"user {user.email} is deactivated")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=token_digest(token), prefix=token[:10]))
    return token
