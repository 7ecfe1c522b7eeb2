"""Online course progress per school from the M@gistère participants export.

The export lists participants one per row, with their names and e-mails; the product keeps
counts only. Rows are folded into one aggregate per (school, course) the moment they are
read, and nothing else of a row survives: no participant, no column but the contract's.
The export is cumulative (every participant since the course opened), so a new export
replaces, for each course it contains, the counts of the previous one: schools no longer in
it for that course lose their counts, and completions per month are counted again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

from sqlmodel import Session, col, delete, select

from rollout.core.problems import InvalidValue, Problem, uai_refusal
from rollout.core.text import fold
from rollout.imports import cells
from rollout.imports.tabular import Column
from rollout.models.training import COURSE_NAME_LENGTH, CourseCompletion, CourseEnrolment

COLUMNS = (
    Column("course", ("parcours", "nom_du_parcours", "cours")),
    Column("uai", ("rne", "etablissement", "code_uai")),
    Column("status", ("statut", "etat")),
    Column("completed_on", ("date_achevement", "date_de_fin"), required=False),
)
STATUSES = {"enrolled": "enrolled", "inscrit": "enrolled", "inscrite": "enrolled",
            "in_progress": "in_progress", "en_cours": "in_progress",
            "completed": "completed", "termine": "completed", "terminee": "completed", "acheve": "completed",
            "achevee": "completed"}

Key = tuple[int, str]
"""(school id, course)."""
SAID_BACK = re.compile(r"\d{7}[A-Za-z]|[\d\s./:-]*")
"""The cells a problem says back: those shaped like a UAI or a date. In a careless export (a
name holding the delimiter, columns shifted) a participant's name or e-mail lands in the
contract's columns, so any other refused cell is named by its row and column only."""


@dataclass
class Aggregate:
    """What a school's participants in one course add up to; `months` maps the first day of a
    month to the participants who completed the course in it."""

    enrolled: int = 0
    in_progress: int = 0
    completed: int = 0
    months: dict[date, int] = field(default_factory=dict)

    def values(self) -> tuple[int, int, int, tuple[tuple[date, int], ...]]:
        """What tells two aggregates apart (a re-import of the same export changes nothing)."""
        return self.enrolled, self.in_progress, self.completed, tuple(sorted(self.months.items()))


def course_status(text: str) -> str:
    """The contract's status of a cell (`Terminé`, `en cours`, `completed`…)."""
    status = STATUSES.get(re.sub(r"[^a-z]+", "_", fold(text)).strip("_"))
    if status is None:
        raise InvalidValue("unknown_course_status")
    return status


def aggregate_rows(rows: Iterable[tuple[int, dict[str, str]]], *, schools: dict[str, int],
                   today: date) -> tuple[dict[Key, Aggregate], list[Problem], int]:
    """Fold the participants' rows into aggregates per (school, course), every problem of every
    row, and the participants counted. Only the contract's cells are read."""
    aggregates: dict[Key, Aggregate] = defaultdict(Aggregate)
    problems: list[Problem] = []
    participants = 0
    for number, row in rows:
        row_problems: list[Problem] = []

        def problem(column: str, code: str, **params: Any) -> None:
            value = row.get(column, "")
            row_problems.append(Problem(code, row=number, column=column, value=value if SAID_BACK.fullmatch(value) else None,
                                        params=params))

        read = _read_row(row, schools=schools, today=today, problem=problem)
        problems.extend(row_problems)
        if read is None or row_problems:
            continue
        key, status, completed_on = read
        participants += 1
        aggregate = aggregates[key]
        aggregate.enrolled += 1
        if status == "in_progress":
            aggregate.in_progress += 1
        elif status == "completed":
            aggregate.completed += 1
            month = completed_on.replace(day=1)
            aggregate.months[month] = aggregate.months.get(month, 0) + 1
    return dict(aggregates), problems, participants


def _read_row(row: dict[str, str], *, schools: dict[str, int], today: date,
              problem: Callable[..., None]) -> tuple[Key, str, date] | None:
    course = row["course"]
    if not course:
        problem("course", "required")
    elif len(course) > COURSE_NAME_LENGTH:
        problem("course", "too_long", max_length=COURSE_NAME_LENGTH)
    school_id = schools.get(row["uai"].upper())
    if school_id is None:
        refusal = InvalidValue("required") if not row["uai"] else uai_refusal(row["uai"].upper()) or InvalidValue("unknown_uai")
        problem("uai", refusal.code, **refusal.params)
    status = None
    try:
        status = course_status(row["status"]) if row["status"] else None
        if status is None:
            problem("status", "required")
    except InvalidValue as error:
        problem("status", error.code, **error.params)
    completed_on = _completed_on(row.get("completed_on", ""), status, today=today, problem=problem)
    if school_id is None or status is None or not course or (status == "completed" and completed_on is None):
        return None
    return (school_id, course), status, completed_on or today


def _completed_on(text: str, status: str | None, *, today: date, problem: Callable[..., None]) -> date | None:
    """The completion date of a completed participant (read only then: others may carry a date
    the platform filled in, which counts for nothing)."""
    if status != "completed":
        return None
    if not text:
        problem("completed_on", "completed_without_date")
        return None
    try:
        day = cells.day(text)
    except InvalidValue as error:
        problem("completed_on", error.code, **error.params)
        return None
    if day > today:
        problem("completed_on", "date_in_future", today=f"{today:%d/%m/%Y}")
        return None
    return day


def stored_aggregates(session: Session, *, programme_id: int, courses: Iterable[str]) -> dict[Key, Aggregate]:
    """The stored counts of `courses` in the programme, as aggregates."""
    names = list(courses)
    stored: dict[Key, Aggregate] = {}
    for row in session.exec(select(CourseEnrolment).where(CourseEnrolment.programme_id == programme_id,
                                                          col(CourseEnrolment.course).in_(names))):
        stored[(row.school_id, row.course)] = Aggregate(row.enrolled, row.in_progress, row.completed)
    for row in session.exec(select(CourseCompletion).where(CourseCompletion.programme_id == programme_id,
                                                           col(CourseCompletion.course).in_(names))):
        stored.setdefault((row.school_id, row.course), Aggregate()).months[row.month] = row.completed
    return stored


def replace_courses(session: Session, *, programme_id: int, aggregates: dict[Key, Aggregate], exported_on: date) -> None:
    """Replace the stored counts of every course in `aggregates` by them. Does not commit."""
    courses = sorted({course for _, course in aggregates})
    session.exec(delete(CourseEnrolment).where(CourseEnrolment.programme_id == programme_id,
                                               col(CourseEnrolment.course).in_(courses)))
    session.exec(delete(CourseCompletion).where(CourseCompletion.programme_id == programme_id,
                                                col(CourseCompletion.course).in_(courses)))
    for (school_id, course), aggregate in aggregates.items():
        session.add(CourseEnrolment(programme_id=programme_id, school_id=school_id, course=course,
                                    enrolled=aggregate.enrolled, in_progress=aggregate.in_progress,
                                    completed=aggregate.completed, exported_on=exported_on))
        for month, completed in aggregate.months.items():
            session.add(CourseCompletion(programme_id=programme_id, school_id=school_id, course=course, month=month,
                                         completed=completed))
    session.flush()
