"""The product's tables. Importing this package registers every table on SQLModel.metadata."""

from rollout.models.account import ROLES, SESSION_END_REASONS, ApiToken, LoginAttempt, User, UserDistrict, UserSession
from rollout.models.audit import AuditEvent
from rollout.models.base import utcnow
from rollout.models.organisation import District, Programme
from rollout.models.plan import Plan
from rollout.models.progress import (
    MILESTONE_KINDS,
    MILESTONE_STATUSES,
    PIX_LEVELS,
    Milestone,
    PixCertification,
)
from rollout.models.scenario import Scenario
from rollout.models.school import PRIORITIES, Basin, School, SchoolCreate, SchoolPublic
from rollout.models.sharing import ShareLink
from rollout.models.training import (
    AUDIENCES,
    MODALITIES,
    SESSION_STATUSES,
    CourseCompletion,
    CourseEnrolment,
    PixCertificationRecord,
    TrainerFeed,
    TrainingSession,
    TrainingTrainee,
)
from rollout.models.trainer import TIERS, Trainer, TrainerBasin, TrainerCapacity
from rollout.models.imports import IMPORT_KINDS, ImportBatch, SavedPreview
from rollout.models.usage import ADMINISTRATIVE, CATEGORIES, PEDAGOGICAL, SchoolMonth, ServiceCategory, UsageMonth, UsageRecord
from rollout.models.wave import Wave

__all__ = [
    "ADMINISTRATIVE", "AUDIENCES", "ApiToken", "CourseCompletion", "CourseEnrolment", "MODALITIES", "PixCertificationRecord",
    "SESSION_STATUSES", "TrainerFeed", "TrainingSession", "TrainingTrainee", "AuditEvent", "LoginAttempt", "Basin", "CATEGORIES", "District", "IMPORT_KINDS", "ImportBatch",
    "MILESTONE_KINDS", "MILESTONE_STATUSES", "Milestone", "PEDAGOGICAL", "PIX_LEVELS", "PRIORITIES",
    "PixCertification", "Plan", "Programme", "ROLES", "SavedPreview", "Scenario", "School", "SchoolCreate", "SchoolMonth", "SchoolPublic",
    "SESSION_END_REASONS", "ServiceCategory", "ShareLink", "TIERS", "Trainer", "TrainerBasin", "TrainerCapacity", "UsageMonth", "UsageRecord",
    "User", "UserDistrict", "UserSession", "Wave", "utcnow",
]


def _ids_never_reused() -> None:
    """AUTOINCREMENT on SQLite for every table with an `id` the audit trail may name (migration
    0007): without it SQLite reuses a deleted row's id, and the new row inherits its history.
    Usage rows are never named by the audit trail, and AUTOINCREMENT would slow their bulk
    inserts."""
    from sqlmodel import SQLModel

    for table in SQLModel.metadata.tables.values():
        if table.name != "usagerecord" and [column.name for column in table.primary_key] == ["id"]:
            table.dialect_kwargs["sqlite_autoincrement"] = True


_ids_never_reused()
