"""Loading a shipped dataset (`fixtures.datasets`) into the database, in one transaction.

For the demo the reference data is loaded first, then the planner computes the baseline plan
from it, and the simulated history (milestones, certifications, weekly usage) follows that plan,
so that every screen of the demo tells one consistent story. Daily usage (`usage="day"`, about
1.8 million rows for the demo) is there to measure reports and dashboards at scale.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from fixtures.datasets import Dataset
from rollout.bulk import insert_rows
from rollout.models import (
    Basin,
    CourseCompletion,
    CourseEnrolment,
    District,
    ImportBatch,
    Milestone,
    PixCertification,
    PixCertificationRecord,
    Plan,
    Programme,
    School,
    Trainer,
    TrainerBasin,
    TrainingSession,
    TrainingTrainee,
    UsageRecord,
    Wave,
    utcnow,
)
from rollout.planning.scenario import build_scenario
from rollout.tracking.milestones import planned_dates
from rollout.training.milestones import derived_milestones
from rollout.usage import taxonomy
from rollout.usage.profiles import audience_of

log = logging.getLogger(__name__)

HISTORY_END = date(2018, 7, 6)
BASELINE_TIME_LIMIT = 20.0
USAGE_CHUNK = 20_000

Row = TypeVar("Row", bound=SQLModel)


class DatasetError(ValueError):
    """The dataset cannot be loaded (already there, or the planner found no baseline)."""


Progress = Callable[[int], None]
"""Told the number of usage rows written so far, after each chunk."""


def load_dataset(session: Session, dataset: Dataset, *, with_history: bool | None = None, usage: str = "week",
                 progress: Progress | None = None) -> Programme:
    """Write `dataset` as a new programme; with its simulated history when it has one, its usage
    weekly or daily (`usage="day"`). No commit."""
    history = dataset.simulated_history if with_history is None else with_history
    district = session.exec(select(District).where(District.code == dataset.district_code)).first()
    if district is None:
        district = District(code=dataset.district_code, name=dataset.district_name)
        session.add(district)
        session.flush()
    elif session.exec(
        select(Programme).where(Programme.district_id == district.id, Programme.name == dataset.programme_name)
    ).first():
        raise DatasetError(f"dataset {dataset.key!r} is already loaded (programme {dataset.programme_name!r})")
    programme = _add_programme(session, district, dataset, simulated=history)
    waves = _add_waves(session, programme, dataset)
    basins = _add_basins(session, programme, dataset)
    schools = _add_schools(session, programme, dataset, basins, waves)
    _add_trainers(session, programme, dataset, basins)
    if history:
        plan = _add_baseline(session, programme)
        _add_history(session, programme, plan, schools, waves, usage=usage, progress=progress)
    return programme


def _shared_fields(spec: Any, model: type[SQLModel]) -> dict[str, Any]:
    """The fields of `spec` (a dataset's or the simulation's dataclass) that `model` names alike:
    the specs mirror the tables, so only what they name otherwise is written out."""
    return {field.name: getattr(spec, field.name) for field in dataclasses.fields(spec) if field.name in model.model_fields}


def _from_spec(model: type[Row], spec: Any, **values: Any) -> Row:
    """A `model` row made of `spec`'s shared fields, and `values` for the rest (or instead)."""
    return model(**{**_shared_fields(spec, model), **values})


def _add_programme(session: Session, district: District, dataset: Dataset, *, simulated: bool) -> Programme:
    weights = dict(dataset.weights)
    programme = _from_spec(
        Programme, dataset,
        district_id=district.id,
        name=dataset.programme_name,
        simulated=simulated,
        weight_none=weights["none"],
        weight_rep=weights["REP"],
        weight_rep_plus=weights["REP+"],
    )
    session.add(programme)
    session.flush()
    return programme


def _add_waves(session: Session, programme: Programme, dataset: Dataset) -> dict[str, Wave]:
    waves = {
        spec.code: _from_spec(Wave, spec, programme_id=programme.id, position=position, start_date=spec.start, end_date=spec.end)
        for position, spec in enumerate(dataset.waves)
    }
    session.add_all(waves.values())
    session.flush()
    return waves


