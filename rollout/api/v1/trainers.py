"""Trainers: `GET /api/v1/trainers`, `GET /api/v1/trainers/{code}`, `POST /api/v1/trainers`,
`PATCH /api/v1/trainers/{code}` (basins by code, home basin first; null = every basin;
optimistic locking: send the `version` last read, 409 with `current_version` when someone
changed the trainer since)."""

from __future__ import annotations

from pydantic import BaseModel

from rollout.api.v1.coded_records import add_coded_records
from rollout.models.trainer import TrainerCreate, TrainerPublic, TrainerUpdate
from rollout.trainers.records import create_trainer, programme_trainers, trainer_or_none, trainer_public, update_trainer


class TrainerList(BaseModel):
    programme_id: int
    trainers: list[TrainerPublic]


add_coded_records(
    "trainer", "trainers", listing=TrainerList, public=TrainerPublic, create_model=TrainerCreate, update_model=TrainerUpdate,
    records=lambda db, programme: programme_trainers(db, programme=programme),
    find=trainer_or_none, create=create_trainer, update=update_trainer, publish=trainer_public,
)
