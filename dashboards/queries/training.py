"""The training dashboard's numbers, from the delivery records (`rollout.models.training`), the
adopted plan and usage.

Rules (docs/dashboards.md, "Formation"):
- trainers trained: the programme's trainers a held `trainers` session trained (whatever the
  school filters, as on the overview);
- leadership briefed: selected schools with a held `leadership` session;
- teachers trained: per selected school, the attendees of its held `teachers` sessions, at most
  its teachers, as its `teachers_trained` milestone counts them (the file records attendances,
  not people: a teacher at two sessions would otherwise count twice); split by modality in the
  order face to face, hybrid, online, each taking what is left under the school's teachers;
- teachers active: the overview's count (each school's best month of teacher visitors);
- teachers certified: the schools' Pix+ Édu totals per level (which follow from dated records);
- a session delivered is one (trainer, date, audience, modality) however many schools it served,
  as the plan counts a leadership briefing of several schools as one session; its wave is the
  plan's entry it carried out (`planned_wave`), else the wave whose window holds its date;
  administrators' sessions, which plans do not schedule, are left out of the workload.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from sqlmodel import Session, col, func, select

from dashboards.figures.training import CourseProgress, SchoolHours, TrainingCascade, WaveWorkload
from dashboards.queries.filters import Filters
from dashboards.queries.overview import teachers_active
from rollout.models import (
    CourseEnrolment,
    PixCertification,
    Programme,
    School,
    TrainingSession,
    TrainingTrainee,
    Wave,
)
from rollout.tracking.schedule import baseline
from rollout.core.sql import among


PLANNED_AUDIENCES = ("trainers", "leadership", "teachers")
"""The sessions a plan schedules: administrators' training is not planned, so not compared."""


def _ids(schools: Iterable[School]) -> list[int]:
    return [school.id for school in schools if school.id is not None]


def records_sessions(session: Session, *, programme: Programme) -> bool:
    """Whether the programme records any training session (else the page says so, no figures)."""
    return session.exec(select(TrainingSession.id).where(TrainingSession.programme_id == programme.id).limit(1)).first() is not None