def _add_basins(session: Session, programme: Programme, dataset: Dataset) -> dict[str, Basin]:
    basins = {spec.code: _from_spec(Basin, spec, programme_id=programme.id) for spec in dataset.basins}
    session.add_all(basins.values())
    session.flush()
    return basins


def _add_schools(
    session: Session, programme: Programme, dataset: Dataset, basins: dict[str, Basin], waves: dict[str, Wave]
) -> dict[str, School]:
    schools = {}
    for spec in dataset.schools:
        schools[spec.uai] = _from_spec(
            School, spec,
            programme_id=programme.id,
            basin_id=basins[spec.basin].id,
            pinned_wave_id=waves[spec.pinned_wave].id if spec.pinned_wave else None,
            latest_wave_id=waves[spec.latest_wave].id if spec.latest_wave else None,
        )
    session.add_all(schools.values())
    session.flush()
    return schools


def _add_trainers(session: Session, programme: Programme, dataset: Dataset, basins: dict[str, Basin]) -> None:
    for spec in dataset.trainers:
        trainer = _from_spec(Trainer, spec, programme_id=programme.id, all_basins=spec.basins is None)
        session.add(trainer)
        session.flush()
        for rank, code in enumerate(spec.basins or ()):
            session.add(TrainerBasin(trainer_id=trainer.id, basin_id=basins[code].id, rank=rank))
    session.flush()


def _add_baseline(session: Session, programme: Programme) -> dict[str, Any]:
    """Solve the programme deterministically and store the plan as its adopted baseline."""
    from planner import solve

    scenario = build_scenario(session, programme, name="Plan de référence")
    result = solve(scenario, time_limit=BASELINE_TIME_LIMIT, workers=2, seed=0, deterministic=True)
    plan = result.to_json()
    if plan["status"] not in ("OPTIMAL", "FEASIBLE"):
        raise DatasetError(f"the planner found no baseline plan for {programme.name!r}: {plan['status']}")
    now = utcnow()
    session.add(
        Plan(
            programme_id=programme.id,
            name="Plan de référence",
            status=plan["status"].lower(),
            scenario=scenario,
            result=plan,
            objective=plan["objective"],
            bound=plan["bound"],
            is_baseline=True,
            adopted_at=now,
        )
    )
    session.flush()
    return plan


def _add_history(
    session: Session, programme: Programme, plan: dict[str, Any], schools: dict[str, School], waves: dict[str, Wave],
    *, usage: str, progress: Progress | None,
) -> None:
    """Simulated milestones, certifications (totals and dated records), training sessions, online
    courses and usage (weekly or daily), following the baseline plan."""
    from fixtures import simulation

    wave_of = {row["uai"]: waves[row["wave"]] for row in plan["assignments"]}
    sim_schools = [
        simulation.SimSchool(
            uai=uai,
            pupils=school.pupils,
            teachers=school.teachers,
            priority=school.priority,
            wave_start=wave_of[uai].start_date,
            wave_end=wave_of[uai].end_date,
            pilot=school.pinned_wave_id is not None,
        )
        for uai, school in schools.items()
    ]
    for row in simulation.simulate_pix(sim_schools, as_of=HISTORY_END):
        session.add(PixCertification(school_id=schools[row.uai].id, level=row.level, certified=row.certified))
    session.flush()
    _add_training(session, programme, plan, schools, waves, simulation.simulate_delivery(sim_schools))
    insert_rows(session, PixCertificationRecord.__table__, [
        {"school_id": schools[row.uai].id, "certified_on": row.certified_on, "level": row.level, "certified": row.certified}
        for row in simulation.simulate_pix_records(sim_schools, as_of=HISTORY_END)])
    _add_milestones(session, programme, schools, wave_of, simulation.simulate_milestones(sim_schools, as_of=HISTORY_END))
    rows = simulation.simulate_usage(sim_schools, start=programme.start_date, end=HISTORY_END, period=usage)
    _add_usage(session, programme, rows, schools, progress=progress)


