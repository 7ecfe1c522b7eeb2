"""Trainers of the cascade: the vendor's, the académie's, and peer relays in schools."""

from __future__ import annotations

import sqlalchemy as sa
from typing import Annotated, Literal

from pydantic import Field as PydanticField
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from rollout.core.problems import InvalidValue
from rollout.models.base import INT32_MAX, RecordUpdate, check, one_of

TIERS = ("vendor", "academic", "relay")


class Trainer(SQLModel, table=True):
    """A trainer. `capacity` is training sessions per wave, overridden per wave by TrainerCapacity.

    `all_basins` stands for the contract's `basins: null` (serves every basin); otherwise the
    basins served are the TrainerBasin rows, the one ranked 0 being the trainer's home basin.
    `version` supports optimistic locking of concurrent edits.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    tier: str = Field(max_length=16)
    capacity: int = Field(default=0)
    trained: bool = Field(default=False)
    all_basins: bool = Field(default=False)
    email: str | None = Field(default=None, max_length=320)
    version: int = Field(default=1)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code"),
        one_of("tier", TIERS),
        check("capacity_not_negative", "capacity >= 0"),
        check("version_positive", "version >= 1"),
    )


class TrainerBasin(SQLModel, table=True):
    """A basin a trainer serves; rank 0 is the home basin, preferred by the planner."""

    trainer_id: int = Field(foreign_key="trainer.id", ondelete="CASCADE", primary_key=True)
    basin_id: int = Field(foreign_key="basin.id", ondelete="CASCADE", primary_key=True)
    rank: int = Field(default=0)

    __table_args__ = (
        sa.UniqueConstraint("trainer_id", "rank"),
        check("rank_not_negative", "rank >= 0"),
    )


class TrainerCapacity(SQLModel, table=True):
    """A trainer's capacity in one wave when it differs from the usual (0 = unavailable)."""

    trainer_id: int = Field(foreign_key="trainer.id", ondelete="CASCADE", primary_key=True)
    wave_id: int = Field(foreign_key="wave.id", ondelete="CASCADE", primary_key=True)
    capacity: int

    __table_args__ = (check("capacity_not_negative", "capacity >= 0"),)


def _distinct_basins(value: list[str] | None) -> list[str] | None:
    if value is not None:
        if not value:
            raise InvalidValue("basins_expected")
        repeated = sorted({code for code in value if value.count(code) > 1})
        if repeated:
            raise InvalidValue("basin_repeated", basin=repeated[0])
    return value


Sessions = Annotated[int, PydanticField(ge=0, le=INT32_MAX)]
Tier = Literal["vendor", "academic", "relay"]
BASINS_DESCRIPTION = "Basin codes served, home basin first; null = every basin."


class TrainerFields(SQLModel):
    """Fields a user gives for a trainer; validated here, not on the table model.

    `basins` lists the codes of the basins served, home basin first (rank 0); None means every
    basin. `capacities` overrides `capacity` in the waves named (wave code → sessions, 0 =
    unavailable).
    """

    name: str = Field(min_length=1, max_length=200)
    tier: Tier
    capacity: int = Field(default=0, ge=0, le=INT32_MAX, description="Training sessions per wave.")
    trained: bool = False
    email: str | None = Field(default=None, max_length=320)
    basins: list[str] | None = Field(default=None, min_length=1, description=BASINS_DESCRIPTION, schema_extra={"json_schema_extra": {"uniqueItems": True}})
    capacities: dict[str, Sessions] = Field(default_factory=dict, description="Capacity in given waves (wave code → sessions).")

    _basins = field_validator("basins")(_distinct_basins)


class TrainerCreate(TrainerFields):
    """A new trainer; its code is unique in the programme."""

    code: str = Field(min_length=1, max_length=32, schema_extra={"pattern": r"^\S+$"})


class TrainerUpdate(RecordUpdate):
    """A change to a trainer: only the fields given change. `version` is the version the change
    was based on; if the trainer changed since, the edit is refused instead of overwriting."""

    never_null = ("name", "tier", "capacity", "trained")

    version: int = Field(ge=1, le=INT32_MAX)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    tier: Tier | None = None
    capacity: int | None = Field(default=None, ge=0, le=INT32_MAX)
    trained: bool | None = None
    email: str | None = Field(default=None, max_length=320)
    basins: list[str] | None = Field(default=None, min_length=1, description=BASINS_DESCRIPTION, schema_extra={"json_schema_extra": {"uniqueItems": True}})
    capacities: dict[str, Sessions] | None = None

    _basins = field_validator("basins")(_distinct_basins)


class TrainerPublic(TrainerFields):
    """A trainer as the API returns it."""

    code: str
    programme_id: int
    version: int
