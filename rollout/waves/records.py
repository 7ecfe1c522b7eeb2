"""Waves of a programme: codes and positions unique, dates following the order of positions.

The order rule is checked on the programme's whole list of waves as it would be after the
change, so that a form, an API call and an import (several waves at once) agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, or_, select

from rollout import audit
from rollout.core.problems import Problem
from rollout.models import Programme, School, Wave
from rollout.models.wave import WaveCreate, WavePublic, WaveUpdate
from rollout.audit import deleted
from rollout.core.locking import claim_version
from rollout.core.problems import InvalidChange, refuse
from rollout.core.author import Author
from rollout.tracking.schedule import baseline

ENTITY = "wave"
FIELDS = ("label", "position", "start_date", "end_date", "max_schools", "max_pupils")


@dataclass(frozen=True)
class WaveDates:
    """What the order rule looks at for one wave."""

    code: str
    position: int
    start_date: date
    end_date: date


def programme_waves(session: Session, *, programme: Programme) -> dict[str, Wave]:
    """The programme's waves by code, in position order."""
    waves = session.exec(select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))).all()
    return {wave.code: wave for wave in waves}


def wave_or_none(session: Session, *, programme: Programme, code: str) -> Wave | None:
    return session.exec(select(Wave).where(Wave.programme_id == programme.id, Wave.code == code)).first()


def wave_public(wave: Wave) -> WavePublic:
    return WavePublic.model_validate(wave.model_dump())


def order_problems(waves: list[WaveDates], *, checked: set[str] | None = None) -> dict[str, Problem]:
    """Problems of the order rule, by the code of the wave at fault: each wave ends after it
    starts, positions are unique, and each wave starts after the previous one (by position) ends. Only waves in `checked` (default:
    all) are blamed, so that an import reports the rows it brings, not the waves already there."""
    problems: dict[str, Problem] = {}

    def blame(code: str, problem: Problem) -> None:
        if checked is None or code in checked:
            problems.setdefault(code, problem)

    for wave in waves:
        if wave.end_date < wave.start_date:
            blame(wave.code, Problem("ends_before_start", column="end_date", value=wave.end_date.isoformat(),
                                     params={"start": wave.start_date.isoformat()}))
    ordered = sorted(waves, key=lambda wave: (wave.position, wave.code))
    for previous, wave in zip(ordered, ordered[1:]):
        if wave.position == previous.position:
            culprit, other = (wave, previous) if checked is None or wave.code in checked else (previous, wave)
            blame(culprit.code, Problem("position_taken", column="position", value=str(wave.position),
                                        params={"wave": other.code, "position": wave.position}))
        elif wave.start_date <= previous.end_date:
            if checked is None or wave.code in checked:
                blame(wave.code, Problem("starts_before_previous_ends", column="start_date", value=wave.start_date.isoformat(),
                                         params={"start": wave.start_date.isoformat(), "previous": previous.code,
                                                 "previous_end": previous.end_date.isoformat()}))
            else:
                blame(previous.code, Problem("ends_after_next_starts", column="end_date", value=previous.end_date.isoformat(),
                                             params={"end": previous.end_date.isoformat(), "next": wave.code,
                                                     "next_start": wave.start_date.isoformat()}))
    return problems


def _dates(wave: Wave) -> WaveDates:
    return WaveDates(code=wave.code, position=wave.position, start_date=wave.start_date, end_date=wave.end_date)


def _check_order(session: Session, *, programme: Programme, changed: WaveDates) -> None:
    others = [_dates(wave) for wave in programme_waves(session, programme=programme).values() if wave.code != changed.code]
    problems = order_problems([*others, changed], checked={changed.code})
    if problems:
        raise InvalidChange(list(problems.values()))


def create_wave(
    session: Session, *, programme: Programme, data: WaveCreate, author: Author, check_order: bool = True
) -> Wave:
    """Add a wave; refused when its code exists or its dates break the order of the waves. An
    import, which checks the order once for all its rows, passes `check_order=False`."""
    if wave_or_none(session, programme=programme, code=data.code) is not None:
        raise refuse("already_in_programme", column="code", value=data.code)
    if check_order:
        _check_order(session, programme=programme, changed=WaveDates(data.code, data.position, data.start_date, data.end_date))
    wave = Wave(programme_id=programme.id, **data.model_dump())
    author.add_created(session, programme=programme, entity=ENTITY, record=wave, values=data.model_dump())
    return wave


def update_wave(
    session: Session, *, programme: Programme, wave: Wave, data: WaveUpdate, author: Author, check_order: bool = True
) -> Wave:
    """Change the fields given, if the wave is still at `data.version` (then its version moves
    on); the result must keep the waves in order (checked here unless an import checked the
    whole file's waves already)."""
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    after = {field: given.get(field, getattr(wave, field)) for field in FIELDS}
    if check_order:
        _check_order(session, programme=programme,
                     changed=WaveDates(wave.code, after["position"], after["start_date"], after["end_date"]))
    before = {field: getattr(wave, field) for field in FIELDS}
    changes = audit.diff(before, after)
    claim_version(session, wave, data.version, key=wave.code)
    wave.sqlmodel_update(given)
    session.add(wave)
    session.flush()
    author.record(session, programme=programme, entity=ENTITY, entity_id=wave.id,
                  action="update", changes={**changes, "version": [data.version, wave.version]})
    return wave


def delete_wave(session: Session, *, programme: Programme, wave: Wave, author: Author) -> None:
    """Delete a wave nothing depends on. Refused, saying why, while schools are pinned to it (or
    must go live by it) or the adopted plan places schools in it: deleting it would silently
    drop those decisions."""
    bound = session.exec(
        select(School.uai).where(or_(School.pinned_wave_id == wave.id, School.latest_wave_id == wave.id)).order_by(col(School.uai))
    ).all()
    if bound:
        shown = ", ".join(bound[:5]) + (" …" if len(bound) > 5 else "")
        raise refuse("wave_has_schools", column="code", value=wave.code, count=len(bound), schools=shown)
    plan = baseline(session, programme)
    planned = sum(1 for row in (plan.result or {}).get("assignments", ()) if row.get("wave") == wave.code) if plan else 0
    if planned:
        raise refuse("wave_in_adopted_plan", column="code", value=wave.code, plan=plan.name, count=planned)
    author.record(session, programme=programme, entity=ENTITY, entity_id=wave.id, action="delete",
                  changes=deleted({"code": wave.code, **{field: getattr(wave, field) for field in FIELDS}}))
    session.delete(wave)
    session.flush()