def training_cascade(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> TrainingCascade:
    """The cascade among the selected schools, from held sessions, usage and certifications."""
    ids = _ids(schools)
    held = (TrainingSession.programme_id == programme.id, TrainingSession.status == "held")
    trainers = session.exec(select(func.count(func.distinct(TrainingTrainee.trainer_id)))
                            .join(TrainingSession, col(TrainingSession.id) == TrainingTrainee.session_id)
                            .where(*held, TrainingSession.audience == "trainers")).one()
    briefed = session.exec(select(func.count(func.distinct(TrainingSession.school_id)))
                           .where(*held, TrainingSession.audience == "leadership",
                                  among(TrainingSession.school_id, ids))).one()
    attended = session.exec(select(TrainingSession.school_id, TrainingSession.modality, func.sum(TrainingSession.attendees))
                            .where(*held, TrainingSession.audience == "teachers", among(TrainingSession.school_id, ids))
                            .group_by(TrainingSession.school_id, TrainingSession.modality)).all()
    modalities = _teachers_by_modality(attended, {school.id: school.teachers for school in schools})
    levels = dict(session.exec(select(PixCertification.level, func.sum(PixCertification.certified))
                               .where(among(PixCertification.school_id, ids))
                               .group_by(PixCertification.level)).all())
    active = teachers_active(session, programme=programme, schools=schools, filters=filters)
    return TrainingCascade(
        trainers_trained=int(trainers or 0), leadership_briefed=int(briefed or 0),
        teachers_by_modality={key: int(value or 0) for key, value in modalities.items()},
        teachers_active=active, certified_by_level={key: int(value or 0) for key, value in levels.items()},
    )


# The order in which a school's teachers trained are credited to modalities, under its teachers.
MODALITY_ORDER = ("face_to_face", "hybrid", "online")


def _teachers_by_modality(attended: Iterable[tuple[int, str, int]], teachers: dict[int, int]) -> Counter[str]:
    """Teachers trained per modality, each school's total capped at its teachers (module docstring)."""
    by_school: dict[int, dict[str, int]] = defaultdict(dict)
    for school_id, modality, attendees in attended:
        by_school[school_id][modality] = int(attendees or 0)
    counts: Counter[str] = Counter()
    for school_id, modalities in by_school.items():
        left = teachers.get(school_id, 0)
        for modality in MODALITY_ORDER:
            taken = min(modalities.get(modality, 0), left)
            if taken:
                counts[modality] += taken
                left -= taken
    return counts


def _planned(result: dict[str, Any], *, selected: set[str], narrowed: bool) -> Counter[str]:
    """Sessions per wave code in the plan, as `planner.checker.trainer_load` counts them; under
    a school filter, only the entries reaching a selected school (trainers' training reaches none)."""
    planned: Counter[str] = Counter()
    for entry in result.get("teacher_sessions") or []:
        if isinstance(entry.get("sessions"), int) and (not narrowed or entry.get("uai") in selected):
            planned[entry.get("wave")] += entry["sessions"]
    for entry in result.get("leadership_training") or []:
        if not narrowed or set(entry.get("schools") or ()) & selected:
            planned[entry.get("wave")] += 1
    if not narrowed:
        for entry in result.get("trainer_training") or []:
            planned[entry.get("wave")] += 1
    return planned


def _wave_of(day: date, waves: list[Wave]) -> str | None:
    for wave in waves:
        if wave.start_date <= day <= wave.end_date:
            return wave.code
    return None


def workload(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> list[WaveWorkload]:
    """Each wave (only the chosen one under a wave filter): sessions the adopted plan gives all
    trainers against sessions held and cancelled of the audiences it plans. Under a basin, priority or school filter, only
    the sessions reaching a selected school."""
    waves = list(session.exec(select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))))
    narrowed = bool(filters.basin or filters.priority or filters.school)
    selected = {school.uai for school in schools}
    plan = baseline(session, programme)
    planned = _planned(plan.result or {}, selected=selected, narrowed=narrowed) if plan is not None else Counter()
    # One row per session delivered, not per school it served (the database drops the repeats),
    # read as plain values: the country's 26,000 rows as objects took a second.
    statement = select(TrainingSession.planned_wave, TrainingSession.status, TrainingSession.trainer_id,
                       TrainingSession.held_on, TrainingSession.audience, TrainingSession.modality).distinct().where(
        TrainingSession.programme_id == programme.id, col(TrainingSession.audience).in_(PLANNED_AUDIENCES))
    if narrowed:
        statement = statement.where(among(TrainingSession.school_id, _ids(schools)))
    delivered: defaultdict[tuple[str | None, str], set[tuple[Any, ...]]] = defaultdict(set)
    wave_of_day = cache(lambda day: _wave_of(day, waves))
    for planned_wave, status, trainer_id, held_on, audience, modality in session.exec(statement):
        delivered[planned_wave or wave_of_day(held_on), status].add((trainer_id, held_on, audience, modality))
    return [WaveWorkload(wave=wave.label or wave.code, planned=planned.get(wave.code, 0),
                         held=len(delivered[wave.code, "held"]), cancelled=len(delivered[wave.code, "cancelled"]))
            for wave in waves if not filters.wave or wave.code == filters.wave]


def hours_per_teacher(session: Session, *, programme: Programme, schools: list[School]) -> list[SchoolHours]:
    """Each selected school's teacher-hours of held teachers' sessions (hours × attendees), over
    its teachers; a school without any has 0."""
    hours = dict(session.exec(
        select(TrainingSession.school_id, func.sum(TrainingSession.hours * TrainingSession.attendees))
        .where(TrainingSession.programme_id == programme.id, TrainingSession.status == "held",
               TrainingSession.audience == "teachers", among(TrainingSession.school_id, _ids(schools)))
        .group_by(TrainingSession.school_id)).all())
    return [SchoolHours(uai=school.uai, name=school.name, teachers=school.teachers,
                        teacher_hours=round(float(hours.get(school.id) or 0), 2)) for school in schools]


def course_progress(session: Session, *, programme: Programme, schools: list[School]) -> list[CourseProgress]:
    """Each M@gistère course over the selected schools, by name."""
    rows = session.exec(
        select(CourseEnrolment.course, func.sum(CourseEnrolment.enrolled), func.sum(CourseEnrolment.in_progress),
               func.sum(CourseEnrolment.completed))
        .where(CourseEnrolment.programme_id == programme.id, among(CourseEnrolment.school_id, _ids(schools)))
        .group_by(CourseEnrolment.course).order_by(CourseEnrolment.course)).all()
    return [CourseProgress(course=course, enrolled=int(enrolled or 0), in_progress=int(progress or 0),
                           completed=int(completed or 0)) for course, enrolled, progress, completed in rows]
