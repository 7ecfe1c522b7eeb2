"""Trainers of a programme: the basins they serve (rank 0 = home basin) and their capacity per
wave, validated against the programme's basins and waves whatever the channel."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select

from rollout import audit
from rollout.core.problems import Problem
from rollout.models import Basin, Programme, Trainer, TrainerBasin, TrainerCapacity, Wave
from rollout.models.trainer import TrainerCreate, TrainerPublic, TrainerUpdate
from rollout.audit import created, deleted
from rollout.core.locking import claim_version
from rollout.core.problems import InvalidChange, refuse
from rollout.core.author import Author

ENTITY = "trainer"
FIELDS = ("name", "tier", "capacity", "trained", "email", "basins", "capacities")


def trainer_or_none(session: Session, *, programme: Programme, code: str) -> Trainer | None:
    return session.exec(select(Trainer).where(Trainer.programme_id == programme.id, Trainer.code == code)).first()


def programme_trainers(session: Session, *, programme: Programme) -> list[Trainer]:
    return list(session.exec(select(Trainer).where(Trainer.programme_id == programme.id).order_by(col(Trainer.code))))


def trainer_snapshot(session: Session, trainer: Trainer) -> dict[str, Any]:
    """The trainer as a user describes it: basin and wave codes instead of ids."""
    basins = session.exec(
        select(Basin.code).join(TrainerBasin, TrainerBasin.basin_id == Basin.id)
        .where(TrainerBasin.trainer_id == trainer.id).order_by(col(TrainerBasin.rank))
    ).all()
    capacities = session.exec(
        select(Wave.code, TrainerCapacity.capacity).join(TrainerCapacity, TrainerCapacity.wave_id == Wave.id)
        .where(TrainerCapacity.trainer_id == trainer.id).order_by(col(Wave.position))
    ).all()
    return {
        "code": trainer.code,
        "name": trainer.name,
        "tier": trainer.tier,
        "capacity": trainer.capacity,
        "trained": trainer.trained,
        "email": trainer.email,
        "basins": None if trainer.all_basins else list(basins),
        "capacities": dict(capacities),
    }


def trainer_public(session: Session, trainer: Trainer) -> TrainerPublic:
    return TrainerPublic.model_validate({**trainer_snapshot(session, trainer), "programme_id": trainer.programme_id, "version": trainer.version})


def reference_problems(
    *, basins: list[str] | None, capacities: dict[str, int] | None, basin_codes: set[str], wave_codes: set[str]
) -> list[Problem]:
    """Basins and waves a trainer names that the programme does not have."""
    problems = [
        Problem("unknown_basin", column="basins", value=code)
        for code in basins or () if code not in basin_codes
    ]
    problems += [
        Problem("unknown_wave", column="capacities", value=code)
        for code in capacities or {} if code not in wave_codes
    ]
    return problems


def _ids(session: Session, model: type[Basin] | type[Wave], programme: Programme) -> dict[str, int]:
    return dict(session.exec(select(model.code, model.id).where(model.programme_id == programme.id)).all())


def _set_links(session: Session, *, programme: Programme, trainer: Trainer, basins: list[str] | None,
               capacities: dict[str, int] | None) -> None:
    """Replace the trainer's basins (when `basins` is given, None standing for all basins) and
    per-wave capacities (when given), after checking they exist in the programme."""
    basin_ids, wave_ids = _ids(session, Basin, programme), _ids(session, Wave, programme)
    problems = reference_problems(basins=basins, capacities=capacities, basin_codes=set(basin_ids), wave_codes=set(wave_ids))
    if problems:
        raise InvalidChange(problems)
    session.exec(delete(TrainerBasin).where(TrainerBasin.trainer_id == trainer.id))
    for rank, code in enumerate(basins or ()):
        session.add(TrainerBasin(trainer_id=trainer.id, basin_id=basin_ids[code], rank=rank))
    if capacities is not None:
        session.exec(delete(TrainerCapacity).where(TrainerCapacity.trainer_id == trainer.id))
        for code, capacity in capacities.items():
            session.add(TrainerCapacity(trainer_id=trainer.id, wave_id=wave_ids[code], capacity=capacity))
    session.flush()


def create_trainer(session: Session, *, programme: Programme, data: TrainerCreate, author: Author) -> Trainer:
    """Add a trainer; refused when its code exists or it names unknown basins or waves."""
    if trainer_or_none(session, programme=programme, code=data.code) is not None:
        raise refuse("already_in_programme", column="code", value=data.code)
    trainer = Trainer(
        programme_id=programme.id, all_basins=data.basins is None,
        **data.model_dump(exclude={"basins", "capacities"}),
    )
    session.add(trainer)
    session.flush()
    _set_links(session, programme=programme, trainer=trainer, basins=data.basins, capacities=data.capacities)
    author.record(session, programme=programme, entity=ENTITY, entity_id=trainer.id,
                  action="create", changes=created(trainer_snapshot(session, trainer)))
    return trainer


def update_trainer(session: Session, *, programme: Programme, trainer: Trainer, data: TrainerUpdate, author: Author) -> Trainer:
    """Change the fields given, if the trainer is still at `data.version` (then its version
    moves on); `basins` and `capacities`, when given, replace the current ones."""
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    before = trainer_snapshot(session, trainer)
    claim_version(session, trainer, data.version, key=trainer.code)
    trainer.sqlmodel_update({field: value for field, value in given.items() if field not in ("basins", "capacities")})
    if "basins" in given:
        trainer.all_basins = given["basins"] is None
    session.add(trainer)
    session.flush()
    _set_links(session, programme=programme, trainer=trainer,
               basins=given["basins"] if "basins" in given else before["basins"],
               capacities=given.get("capacities"))
    changes = audit.diff(before, trainer_snapshot(session, trainer))
    author.record(session, programme=programme, entity=ENTITY, entity_id=trainer.id,
                  action="update", changes={**changes, "version": [data.version, trainer.version]})
    return trainer


def delete_trainer(session: Session, *, programme: Programme, trainer: Trainer, author: Author) -> None:
    """Delete a trainer; the audit event keeps everything it held."""
    author.record(session, programme=programme, entity=ENTITY, entity_id=trainer.id,
                  action="delete", changes=deleted(trainer_snapshot(session, trainer)))
    session.delete(trainer)
    session.flush()
