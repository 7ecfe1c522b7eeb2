"""What every table shares: the constraint naming convention and UTC timestamps.

The naming convention is set before any table is declared so that Alembic migrations name
constraints identically on SQLite and PostgreSQL and can later drop or alter them by name.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


INT32_MAX = 2**31 - 1  # the largest INTEGER both databases store; bounds API inputs


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC (audit and timestamps are always UTC)."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones and returns naive values; normalising here means the rest of the
    code can compare and display instants without caring which database is underneath.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store instants timezone-aware in UTC")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def check(name: str, condition: str) -> sa.CheckConstraint:
    """A named CHECK constraint (the convention prefixes it with the table name)."""
    return sa.CheckConstraint(condition, name=name)


def one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    """A CHECK constraint restricting a text column to a closed vocabulary."""
    listed = ", ".join(f"'{value}'" for value in values)
    return check(f"{column}_valid", f"{column} IN ({listed})")
