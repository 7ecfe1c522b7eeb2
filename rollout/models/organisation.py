"""Who runs a rollout: a district (e.g. département 093) and its programmes.

A programme is one platform rollout. It carries the cascade's parameters and the planner's
priority weights because they are decisions of the district leaders for that rollout.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, utcnow



class District(SQLModel, table=True):
    """The organisation that runs rollouts and whose data users are scoped to."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (check("code_not_blank", "length(code) > 0"),)


class Programme(SQLModel, table=True):
    """One platform rollout of a district, with its cascade parameters."""

    id: int | None = Field(default=None, primary_key=True)
    district_id: int = Field(foreign_key="district.id", ondelete="RESTRICT")
    name: str = Field(max_length=200)
    platform: str = Field(max_length=200)
    previous_platform: str | None = Field(default=None, max_length=200)
    start_date: date
    simulated: bool = Field(
        default=False,
        description="True for demo programmes whose progress and usage are simulated.",
    )
    teachers_per_session: int = Field(default=15)
    trainers_per_session: int = Field(default=8)
    schools_per_leadership_session: int = Field(default=6)
    trainer_lag: int = Field(default=1)
    weight_none: float = Field(default=1.0)
    weight_rep: float = Field(default=1.0)
    weight_rep_plus: float = Field(default=1.0)
    # Optimistic locking: an edit based on an older version is refused, not applied over.
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("district_id", "name"),
        check("teachers_per_session_positive", "teachers_per_session >= 1"),
        check("trainers_per_session_positive", "trainers_per_session >= 1"),
        check("leadership_session_positive", "schools_per_leadership_session >= 1"),
        check("trainer_lag_not_negative", "trainer_lag >= 0"),
        check("weights_positive", "weight_none > 0 AND weight_rep > 0 AND weight_rep_plus > 0"),
        check("version_positive", "version >= 1"),
    )
