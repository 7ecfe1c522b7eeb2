"""Trainers: `GET /api/v1/trainers`, `GET /api/v1/trainers/{code}`, `POST /api/v1/trainers`,
`PATCH /api/v1/trainers/{code}` (basins by code, home basin first; null = every basin;
optimistic locking: send the `version` last read, 409 with `current_version` when someone
changed the trainer since)."""

from __future__ import annotations

from flask import abort
from pydantic import BaseModel
from spectree import Response

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.v1.reference import ConflictBody, ProgrammeQuery, api_author, commit_change
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import single_programme_or_404
from rollout.db import get_session
from rollout.models.trainer import TrainerCreate, TrainerPublic, TrainerUpdate
from rollout.trainers.records import create_trainer, programme_trainers, trainer_or_none, trainer_public, update_trainer


class TrainerList(BaseModel):
    programme_id: int
    trainers: list[TrainerPublic]


@api_v1.get("/trainers")
@access(*READERS)
@spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=TrainerList, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["trainers"])
def list_trainers(query: ProgrammeQuery) -> TrainerList:
    db = get_session()
    programme = single_programme_or_404(query.programme)
    return TrainerList(programme_id=programme.id,
                       trainers=[trainer_public(db, trainer) for trainer in programme_trainers(db, programme=programme)])


@api_v1.get("/trainers/<code>")
@access(*READERS)
@spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=TrainerPublic, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["trainers"])
def get_trainer(code: str, query: ProgrammeQuery) -> TrainerPublic:
    db = get_session()
    trainer = trainer_or_none(db, programme=single_programme_or_404(query.programme), code=code) or abort(404)
    return trainer_public(db, trainer)


@api_v1.post("/trainers")
@access(*LEADERS)
@spec.validate(
    query=ProgrammeQuery, json=TrainerCreate,
    resp=Response(HTTP_201=TrainerPublic, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody),
    tags=["trainers"],
)
def post_trainer(query: ProgrammeQuery, json: TrainerCreate):
    db = get_session()
    programme = single_programme_or_404(query.programme)
    trainer = commit_change(lambda: create_trainer(db, programme=programme, data=json, author=api_author()))
    return trainer_public(db, trainer), 201


@api_v1.patch("/trainers/<code>")
@access(*LEADERS)
@spec.validate(
    query=ProgrammeQuery, json=TrainerUpdate,
    resp=Response(HTTP_200=TrainerPublic, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody),
    tags=["trainers"],
)
def patch_trainer(code: str, query: ProgrammeQuery, json: TrainerUpdate) -> TrainerPublic:
    db = get_session()
    programme = single_programme_or_404(query.programme)
    trainer = trainer_or_none(db, programme=programme, code=code) or abort(404)
    commit_change(lambda: update_trainer(db, programme=programme, trainer=trainer, data=json, author=api_author()))
    return trainer_public(db, trainer)
