"""Waves: `GET /api/v1/waves`, `GET /api/v1/waves/{code}`, `POST /api/v1/waves`,
`PATCH /api/v1/waves/{code}` (dates must follow the order of positions: 409 otherwise;
optimistic locking: send the `version` last read, 409 with `current_version` when someone
changed the wave since)."""

from __future__ import annotations

from pydantic import BaseModel

from rollout.api.v1.coded_records import add_coded_records
from rollout.models.wave import WaveCreate, WavePublic, WaveUpdate
from rollout.waves.records import create_wave, programme_waves, update_wave, wave_or_none, wave_public


class WaveList(BaseModel):
    programme_id: int
    waves: list[WavePublic]


add_coded_records(
    "wave", "waves", listing=WaveList, public=WavePublic, create_model=WaveCreate, update_model=WaveUpdate,
    records=lambda db, programme: programme_waves(db, programme=programme).values(),
    find=wave_or_none, create=create_wave, update=update_wave, publish=lambda _db, wave: wave_public(wave),
)
