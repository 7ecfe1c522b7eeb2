"""Who runs a rollout: a district (e.g. département 093) and its programmes.

A programme is one platform rollout. It carries the cascade's parameters and the planner's
priority weights because they are decisions of the district leaders for that rollout.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from rollout.core.problems import InvalidValue
from rollout.models.base import INT32_MAX, RecordUpdate, UTCDateTime, check, utcnow



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


# What a district leader decides for a programme, as forms, the API and the command line take it.
SETTINGS = ("teachers_per_session", "trainers_per_session", "schools_per_leadership_session", "trainer_lag",
            "weight_rep_plus", "weight_rep", "weight_none")
PROGRAMME_FIELDS = ("name", "platform", "previous_platform", "start_date", *SETTINGS)
MAX_WEIGHT = 100.0
"""A priority weight 100 times another already makes the other priorities count for nothing;
beyond, the planner's integer coefficients would only lose precision."""


def _stripped(value: object) -> object:
    """Text as people mean it: surrounding spaces dropped, so that `ENT ` and `ENT` are one name
    (and a blank optional text is no text)."""
    return value.strip() if isinstance(value, str) else value


class ProgrammeCreate(SQLModel):
    """A new programme of one of the caller's districts: its name is unique in the district; its
    cascade settings and priority weights are those of `rollout-scenario/1` (docs/programmes.md)."""

    district: str | None = Field(default=None, max_length=16,
                                 description="Code of one of the caller's districts; may be left out by a member of only one.")
    name: str = Field(min_length=1, max_length=200)
    platform: str = Field(min_length=1, max_length=200, description="The ENT being rolled out.")
    previous_platform: str | None = Field(default=None, max_length=200, description="The ENT it replaces, if any.")
    start_date: date
    teachers_per_session: int = Field(default=15, ge=1, le=INT32_MAX, description="Teachers trained in one session.")
    trainers_per_session: int = Field(default=8, ge=1, le=INT32_MAX, description="Trainers trained in one vendor session.")
    schools_per_leadership_session: int = Field(default=6, ge=1, le=INT32_MAX,
                                                description="Schools whose leadership teams share one session.")
    trainer_lag: int = Field(default=1, ge=0, le=INT32_MAX,
                             description="Waves between a trainer's own training and their first session.")
    weight_rep_plus: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, schema_extra={"allow_inf_nan": False},
                                   description="Priority weight of REP+ schools in the planner's objective.")
    weight_rep: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, schema_extra={"allow_inf_nan": False},
                              description="Priority weight of REP schools.")
    weight_none: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, schema_extra={"allow_inf_nan": False},
                               description="Priority weight of the other schools.")

    @field_validator("name", "platform", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return _stripped(value)

    @field_validator("district", "previous_platform", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return _stripped(value) or None

    @field_validator("start_date", *SETTINGS, mode="before")
    @classmethod
    def _given(cls, value: object) -> object:
        """A date or setting sent empty is a value missing (not the default taken silently)."""
        if value is None:
            raise InvalidValue("required")
        return value


class ProgrammeUpdate(RecordUpdate):
    """A change to a programme's name, dates or settings: only the fields given change. `version`
    is the version the change was based on; if the programme changed since, the edit is refused
    instead of overwriting. Its district never changes."""

    never_null = ("name", "platform", "start_date", *SETTINGS)

    version: int = Field(ge=1, le=INT32_MAX)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    platform: str | None = Field(default=None, min_length=1, max_length=200)
    previous_platform: str | None = Field(default=None, max_length=200)
    start_date: date | None = None
    teachers_per_session: int | None = Field(default=None, ge=1, le=INT32_MAX)
    trainers_per_session: int | None = Field(default=None, ge=1, le=INT32_MAX)
    schools_per_leadership_session: int | None = Field(default=None, ge=1, le=INT32_MAX)
    trainer_lag: int | None = Field(default=None, ge=0, le=INT32_MAX)
    weight_rep_plus: float | None = Field(default=None, gt=0, le=MAX_WEIGHT, schema_extra={"allow_inf_nan": False})
    weight_rep: float | None = Field(default=None, gt=0, le=MAX_WEIGHT, schema_extra={"allow_inf_nan": False})
    weight_none: float | None = Field(default=None, gt=0, le=MAX_WEIGHT, schema_extra={"allow_inf_nan": False})

    @field_validator("name", "platform", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return _stripped(value)

    @field_validator("previous_platform", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return _stripped(value) or None


class ProgrammePublic(SQLModel):
    """A programme as the API returns it."""

    id: int
    district: str
    name: str
    platform: str
    previous_platform: str | None
    start_date: date
    simulated: bool
    teachers_per_session: int
    trainers_per_session: int
    schools_per_leadership_session: int
    trainer_lag: int
    weight_rep_plus: float
    weight_rep: float
    weight_none: float
    version: int
