"""What every table shares: the constraint naming convention and UTC timestamps; and what every
update model shares: a field left out keeps its value, a field whose column always holds one
cannot be emptied.

The naming convention is set before any table is declared so that Alembic migrations name
constraints identically on SQLite and PostgreSQL and can later drop or alter them by name.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import ClassVar

import sqlalchemy as sa
from pydantic import GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from sqlmodel import SQLModel

from rollout.core.problems import InvalidValue

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



class RecordUpdate(SQLModel):
    """A change to a record: only the fields given change. The fields `never_null` names have
    columns that always hold a value: left out, they keep it; given as null (a form field
    emptied, `null` in the API) they are a required value missing, refused like one rather than
    failing in the database (a 500), and the API document does not offer null for them."""

    never_null: ClassVar[tuple[str, ...]] = ()

    @field_validator("*")
    @classmethod
    def _not_emptied(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name in cls.never_null:
            raise InvalidValue("required")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema)["properties"]
        for name in cls.never_null:
            branches = [branch for branch in properties[name].pop("anyOf") if branch != {"type": "null"}]
            properties[name].update(branches[0])
        return schema
