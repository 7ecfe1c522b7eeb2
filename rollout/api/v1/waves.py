"""Waves: `GET /api/v1/waves`, `GET /api/v1/waves/{code}`, `POST /api/v1/waves`,
`PATCH /api/v1/waves/{code}` (dates must follow the order of positions: 409 otherwise;
optimistic locking: send the `version` last read, 409 with `current_version` when someone
changed the wave since)."""

from __future__ import annotations

from flask import abort
from pydantic import BaseModel
from spectree import Response

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.v1.reference import ConflictBody, ProgrammeQuery, api_author, commit_change
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import single_programme_or_404
from rollout.db import get_session
from rollout.models.wave import WaveCreate, WavePublic, WaveUpdate
from rollout.waves.records import create_wave, programme_waves, update_wave, wave_or_none, wave_public


class WaveList(BaseModel):
    programme_id: int
    waves: list[WavePublic]


@api_v1.get("/waves")
@access(*READERS)
@spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=WaveList, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["waves"])
def list_waves(query: ProgrammeQuery) -> WaveList:
    programme = single_programme_or_404(query.programme)
    waves = programme_waves(get_session(), programme=programme).values()
    return WaveList(programme_id=programme.id, waves=[wave_public(wave) for wave in waves])


@api_v1.get("/waves/<code>")
@access(*READERS)
@spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=WavePublic, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["waves"])
def get_wave(code: str, query: ProgrammeQuery) -> WavePublic:
    wave = wave_or_none(get_session(), programme=single_programme_or_404(query.programme), code=code) or abort(404)
    return wave_public(wave)


@api_v1.post("/waves")
@access(*LEADERS)
@spec.validate(
    query=ProgrammeQuery, json=WaveCreate,
    resp=Response(HTTP_201=WavePublic, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody),
    tags=["waves"],
)
def post_wave(query: ProgrammeQuery, json: WaveCreate):
    programme = single_programme_or_404(query.programme)
    wave = commit_change(lambda: create_wave(get_session(), programme=programme, data=json, author=api_author()))
    return wave_public(wave), 201


@api_v1.patch("/waves/<code>")
@access(*LEADERS)
@spec.validate(
    query=ProgrammeQuery, json=WaveUpdate,
    resp=Response(HTTP_200=WavePublic, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody),
    tags=["waves"],
)
def patch_wave(code: str, query: ProgrammeQuery, json: WaveUpdate) -> WavePublic:
    programme = single_programme_or_404(query.programme)
    wave = wave_or_none(get_session(), programme=programme, code=code) or abort(404)
    commit_change(lambda: update_wave(get_session(), programme=programme, wave=wave, data=json, author=api_author()))
    return wave_public(wave)
