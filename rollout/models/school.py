"""Schools and the basins that group them (the unit trainers are assigned to)."""

from __future__ import annotations

from datetime import date
from typing import Literal

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from planner.uai import CHECK_LETTERS, UAIError, normalise_uai
from rollout.core.problems import uai_refusal
from rollout.models.base import INT32_MAX, RecordUpdate, check, one_of

PRIORITIES = ("none", "REP", "REP+")
Priority = Literal["none", "REP", "REP+"]


class Basin(SQLModel, table=True):
    """A group of neighbouring communes whose schools share trainers."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)

    __table_args__ = (sa.UniqueConstraint("programme_id", "code"),)


class SchoolBase(SQLModel):
    """Fields a user gives for a school; validated here, not on the table model."""

    uai: str = Field(max_length=8)
    name: str = Field(min_length=1, max_length=300)
    commune: str = Field(max_length=200)
    commune_code: str | None = Field(default=None, max_length=5)
    pupils: int = Field(ge=0, le=INT32_MAX)
    teachers: int = Field(ge=1, le=INT32_MAX)
    priority: str = Field(default="none", max_length=8)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    equipment_ready_on: date | None = Field(
        default=None,
        description="When the local authority's devices and network are ready; "
        "the school cannot go live in a wave that starts earlier.",
    )
    previous_platform: str | None = Field(default=None, max_length=200)
    head_teacher_name: str | None = Field(default=None, max_length=200)
    head_teacher_email: str | None = Field(default=None, max_length=320)


class School(SchoolBase, table=True):
    """A school of a programme. `version` supports optimistic locking of concurrent edits."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    basin_id: int = Field(foreign_key="basin.id", ondelete="RESTRICT", index=True)
    pinned_wave_id: int | None = Field(default=None, foreign_key="wave.id", ondelete="RESTRICT")
    latest_wave_id: int | None = Field(default=None, foreign_key="wave.id", ondelete="RESTRICT")
    version: int = Field(default=1)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "uai"),
        check(
            "uai_check_letter",
            "length(uai) = 8 AND substr(uai, 8, 1) = "
            f"substr('{CHECK_LETTERS}', (CAST(substr(uai, 1, 7) AS INTEGER) % 23) + 1, 1)",
        ),
        check("pupils_not_negative", "pupils >= 0"),
        check("teachers_positive", "teachers >= 1"),
        one_of("priority", PRIORITIES),
        check("latitude_range", "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)"),
        check("longitude_range", "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)"),
        check("version_positive", "version >= 1"),
    )


class SchoolCreate(SchoolBase):
    """A school as submitted by a form, an import or the API: the UAI is normalised and checked.

    `basin`, `pinned_wave` and `latest_wave` are codes of the programme's basins and waves.
    """

    priority: Priority = "none"
    basin: str = Field(min_length=1, max_length=32)
    pinned_wave: str | None = Field(default=None, max_length=32, description="Wave the school must go live in.")
    latest_wave: str | None = Field(default=None, max_length=32, description="Latest wave the school may go live in.")

    @field_validator("uai", mode="before")
    @classmethod
    def _valid_uai(cls, value: str) -> str:
        try:
            return normalise_uai(value)
        except UAIError:
            raise uai_refusal(value.strip().upper() if isinstance(value, str) else value) from None


class SchoolUpdate(RecordUpdate):
    """A change to a school: only the fields given change. `version` is the version the change
    was based on; if the school changed since, the edit is refused instead of overwriting."""

    never_null = ("name", "commune", "pupils", "teachers", "priority", "basin")

    version: int = Field(ge=1, le=INT32_MAX)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    commune: str | None = Field(default=None, max_length=200)
    commune_code: str | None = Field(default=None, max_length=5)
    pupils: int | None = Field(default=None, ge=0, le=INT32_MAX)
    teachers: int | None = Field(default=None, ge=1, le=INT32_MAX)
    priority: Priority | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    equipment_ready_on: date | None = None
    previous_platform: str | None = Field(default=None, max_length=200)
    head_teacher_name: str | None = Field(default=None, max_length=200)
    head_teacher_email: str | None = Field(default=None, max_length=320)
    basin: str | None = Field(default=None, min_length=1, max_length=32)
    pinned_wave: str | None = Field(default=None, max_length=32)
    latest_wave: str | None = Field(default=None, max_length=32)


class SchoolPublic(SchoolBase):
    """A school as the API returns it."""

    programme_id: int
    basin: str
    pinned_wave: str | None = None
    latest_wave: str | None = None
    version: int


class BasinCreate(SQLModel):
    """A basin as a district leader names it."""

    code: str = Field(min_length=1, max_length=32, schema_extra={"pattern": r"^\S+$"})
    name: str = Field(min_length=1, max_length=200)


class BasinUpdate(SQLModel):
    """A basin renamed (its code is its identity in imports and plans)."""

    name: str = Field(min_length=1, max_length=200)
