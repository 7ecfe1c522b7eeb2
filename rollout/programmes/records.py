"""Creating and editing a programme: its name (unique in its district), platform, start date,
cascade settings and priority weights, whatever the channel (form, API, command line).

A programme belongs to one district for life. Edits are optimistically locked on
`Programme.version` like waves and schools: of two people who opened the same settings, the
second to save is refused (and shown the first one's version) instead of silently undoing it.
Every change is audited (entity "programme") in the same transaction.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout import audit
from rollout.core.author import Author
from rollout.core.locking import claim_version
from rollout.core.problems import refuse
from rollout.models import District, Programme
from rollout.models.organisation import PROGRAMME_FIELDS, ProgrammeCreate, ProgrammePublic, ProgrammeUpdate

ENTITY = "programme"


def visible_districts(session: Session, *, district_ids: set[int] | None) -> list[District]:
    """The districts someone may create programmes in, by code: those of `district_ids`, or
    every district when None (an admin)."""
    query = select(District).order_by(col(District.code))
    if district_ids is not None:
        query = query.where(col(District.id).in_(district_ids))
    return list(session.exec(query))


def chosen_district(districts: list[District], code: str | None) -> District:
    """The district named by `code` among `districts`; without a code, the only one. Refused
    (naming the field `district`) when the code is not among them, or when there are several
    and none was named: a programme is never created in a district nobody chose."""
    if code is not None:
        for district in districts:
            if district.code == code:
                return district
        raise refuse("unknown_district", column="district", value=code)
    if len(districts) == 1:
        return districts[0]
    raise refuse("district_expected", column="district", codes=", ".join(district.code for district in districts) or "—")


def programme_snapshot(programme: Programme) -> dict[str, Any]:
    """The programme's fields a person gives (forms, API, command line), by name."""
    return {field: getattr(programme, field) for field in PROGRAMME_FIELDS}


def programme_public(session: Session, programme: Programme) -> ProgrammePublic:
    district = session.get(District, programme.district_id)
    return ProgrammePublic.model_validate({**programme_snapshot(programme), "id": programme.id, "district": district.code,
                                           "simulated": programme.simulated, "version": programme.version})


def _check_name_free(session: Session, *, district_id: int, name: str, programme_id: int | None = None) -> None:
    """Refused when another programme of the district has this name (the table's unique key,
    said in words before the database would refuse it with an error)."""
    query = select(Programme.id).where(Programme.district_id == district_id, Programme.name == name)
    if programme_id is not None:
        query = query.where(Programme.id != programme_id)
    if session.exec(query).first() is not None:
        raise refuse("programme_name_taken", column="name", value=name)


def create_programme(session: Session, *, district: District, data: ProgrammeCreate, author: Author) -> Programme:
    """Add a programme to `district` (the caller checked the author may create there, see
    `chosen_district`); refused when the district already has a programme of that name."""
    values = data.model_dump(exclude={"district"})
    _check_name_free(session, district_id=district.id, name=data.name)
    programme = Programme(district_id=district.id, **values)
    try:
        author.add_created(session, programme=programme, entity=ENTITY, record=programme,
                           values={"district": district.code, **values})
    except sa.exc.IntegrityError:  # created by someone else between the check and this insert
        raise refuse("programme_name_taken", column="name", value=data.name) from None
    return programme


def update_programme(session: Session, *, programme: Programme, data: ProgrammeUpdate, author: Author) -> Programme:
    """Change the fields given, if the programme is still at `data.version` (then its version
    moves on); refused when the new name is another programme's of the district."""
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    if given.get("name", programme.name) != programme.name:
        _check_name_free(session, district_id=programme.district_id, name=given["name"], programme_id=programme.id)
    before = programme_snapshot(programme)
    changes = audit.diff(before, {**before, **given})
    claim_version(session, programme, data.version, key=programme.name)
    programme.sqlmodel_update(given)
    session.add(programme)
    try:
        session.flush()
    except sa.exc.IntegrityError:  # renamed by someone else between the check and this update
        raise refuse("programme_name_taken", column="name", value=given.get("name")) from None
    author.record(session, programme=programme, entity=ENTITY, entity_id=programme.id, action="update",
                  changes={**changes, "version": [data.version, programme.version]})
    return programme
