"""Build a `rollout-scenario/1` document from a programme stored in the database."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from planner.scenario import starts_trained
from rollout.models import Basin, Programme, School, Trainer, TrainerBasin, TrainerCapacity, Wave

PLANNED_TIERS = ("vendor", "academic")


class ScenarioDataError(ValueError):
    """The stored programme cannot be expressed as a scenario (e.g. no wave after a school's
    equipment date); the message names the school or wave."""


def build_scenario(session: Session, programme: Programme, *, name: str | None = None) -> dict[str, Any]:
    """The programme's schools, waves, trainers and cascade as the planner's input.

    A school's earliest wave is the first wave starting on or after its equipment-ready date.
    Relay trainers (peer ambassadors inside schools) are not part of the planned cascade.
    """
    waves = session.exec(
        select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))
    ).all()
    if not waves:
        raise ScenarioDataError(f"programme {programme.name!r} has no wave")
    wave_codes = {wave.id: wave.code for wave in waves}
    basins = {
        basin.id: basin.code
        for basin in session.exec(select(Basin).where(Basin.programme_id == programme.id))
    }
    schools = session.exec(
        select(School).where(School.programme_id == programme.id).order_by(col(School.uai))
    ).all()
    trainers = session.exec(
        select(Trainer)
        .where(Trainer.programme_id == programme.id, col(Trainer.tier).in_(PLANNED_TIERS))
        .order_by(col(Trainer.code))
    ).all()
    trainer_ids = [trainer.id for trainer in trainers]
    served: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for link in session.exec(select(TrainerBasin).where(col(TrainerBasin.trainer_id).in_(trainer_ids))):
        served[link.trainer_id].append((link.rank, basins[link.basin_id]))
    overrides: dict[int, dict[str, int]] = defaultdict(dict)
    for row in session.exec(select(TrainerCapacity).where(col(TrainerCapacity.trainer_id).in_(trainer_ids))):
        overrides[row.trainer_id][wave_codes[row.wave_id]] = row.capacity

    return {
        "format": "rollout-scenario/1",
        "name": name or programme.name,
        "waves": [
            {
                "id": wave.code,
                "label": wave.label,
                "start": wave.start_date.isoformat(),
                "end": wave.end_date.isoformat(),
                "max_schools": wave.max_schools,
                "max_pupils": wave.max_pupils,
            }
            for wave in waves
        ],
        "schools": [
            {
                "uai": school.uai,
                "name": school.name,
                "basin": basins[school.basin_id],
                "pupils": school.pupils,
                "teachers": school.teachers,
                "priority": school.priority,
                "earliest_wave": _earliest_wave(school, waves),
                "latest_wave": wave_codes.get(school.latest_wave_id) if school.latest_wave_id else None,
                "pinned_wave": wave_codes.get(school.pinned_wave_id) if school.pinned_wave_id else None,
                "latitude": school.latitude,
                "longitude": school.longitude,
            }
            for school in schools
        ],
        "trainers": [
            {
                "id": trainer.code,
                "name": trainer.name,
                "tier": trainer.tier,
                "basins": None if trainer.all_basins else [code for _, code in sorted(served[trainer.id])],
                "capacity": trainer.capacity,
                "capacity_by_wave": overrides[trainer.id],
                "trained": starts_trained(trainer.tier, trainer.trained),
            }
            for trainer in trainers
        ],
        "cascade": {
            "teachers_per_session": programme.teachers_per_session,
            "trainers_per_session": programme.trainers_per_session,
            "schools_per_leadership_session": programme.schools_per_leadership_session,
            "trainer_lag": programme.trainer_lag,
        },
        "objective": {
            "priority_weights": {
                "none": programme.weight_none,
                "REP": programme.weight_rep,
                "REP+": programme.weight_rep_plus,
            }
        },
    }


def _earliest_wave(school: School, waves: list[Wave]) -> str | None:
    if school.equipment_ready_on is None or school.equipment_ready_on <= waves[0].start_date:
        return None
    for wave in waves:
        if wave.start_date >= school.equipment_ready_on:
            return wave.code
    raise ScenarioDataError(
        f"school {school.uai}: equipment ready on {school.equipment_ready_on.isoformat()}, "
        f"after the last wave ({waves[-1].code}) starts"
    )
