"""Fixtures the application's tests share beyond the project-wide ones (tests/conftest.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from rollout.models import (
    AuditEvent,
    Basin,
    ImportBatch,
    Milestone,
    PixCertification,
    Plan,
    SavedPreview,
    School,
    ServiceCategory,
    Trainer,
    TrainerBasin,
    UsageRecord,
    Wave,
)

RECORDS = (School, Basin, Wave, Trainer, TrainerBasin, Milestone, PixCertification, UsageRecord, ServiceCategory, Plan,
           AuditEvent, ImportBatch, SavedPreview)
"""The tables a change or an import writes (sign-in's own tables apart, which a request may use)."""


@pytest.fixture
def stored(engine: sa.Engine):
    """`stored()` → how many rows each table of records holds: a refused request leaves it as it was."""

    def count() -> dict[str, int]:
        with Session(engine) as session:
            return {model.__name__: session.exec(select(func.count()).select_from(model)).one() for model in RECORDS}

    return count
