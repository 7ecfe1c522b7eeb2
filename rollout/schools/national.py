"""Importing a district's schools straight from the national collège file (the columns of
`rollout/colleges/data/colleges-fr-2021.csv`: uai, name, sector, commune_code, commune,
department_code, …, rep, rep_plus, pupils, latitude, longitude).

The file has neither teachers nor basins, so:

- teachers are estimated from pupils and priority education (`rollout.colleges.teachers`,
  the rule the demo uses) for new schools only; a school already in the programme keeps the
  teachers and basin people gave it, and only the fields the national file holds (name,
  commune, pupils, priority, position) are compared and updated;
- basins: a commune that already has schools in the programme goes to their basin (so a
  re-import and hand-made basins are respected); a département none of whose communes has
  schools in the programme yet is clustered into basins of about `schools_per_basin` schools
  with the demo's deterministic clustering (`rollout.colleges.clustering`, codes `093-01`,
  `093-02`, … named after their largest commune); any other new commune joins the basin whose
  schools are nearest. People can then move schools or rename basins; a re-import keeps their
  choices.

The result is an ordinary schools preview (with the basins to create), confirmed like any
import: all or nothing, audited with the batch id. Its new schools are offered to untick
(`facts["choosable"]`): the person picks a département, then leaves out the collèges the
programme does not cover, and basins created only for those are not created either.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any, Iterable

from sqlmodel import Session, select

from rollout.colleges.clustering import Commune, centroid, cluster_communes, communes_of, nearest
from rollout.colleges.national_file import College
from rollout.colleges.teachers import estimated_teachers
from rollout.core.messages import Message
from rollout.core.problems import InvalidValue, Problem
from rollout.imports.pipeline import Preview
from rollout.imports.tabular import Column, Table, TableError
from rollout.models import Basin, Programme, School
from rollout.imports import cells
from rollout.imports.reference import Entry, Row, classify, entries_preview
from rollout.schools.table import SchoolTable

SCHOOLS_PER_BASIN = 16
NATIONAL_FIELDS = {"name", "commune", "commune_code", "pupils", "priority", "latitude", "longitude"}
COLUMNS = [
    Column("uai"), Column("name"), Column("sector"), Column("commune_code"), Column("commune"),
    Column("department_code"), Column("rep"), Column("rep_plus"), Column("pupils"),
    Column("latitude", required=False), Column("longitude", required=False),
]


def department_code(text: str) -> str:
    """`93` or `093` → `093` (the file's three-character codes; `2A` → `02A`)."""
    return text.strip().upper().zfill(3)


def _college(cells_: dict[str, str], number: int) -> tuple[College | None, list[Problem]]:
    problems = []

    def typed(column: str, convert: Any) -> Any:
        text = cells_.get(column, "")
        if not text:
            return None
        try:
            return convert(text)
        except InvalidValue as error:
            problems.append(error.at(row=number, column=column, value=text))
            return None

    pupils = typed("pupils", cells.integer)
    latitude, longitude = typed("latitude", cells.decimal), typed("longitude", cells.decimal)
    if pupils is None and not problems:
        problems.append(Problem("required", row=number, column="pupils", value=""))
    if problems:
        return None, problems
    return College(
        uai=cells_["uai"], name=cells_["name"], sector=cells_["sector"], commune_code=cells_["commune_code"],
        commune=cells_["commune"], department_code=department_code(cells_["department_code"]), department="",
        academy_code="", academy="", rep=cells_["rep"] == "1", rep_plus=cells_["rep_plus"] == "1", pupils=pupils,
        latitude=latitude, longitude=longitude,
    ), []


def _new_basins(department: str, colleges: list[College], schools_per_basin: int, taken: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Cluster a département's communes: (commune code → basin code, basin code → name)."""
    clusters = cluster_communes(communes_of(colleges), max(1, round(len(colleges) / schools_per_basin)))
    clusters.sort(key=lambda cluster: min(commune.code for commune in cluster))
    free = (f"{department}-{number:02d}" for number in range(1, 1000) if f"{department}-{number:02d}" not in taken)
    commune_basin: dict[str, str] = {}
    names: dict[str, str] = {}
    for cluster in clusters:
        code = next(free)
        names[code] = f"Bassin de {max(cluster, key=lambda commune: (commune.pupils, commune.code)).name}"
        commune_basin.update((commune.code, code) for commune in cluster)
    if not names:  # no collège has coordinates
        names[next(free)] = f"Bassin {department}"
    first = min(names)
    for college in colleges:
        commune_basin.setdefault(college.commune_code, first)
    return commune_basin, names


def _programme_basins(session: Session, programme: Programme) -> tuple[dict[str, str], dict[str, tuple[float, float]]]:
    """What the programme's schools say of its basins: the basin of each commune (the most
    common among its schools) and each basin's pupil-weighted centre."""
    schools = session.exec(
        select(School.commune_code, School.latitude, School.longitude, School.pupils, Basin.code)
        .join(Basin, Basin.id == School.basin_id).where(School.programme_id == programme.id)
    ).all()
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    located: dict[str, list[Commune]] = defaultdict(list)
    for commune_code, latitude, longitude, pupils, basin in schools:
        if commune_code:
            votes[commune_code][basin] += 1
        if latitude is not None and longitude is not None:
            located[basin].append(Commune(commune_code or "", "", latitude, longitude, pupils))
    communes = {commune: max(sorted(counter), key=counter.__getitem__) for commune, counter in votes.items()}
    return communes, {basin: centroid(points) for basin, points in located.items()}


def assign_basins(
    session: Session, programme: Programme, colleges: list[College], schools_per_basin: int
) -> tuple[dict[str, str], dict[str, str]]:
    """Each commune's basin, and the basins to create (code → name); see the module docstring.
    A département none of whose communes has schools in the programme gets its own basins."""
    known, centres = _programme_basins(session, programme)
    taken = set(session.exec(select(Basin.code).where(Basin.programme_id == programme.id)))
    fallback = min(taken) if taken else None
    by_department: dict[str, list[College]] = defaultdict(list)
    for college in colleges:
        by_department[college.department_code].append(college)
    commune_basin = dict(known)
    created: dict[str, str] = {}
    for department in sorted(by_department):
        members = by_department[department]
        if fallback is None or not any(college.commune_code in known for college in members):
            clustered, names = _new_basins(department, members, schools_per_basin, taken | set(created))
            commune_basin.update(clustered)
            created.update(names)
            continue
        for commune in communes_of(members):
            if commune.code not in commune_basin and centres:
                commune_basin[commune.code] = nearest((commune.latitude, commune.longitude), centres)
        for college in members:
            commune_basin.setdefault(college.commune_code, fallback)
    return commune_basin, created


class NationalSchoolTable(SchoolTable):
    """The schools import, read from the national file: the collèges of `departments` (public
    ones unless `include_private`), with the basins it creates. Confirmed like any schools
    import (its kind is "schools")."""

    def __init__(self, *, departments: Iterable[str], include_private: bool = False,
                 schools_per_basin: int = SCHOOLS_PER_BASIN) -> None:
        super().__init__()
        self.departments = {department_code(code) for code in departments}
        self.include_private = include_private
        self.schools_per_basin = schools_per_basin

    def header(self) -> list[Column]:
        return COLUMNS

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        colleges: list[tuple[int, College]] = []
        problems: list[Problem] = []
        skipped_private = 0
        for number, row in table.rows:
            if department_code(row["department_code"]) not in self.departments:
                continue
            if row["sector"] != "public" and not self.include_private:
                skipped_private += 1
                continue
            college, row_problems = _college(row, number)
            problems += row_problems
            if college is not None:
                colleges.append((number, college))
        if not colleges and not problems:
            wanted = ", ".join(sorted(self.departments))
            raise TableError(table.filename, [Problem("no_college_in_departments", params={"departments": wanted})])
        basin_of, new_basins = assign_basins(session, programme, [college for _, college in colleges], self.schools_per_basin)
        self.new_basins = new_basins
        current = {school.uai: school for school in session.exec(select(School).where(School.programme_id == programme.id))}
        basin_codes = dict(session.exec(select(Basin.id, Basin.code).where(Basin.programme_id == programme.id)).all())
        rows = []
        for number, college in colleges:
            existing = current.get(college.uai)
            rows.append(Row(number=number, values={
                "uai": college.uai, "name": college.name, "commune": college.commune, "commune_code": college.commune_code,
                "pupils": college.pupils, "priority": college.priority, "latitude": college.latitude, "longitude": college.longitude,
                "teachers": existing.teachers if existing else estimated_teachers(college.pupils, college.priority),
                "basin": basin_codes[existing.basin_id] if existing else basin_of[college.commune_code],
            }))
        entries, row_problems = classify(self, session, programme, rows, NATIONAL_FIELDS)
        used = {entry.data.get("basin") for entry in entries if entry.action == "new"}
        basin_entries = [
            Entry(row=0, key=code, action="new", data={"code": code, "name": name}, entity="basin")
            for code, name in sorted(new_basins.items()) if code in used
        ]
        notes = []
        if basin_entries:
            notes.append(Message("basins_created", {"count": len(basin_entries), "per_basin": self.schools_per_basin,
                                                    "codes": ", ".join(entry.key for entry in basin_entries)}))
        if skipped_private:
            notes.append(Message("private_colleges_skipped", {"count": skipped_private}))
        preview = entries_preview(self.kind, table.filename, basin_entries + entries, problems + row_problems, notes)
        preview.facts["choosable"] = [_choosable(entry.data) for entry in entries if entry.action == "new"]
        return preview


def _choosable(school: dict[str, Any]) -> dict[str, Any]:
    """A new school as the preview offers it to untick (JSON-ready: a kept preview stores it)."""
    return {name: school.get(name) for name in ("uai", "name", "commune", "priority", "pupils", "teachers", "basin")}
