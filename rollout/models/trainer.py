"""Trainers of the cascade: the vendor's, the académie's, and peer relays in schools."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import check, one_of

TIERS = ("vendor", "academic", "relay")


class Trainer(SQLModel, table=True):
    """A trainer. `capacity` is training sessions per wave, overridden per wave by TrainerCapacity.

    `all_basins` stands for the contract's `basins: null` (serves every basin); otherwise the
    basins served are the TrainerBasin rows, the one ranked 0 being the trainer's home basin.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    tier: str = Field(max_length=16)
    capacity: int = Field(default=0)
    trained: bool = Field(default=False)
    all_basins: bool = Field(default=False)
    email: str | None = Field(default=None, max_length=320)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code"),
        one_of("tier", TIERS),
        check("capacity_not_negative", "capacity >= 0"),
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
