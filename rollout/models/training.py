"""The cascade as delivered (`../shared/contracts/training.md`): training sessions, the trainers
a session trained, online course progress from M@gistère, dated Pix+ Édu certifications, and
the private calendar feeds of trainers.

Plans say who should train whom in which wave; these rows say what happened. Milestones and a
trainer's trained state follow from them when a programme records them (`rollout.training`).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, one_of, utcnow
from rollout.tracking.milestones import PIX_LEVELS

AUDIENCES = ("trainers", "leadership", "administrators", "teachers")
MODALITIES = ("face_to_face", "online", "hybrid")
SESSION_STATUSES = ("held", "cancelled")
COURSE_NAME_LENGTH = 200


class TrainingSession(SQLModel, table=True):
    """One row of the sessions file: a session a trainer delivered (or that was cancelled) to one
    audience, for one school; a session for several schools is one row per school, and a
    `trainers` session has no school. Its key is `reference` when the organiser gave one, else
    (held_on, trainer, audience, school), checked by the records' code since a NULL school
    defeats a unique index. `planned_wave` ties it to the adopted plan's entry it carries out.
    A trainer or school with sessions cannot be deleted: delivered training is never lost.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    held_on: date
    trainer_id: int = Field(foreign_key="trainer.id", ondelete="RESTRICT", index=True)
    audience: str = Field(max_length=16)
    school_id: int | None = Field(default=None, foreign_key="school.id", ondelete="RESTRICT", index=True)
    modality: str = Field(max_length=16)
    hours: float
    attendees: int
    status: str = Field(default="held", max_length=16)
    reference: str | None = Field(default=None, max_length=100)
    planned_wave: str | None = Field(default=None, max_length=32)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "reference"),
        sa.Index("ix_trainingsession_programme_id_held_on", "programme_id", "held_on"),
        one_of("audience", AUDIENCES),
        one_of("modality", MODALITIES),
        one_of("status", SESSION_STATUSES),
        check("hours_positive", "hours > 0"),
        check("attendees_not_negative", "attendees >= 0"),
        check("version_positive", "version >= 1"),
    )


class TrainingTrainee(SQLModel, table=True):
    """A trainer trained by a `trainers` session: trained from the session's date, if held."""

    session_id: int = Field(foreign_key="trainingsession.id", ondelete="CASCADE", primary_key=True)
    trainer_id: int = Field(foreign_key="trainer.id", ondelete="CASCADE", primary_key=True, index=True)


class CourseEnrolment(SQLModel, table=True):
    """A school's teachers in one M@gistère course, counted from the latest participants export:
    enrolled (all), in progress, completed. Counts only: no participant is ever stored."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE", index=True)
    course: str = Field(max_length=COURSE_NAME_LENGTH)
    enrolled: int = Field(default=0)
    in_progress: int = Field(default=0)
    completed: int = Field(default=0)
    exported_on: date

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "school_id", "course"),
        check("counts_not_negative", "enrolled >= 0 AND in_progress >= 0 AND completed >= 0"),
        check("counts_within_enrolled", "in_progress + completed <= enrolled"),
    )


class CourseCompletion(SQLModel, table=True):
    """Teachers of a school who completed a course in a month (`month` is its first day, which
    the import writes; SQLite and PostgreSQL share no expression to check it)."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE", index=True)
    course: str = Field(max_length=COURSE_NAME_LENGTH)
    month: date
    completed: int

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "school_id", "course", "month"),
        check("completed_positive", "completed > 0"),
    )


class PixCertificationRecord(SQLModel, table=True):
    """Teachers of a school certified Pix+ Édu at a level on a date. When a school has any, its
    `PixCertification` totals and its `pix_certified` milestone follow from them."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE")
    certified_on: date
    level: str = Field(max_length=16)
    certified: int

    __table_args__ = (
        sa.UniqueConstraint("school_id", "certified_on", "level"),
        one_of("level", PIX_LEVELS),
        check("certified_not_negative", "certified >= 0"),
    )


class TrainerFeed(SQLModel, table=True):
    """A trainer's private, revocable iCalendar feed of planned and recorded sessions.

    As for share links only the SHA-256 digest of the secret in the URL is stored; revoking is
    one-way. Never shown to stakeholders.
    """

    id: int | None = Field(default=None, primary_key=True)
    trainer_id: int = Field(foreign_key="trainer.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
