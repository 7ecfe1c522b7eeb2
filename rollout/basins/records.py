"""Basins of a programme: created, renamed, deleted (only when nothing refers to them)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from rollout import audit
from rollout.models import Basin, Programme, School, TrainerBasin
from rollout.models.school import BasinCreate, BasinUpdate
from rollout.audit import deleted
from rollout.core.problems import refuse
from rollout.core.author import Author

ENTITY = "basin"


def programme_basins(session: Session, *, programme: Programme) -> dict[str, Basin]:
    """The programme's basins by code, in code order."""
    basins = session.exec(select(Basin).where(Basin.programme_id == programme.id).order_by(col(Basin.code))).all()
    return {basin.code: basin for basin in basins}


def basin_or_none(session: Session, *, programme: Programme, code: str) -> Basin | None:
    return session.exec(select(Basin).where(Basin.programme_id == programme.id, Basin.code == code)).first()


def create_basin(session: Session, *, programme: Programme, data: BasinCreate, author: Author) -> Basin:
    """Add a basin; its code must be new in the programme."""
    if basin_or_none(session, programme=programme, code=data.code) is not None:
        raise refuse("already_in_programme", column="code", value=data.code)
    basin = Basin(programme_id=programme.id, **data.model_dump())
    author.add_created(session, programme=programme, entity=ENTITY, record=basin, values=data.model_dump())
    return basin


def update_basin(session: Session, *, programme: Programme, basin: Basin, data: BasinUpdate, author: Author) -> Basin:
    """Rename a basin (its code stays: imports and plans refer to it)."""
    before = {"name": basin.name}
    basin.sqlmodel_update(data.model_dump(exclude_unset=True))
    changes = audit.diff(before, {"name": basin.name})
    if changes:
        session.add(basin)
        author.record(session, programme=programme, entity=ENTITY, entity_id=basin.id,
                      action="update", changes=changes)
    return basin


def delete_basin(session: Session, *, programme: Programme, basin: Basin, author: Author) -> None:
    """Delete an empty basin. Refused while schools are in it, rather than moving them silently;
    trainers who served it stop serving it (the audit keeps that)."""
    schools = session.exec(select(func.count()).select_from(School).where(School.basin_id == basin.id)).one()
    if schools:
        raise refuse("basin_has_schools", column="code", value=basin.code, count=schools)
    served_by = session.exec(select(func.count()).select_from(TrainerBasin).where(TrainerBasin.basin_id == basin.id)).one()
    author.record(session, programme=programme, entity=ENTITY, entity_id=basin.id, action="delete",
                  changes={**deleted({"code": basin.code, "name": basin.name}), "trainers_serving": [served_by, 0]})
    session.delete(basin)
    session.flush()
