"""Pix+ Édu certifications with their dates and levels (`../shared/contracts/training.md`),
imported (`CertificationTable`) or entered one at a time on a school's page; both write through
`write_certifications`, which also derives the school's totals per level and its
`pix_certified` milestone (`rollout.training.milestones`), so they are never typed twice.

A certification's key is (school, date, level): a row with a stored key replaces its count, an
identical row changes nothing. A school's certified teachers, all levels and dates together,
cannot exceed its teachers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from rollout import audit
from rollout.core.author import Author
from rollout.core.problems import InvalidChange, InvalidValue, Problem, uai_refusal
from rollout.core.text import fold
from rollout.imports import cells
from rollout.imports.pipeline import Change, Importer, Preview
from rollout.imports.tabular import Column, Table
from rollout.models import ImportBatch, Programme, School
from rollout.models.training import PixCertificationRecord
from rollout.training.milestones import refresh_school_milestones

COLUMNS = (
    Column("date", ("date_certification",)),
    Column("uai", ("rne", "code_uai")),
    Column("level", ("niveau",)),
    Column("certified", ("certifies", "nombre")),
)
LEVEL_WORDS = {"initie": "initie", "initiated": "initie", "beginner": "initie", "confirme": "confirme",
               "confirmed": "confirme", "intermediate": "confirme", "avance": "avance", "advanced": "avance",
               "expert": "expert"}
RECORD_ENTITY = "pix_certification"

Key = tuple[int, date, str]
"""(school id, certified on, level)."""


def pix_level(text: str) -> str:
    """The stored level of a cell, French or English, any case or accent (`Confirmé`, `advanced`)."""
    level = LEVEL_WORDS.get(re.sub(r"[^a-z]+", "", fold(text)))
    if level is None:
        raise InvalidValue("unknown_pix_level")
    return level


def stored_records(session: Session, *, school_ids: set[int]) -> dict[Key, int]:
    """The stored certifications of `school_ids`, by key."""
    statement = select(PixCertificationRecord).where(col(PixCertificationRecord.school_id).in_(sorted(school_ids)))
    return {(record.school_id, record.certified_on, record.level): record.certified for record in session.exec(statement)}


def check_totals(rows: dict[Key, int], stored: dict[Key, int], schools: dict[int, School],
                 numbers: dict[Key, int] | None = None) -> list[Problem]:
    """A problem for each school whose certified teachers, after `rows`, exceed its teachers."""
    totals: dict[int, int] = defaultdict(int)
    for key, certified in {**stored, **rows}.items():
        totals[key[0]] += certified
    first_rows: dict[int, int | None] = {}  # each school's first row, found in one pass: a scan a school was quadratic
    for key in rows:
        number = numbers[key] if numbers else None
        earlier = first_rows.get(key[0], number)
        first_rows[key[0]] = number if earlier is None or number is None else min(earlier, number)
    problems = []
    for school_id, total in sorted(totals.items()):
        teachers = schools[school_id].teachers
        if total > teachers and school_id in first_rows:
            problems.append(Problem("more_than_teachers", row=first_rows[school_id], column="certified", value=str(total),
                                    params={"teachers": teachers}))
    return problems


def write_certifications(session: Session, *, programme: Programme, rows: dict[Key, int], author: Author,
                         today: date) -> dict[str, int]:
    """Store `rows` (checked), audit each record written, derive the schools' totals and
    milestones. InvalidChange when a school is gone or would count more certified teachers than
    it has. Returns the counts written (new, changed, unchanged). Does not commit."""
    schools = {school.id: school for school in session.exec(
        select(School).where(School.programme_id == programme.id, col(School.id).in_(sorted({key[0] for key in rows}))))}
    if any(key[0] not in schools for key in rows):
        raise InvalidChange([Problem("school_deleted_since_preview")])
    records = {(record.school_id, record.certified_on, record.level): record for record in session.exec(
        select(PixCertificationRecord).where(col(PixCertificationRecord.school_id).in_(sorted(schools))))}
    stored = {key: record.certified for key, record in records.items()}
    if problems := check_totals(rows, stored, schools):
        raise InvalidChange(problems)
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    written: list[tuple[Key, PixCertificationRecord, int | None]] = []
    for key, certified in rows.items():
        before = stored.get(key)
        if before == certified:
            counts["unchanged"] += 1
            continue
        record = records.get(key)
        if record is None:
            school_id, certified_on, level = key
            record = PixCertificationRecord(school_id=school_id, certified_on=certified_on, level=level, certified=certified)
            counts["new"] += 1
        else:
            record.certified = certified
            counts["changed"] += 1
        session.add(record)
        written.append((key, record, before))
    session.flush()  # once for the file, not a query and a flush a row: a file holds tens of thousands
    author.record_many(session, programme=programme, changes=(
        audit.Change(RECORD_ENTITY, record.id, "create" if before is None else "update",
                     {"uai": [None, schools[school_id].uai], "certified_on": [None, certified_on], "level": [None, level],
                      "certified": [before, record.certified]})
        for (school_id, certified_on, level), record, before in written))  # one insert for the file's events
    refresh_school_milestones(session, programme, {key[0] for key in rows}, author)
    return counts


class CertificationTable(Importer):
    """Dated Pix+ Édu certifications keyed on (school, date, level)."""

    kind = "certifications"
    action = "record_progress"
    listing = "training_records.certifications"
    key_label = _l("Établissement · date · niveau")
    field_names = {"certified": _l("Certifiés")}
    title = _l("Importer des certifications Pix+ Édu")
    intro = _l("Une ligne par établissement, date et niveau : date, UAI, niveau (initié, confirmé, avancé, expert) et "
               "nombre d'enseignants certifiés. Les totaux par niveau et le jalon « Enseignants certifiés Pix+ Édu » "
               "de chaque établissement en découlent.")

    def header(self) -> tuple[Column, ...]:
        return COLUMNS

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        schools = {school.uai: school for school in session.exec(select(School).where(School.programme_id == programme.id))}
        rows: dict[Key, int] = {}
        numbers: dict[Key, int] = {}
        problems: list[Problem] = []
        for number, cells_ in table.rows:
            row_problems: list[Problem] = []

            def problem(column: str, code: str, **params: Any) -> None:
                row_problems.append(Problem(code, row=number, column=column, value=cells_.get(column, ""), params=params))

            key = _read_key(cells_, schools=schools, today=today, problem=problem)
            certified = cells.read_count(cells_, "certified", problem, required=True)
            if key is not None and key in numbers:
                row_problems.append(Problem("certification_key_repeated", row=number, params={"first": numbers[key]}))
            problems.extend(row_problems)
            if key is not None and not row_problems and certified is not None:
                rows[key], numbers[key] = certified, number
        by_id = {school.id: school for school in schools.values()}
        if not problems:
            stored = stored_records(session, school_ids={key[0] for key in rows})
            problems = check_totals(rows, stored, by_id, numbers)
        if problems:
            return Preview(kind=self.kind, filename=table.filename, problems=problems)
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        changes = []
        for key, certified in rows.items():
            before = stored.get(key)
            action = "new" if before is None else "unchanged" if before == certified else "changed"
            counts[action] += 1
            if action != "unchanged":
                changes.append(Change(row=numbers[key], key=f"{by_id[key[0]].uai} · {key[1]:%d/%m/%Y} · {key[2]}",
                                      action=action, changes={"certified": [before, certified]}))
        return Preview(kind=self.kind, filename=table.filename, counts=counts, changes=changes, payload=rows)

    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> dict[str, int]:
        """Store the preview's certifications (see `write_certifications`), each audit event
        naming the batch. Does not commit."""
        return write_certifications(session, programme=programme, rows=preview.payload, author=author.for_batch(batch.id),
                                    today=today)

    def dump(self, payload: dict[Key, int]) -> list[list[Any]]:
        return [[school_id, certified_on.isoformat(), level, certified]
                for (school_id, certified_on, level), certified in payload.items()]

    def load(self, rows: list[list[Any]]) -> dict[Key, int]:
        return {(row[0], date.fromisoformat(row[1]), row[2]): row[3] for row in rows}


def _read_key(row: dict[str, str], *, schools: dict[str, School], today: date,
              problem: Callable[..., None]) -> Key | None:
    """The row's (school, date, level), or None after reporting what is wrong with them."""
    school = schools.get(row["uai"].upper())
    if school is None:
        refusal = InvalidValue("required") if not row["uai"] else uai_refusal(row["uai"].upper()) or InvalidValue("unknown_uai")
        problem("uai", refusal.code, **refusal.params)
    certified_on = None
    try:
        certified_on = cells.day(row["date"]) if row["date"] else None
        if certified_on is None:
            problem("date", "required")
        elif certified_on > today:
            problem("date", "date_in_future", today=f"{today:%d/%m/%Y}")
            certified_on = None
    except InvalidValue as error:
        problem("date", error.code, **error.params)
    level = None
    try:
        level = pix_level(row["level"]) if row["level"] else None
        if level is None:
            problem("level", "required")
    except InvalidValue as error:
        problem("level", error.code, **error.params)
    if school is None or certified_on is None or level is None:
        return None
    return school.id, certified_on, level

