"""Creating, editing and deleting a school, with its basin and waves named by code.

Edits are optimistically locked on `School.version`: a change states the version it was based
on, and the version is bumped by one guarded UPDATE, so of two people editing the same school
the second is refused (and told to reload) instead of silently overwriting the first.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, or_, select

from rollout import audit
from rollout.core.problems import Problem
from rollout.models import Basin, Milestone, PixCertification, Programme, School, UsageRecord, Wave
from rollout.models.school import SchoolCreate, SchoolPublic, SchoolUpdate
from rollout.audit import deleted
from rollout.core.locking import claim_version
from rollout.core.problems import InvalidChange, refuse
from rollout.core.author import Author

ENTITY = "school"  # as rollout.tracking.history reads a school's history
FIELDS = (
    "name", "commune", "commune_code", "pupils", "teachers", "priority", "latitude", "longitude",
    "equipment_ready_on", "previous_platform", "head_teacher_name", "head_teacher_email",
)


def school_or_none(session: Session, *, programme: Programme, uai: str) -> School | None:
    return session.exec(select(School).where(School.programme_id == programme.id, School.uai == uai.strip().upper())).first()


def school_snapshot(school: School, *, basins: dict[int, str], waves: dict[int, str]) -> dict[str, Any]:
    """The school as a user describes it: basin and wave codes instead of ids."""
    return {
        **{field: getattr(school, field) for field in FIELDS},
        "basin": basins[school.basin_id],
        "pinned_wave": waves.get(school.pinned_wave_id) if school.pinned_wave_id else None,
        "latest_wave": waves.get(school.latest_wave_id) if school.latest_wave_id else None,
    }


def code_maps(session: Session, *, programme: Programme) -> tuple[dict[int, str], dict[int, str]]:
    """Basin and wave codes by id, for describing schools."""
    basins = dict(session.exec(select(Basin.id, Basin.code).where(Basin.programme_id == programme.id)).all())
    waves = dict(session.exec(select(Wave.id, Wave.code).where(Wave.programme_id == programme.id)).all())
    return basins, waves


def school_public(school: School, *, basins: dict[int, str], waves: dict[int, str]) -> SchoolPublic:
    return SchoolPublic.model_validate(
        {**school_snapshot(school, basins=basins, waves=waves), "uai": school.uai,
         "programme_id": school.programme_id, "version": school.version}
    )


def reference_problems(values: dict[str, Any], *, basin_codes: set[str], wave_positions: dict[str, int]) -> list[Problem]:
    """Basin and waves a school names that the programme does not have, or waves out of order."""
    problems = []
    if "basin" in values and values["basin"] not in basin_codes:
        problems.append(Problem("unknown_basin", column="basin", value=values["basin"]))
    for field in ("pinned_wave", "latest_wave"):
        code = values.get(field)
        if code is not None and code not in wave_positions:
            problems.append(Problem("unknown_wave", column=field, value=code))
    pinned, latest = values.get("pinned_wave"), values.get("latest_wave")
    if pinned in wave_positions and latest in wave_positions and wave_positions[pinned] > wave_positions[latest]:
        problems.append(Problem("pinned_after_latest", column="pinned_wave", value=pinned,
                                params={"pinned": pinned, "latest": latest}))
    return problems


def _resolve(session: Session, programme: Programme, values: dict[str, Any]) -> dict[str, Any]:
    """Columns of the table from codes: basin_id, pinned_wave_id, latest_wave_id (for codes given)."""
    basins = dict(session.exec(select(Basin.code, Basin.id).where(Basin.programme_id == programme.id)).all())
    waves = {code: (wave_id, position) for code, wave_id, position in session.exec(
        select(Wave.code, Wave.id, Wave.position).where(Wave.programme_id == programme.id))}
    problems = reference_problems(values, basin_codes=set(basins), wave_positions={c: p for c, (_, p) in waves.items()})
    if problems:
        raise InvalidChange(problems)
    resolved = {field: values[field] for field in FIELDS if field in values}
    if "basin" in values:
        resolved["basin_id"] = basins[values["basin"]]
    for field in ("pinned_wave", "latest_wave"):
        if field in values:
            resolved[f"{field}_id"] = waves[values[field]][0] if values[field] is not None else None
    return resolved


def create_school(session: Session, *, programme: Programme, data: SchoolCreate, author: Author) -> School:
    """Add a school; refused when its UAI is already in the programme or it names unknown codes."""
    if school_or_none(session, programme=programme, uai=data.uai) is not None:
        raise refuse("already_in_programme", column="uai", value=data.uai)
    school = School(programme_id=programme.id, uai=data.uai, **_resolve(session, programme, data.model_dump()))
    author.add_created(session, programme=programme, entity=ENTITY, record=school,
                       values={"uai": data.uai, **data.model_dump(exclude={"uai"})})
    return school


def update_school(session: Session, *, programme: Programme, school: School, data: SchoolUpdate, author: Author) -> School:
    """Change the fields given, if the school is still at `data.version`; bump its version."""
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    resolved = _resolve(session, programme, given)
    basins, waves = code_maps(session, programme=programme)
    before = school_snapshot(school, basins=basins, waves=waves)
    claim_version(session, school, data.version, key=school.uai)
    school.sqlmodel_update(resolved)
    session.add(school)
    session.flush()
    changes = audit.diff(before, school_snapshot(school, basins=basins, waves=waves))
    author.record(session, programme=programme, entity=ENTITY, entity_id=school.id,
                  action="update", changes={**changes, "version": [data.version, school.version]})
    return school


def recorded_work(session: Session, *, school: School) -> int:
    """How many things people recorded for the school: milestones started, certifications, usage."""
    started = select(func.count()).select_from(Milestone).where(
        Milestone.school_id == school.id,
        or_(Milestone.status != "not_started", col(Milestone.actual_on).is_not(None), col(Milestone.note).is_not(None)),
    )
    certified = select(func.count()).select_from(PixCertification).where(
        PixCertification.school_id == school.id, PixCertification.certified > 0)
    usage = select(func.count()).select_from(UsageRecord).where(UsageRecord.school_id == school.id)
    return sum(session.exec(query).one() for query in (started, certified, usage))


def delete_school(session: Session, *, programme: Programme, school: School, author: Author) -> None:
    """Delete a school nothing was recorded for yet; refused otherwise, since deleting it would
    delete the progress and usage people recorded."""
    if recorded_work(session, school=school):
        raise refuse("school_has_records", column="uai", value=school.uai)
    basins, waves = code_maps(session, programme=programme)
    author.record(session, programme=programme, entity=ENTITY, entity_id=school.id, action="delete",
                  changes=deleted({"uai": school.uai, **school_snapshot(school, basins=basins, waves=waves)}))
    session.delete(school)
    session.flush()