def _add_milestones(session: Session, programme: Programme, schools: dict[str, School], wave_of: dict[str, Wave],
                    simulated: Iterable[Any]) -> None:
    """The simulated milestones, planned by the baseline's waves; those the simulated sessions and
    certifications make are derived from them by the product's own rule (`derived_milestones`,
    source sessions or certifications), so that each says truthfully where its date came from.
    Not audited, like the rest of the load: nothing is changed, the programme is written."""
    derived, _ = derived_milestones(session, programme, schools.values())
    planned = {uai: planned_dates(wave.start_date, wave.end_date) for uai, wave in wave_of.items()}
    for row in simulated:
        school_id = schools[row.uai].id
        session.add(_from_spec(Milestone, row, school_id=school_id, planned_on=planned[row.uai][row.kind],
                               **derived.get((school_id, row.kind), {})))
    session.flush()


def _add_training(session: Session, programme: Programme, plan: dict[str, Any], schools: dict[str, School],
                  waves: dict[str, Wave], delivery: list[Any]) -> None:
    """Simulated sessions (their trainees trained from then), M@gistère enrolments and monthly
    completions, following the plan and the schools' milestones (`fixtures.training`)."""
    from fixtures import training

    trainers = {t.code: t for t in session.exec(select(Trainer).where(Trainer.programme_id == programme.id))}
    now = utcnow()
    rows, trained = [], []
    for row in training.simulate_sessions(delivery, plan, {code: w.start_date for code, w in waves.items()},
                                          as_of=HISTORY_END):
        values = {"programme_id": programme.id, "held_on": row.held_on, "trainer_id": trainers[row.trainer].id,
                  "audience": row.audience, "school_id": schools[row.uai].id if row.uai else None,
                  "modality": row.modality, "hours": row.hours, "attendees": row.attendees, "status": row.status,
                  "reference": row.reference, "planned_wave": row.wave, "version": 1, "created_at": now,
                  "updated_at": now}
        if row.trainees:
            trained.append((TrainingSession(**values), row.trainees))
        else:
            rows.append(values)
    insert_rows(session, TrainingSession.__table__, rows)
    session.add_all(held for held, _ in trained)
    session.flush()
    for held, trainees in trained:
        for code in trainees:
            session.add(TrainingTrainee(session_id=held.id, trainer_id=trainers[code].id))
            trainers[code].trained = True
            session.add(trainers[code])
    enrolments, completions = training.simulate_courses(delivery, as_of=HISTORY_END)
    insert_rows(session, CourseEnrolment.__table__, [
        {"programme_id": programme.id, "school_id": schools[row.uai].id, "course": row.course, "enrolled": row.enrolled,
         "in_progress": row.in_progress, "completed": row.completed, "exported_on": HISTORY_END} for row in enrolments])
    insert_rows(session, CourseCompletion.__table__, [
        {"programme_id": programme.id, "school_id": schools[row.uai].id, "course": row.course, "month": row.month,
         "completed": row.completed} for row in completions])
    session.flush()


def _add_usage(session: Session, programme: Programme, rows: Iterable[Any], schools: dict[str, School], *,
               progress: Progress | None) -> None:
    """Insert simulated usage rows under one batch that says they are simulated, in chunks of
    plain dicts (COPY on PostgreSQL): millions of rows, never one ORM object each."""
    batch = ImportBatch(programme_id=programme.id, kind="fixtures", source="fixtures.simulation (données simulées)")
    session.add(batch)
    session.flush()
    school_ids = {uai: school.id for uai, school in schools.items()}
    audiences: dict[str, str] = {}
    inserted = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        audience = audiences.get(row.profile) or audiences.setdefault(row.profile, audience_of(row.profile))
        chunk.append({
            "school_id": school_ids[row.uai], "period_start": row.date, "period": row.period, "service": row.service,
            "profile": row.profile, "audience": audience, "visits": row.visits, "visitors": row.visitors,
            "page_views": row.page_views, "import_batch_id": batch.id,
        })
        if len(chunk) == USAGE_CHUNK:
            inserted += insert_rows(session, UsageRecord.__table__, chunk)
            chunk = []
            if progress is not None:
                progress(inserted)
    inserted += insert_rows(session, UsageRecord.__table__, chunk)
    taxonomy.summarise_programme(session, programme_id=programme.id)
    batch.rows_new = inserted
    log.info("loaded %d simulated usage rows", inserted)
