"""The product's tables. Importing this package registers every table on SQLModel.metadata."""

from rollout.models.account import ROLES, ApiToken, LoginAttempt, User, UserDistrict
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
from rollout.models.school import PRIORITIES, Basin, School, SchoolCreate, SchoolPublic
from rollout.models.trainer import TIERS, Trainer, TrainerBasin, TrainerCapacity
from rollout.models.imports import IMPORT_KINDS, ImportBatch, SavedPreview
from rollout.models.usage import CATEGORIES, ServiceCategory, UsageRecord
from rollout.models.wave import Wave

__all__ = [
    "ApiToken", "AuditEvent", "LoginAttempt", "Basin", "CATEGORIES", "District", "IMPORT_KINDS", "ImportBatch",
    "MILESTONE_KINDS", "MILESTONE_STATUSES", "Milestone", "PIX_LEVELS", "PRIORITIES",
    "PixCertification", "Plan", "Programme", "ROLES", "SavedPreview", "School", "SchoolCreate", "SchoolPublic",
    "ServiceCategory", "TIERS", "Trainer", "TrainerBasin", "TrainerCapacity", "UsageRecord",
    "User", "UserDistrict", "Wave", "utcnow",
]
