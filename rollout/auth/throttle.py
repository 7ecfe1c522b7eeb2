"""Login throttling that slows a guesser down without letting a stranger lock anyone out.

Refusing an account after a few failures would let anyone keep it locked by sending a wrong
password every few minutes. So failures are counted per (account, address) pair: after a few,
that pair waits a delay that doubles with each further failure, up to a cap, before its next
attempt is even checked, while the account's owner, from another address, signs in as usual.
An address trying many accounts slows down too, after many more failures than a pair: a
school's whole network often reaches the internet through one address.

Attempts are stored in the database, so throttling holds across workers and app hosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from rollout.models import LoginAttempt, utcnow


@dataclass(frozen=True)
class Backoff:
    """After `free_failures`, wait `first_delay` after the last failure, twice as long after
    each further one, at most `max_delay`."""

    free_failures: int
    first_delay: timedelta
    max_delay: timedelta

    def wait(self, failures: int, last_failure: datetime | None, now: datetime) -> timedelta:
        """How long is still to wait at `now`, given the failures counted; zero when none."""
        if failures < self.free_failures or last_failure is None:
            return timedelta(0)
        doublings = min(failures - self.free_failures, 20)  # the cap is reached long before
        delay = min(self.first_delay * 2**doublings, self.max_delay)
        return max(last_failure + delay - now, timedelta(0))


PAIR = Backoff(free_failures=3, first_delay=timedelta(seconds=30), max_delay=timedelta(minutes=15))
ADDRESS = Backoff(free_failures=30, first_delay=timedelta(seconds=30), max_delay=timedelta(minutes=15))
PAIR_MEMORY = timedelta(hours=24)  # a pair's failures count until its next success, or this long
ADDRESS_WINDOW = timedelta(hours=1)  # an address's failures, over all accounts, count this long


def wait_before_attempt(session: Session, *, email: str, ip: str, now: datetime | None = None) -> timedelta:
    """How long this account and address must still wait before an attempt is checked; zero
    when it may be checked now."""
    now = now or utcnow()
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.succeeded)
    ).one()
    since = now - PAIR_MEMORY if last_success is None else max(last_success, now - PAIR_MEMORY)
    pair = _failures(session, since, LoginAttempt.email == email, LoginAttempt.ip == ip)
    address = _failures(session, now - ADDRESS_WINDOW, LoginAttempt.ip == ip)
    return max(PAIR.wait(*pair, now), ADDRESS.wait(*address, now))


def _failures(session: Session, since: datetime, *conditions: sa.ColumnElement[bool]) -> tuple[int, datetime | None]:
    """How many failed attempts matching `conditions` were made after `since`, and the last one's time."""
    count, last = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.at > since, ~LoginAttempt.succeeded, *conditions)
    ).one()
    return count, last


def record_attempt(session: Session, *, email: str, ip: str, succeeded: bool) -> None:
    """Remember an attempt that was checked (does not commit); attempts too old to count are
    deleted as new ones come."""
    session.add(LoginAttempt(email=email, ip=ip, succeeded=succeeded))
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - PAIR_MEMORY))
