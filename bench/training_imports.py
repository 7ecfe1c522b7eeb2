"""How long the three training imports take at the country's scale, against reading the same
file alone, and how much memory each holds at its peak.

    python -m bench.training_imports [--postgres URL] [--no-sqlite] [--scale 1.0] [--no-memory]

A programme is built from the national collège file (`rollout.colleges.national_file`: the
5,287 public collèges, one basin a département, 300 academic trainers); then three files, in
the contract's CSV (`../shared/contracts/training.md`), are imported through `import_file`,
the API's and the command line's one call:
- sessions for the whole country: every collège trained about six times (~30,000 rows);
- a M@gistère participants export of the largest académie (Versailles, 426 collèges), one row a
  participant with their name and e-mail, ten courses (~200,000 rows);
- 50,000 Pix+ Édu certifications across the country.
First, the certifications' totals check alone refuses 50,000 certifications that put every
collège over its teachers (a refused file must be refused fast too). Each file is first read alone (`read_table`, the work every import starts with: the baseline,
measured in the same run, so the ratio says what typing, checking and writing cost on top).
With memory on, each read and import runs once more under `tracemalloc` (rolled back), so the
timings are not slowed by the tracing; peak is Python's allocations, the file's bytes included.
Schools and people are real collèges and invented participants; nothing is read from the demo.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from sqlmodel import Session

from bench.scratch import scratch_postgres
from rollout.colleges.national_file import public_colleges
from rollout.colleges.teachers import estimated_teachers
from rollout.core.author import Author
from rollout.db import make_engine, upgrade
from rollout.imports.pipeline import Importer, import_file
from rollout.imports.tabular import read_table
from rollout.models import Basin, District, Programme, School, Trainer
from rollout.training.certifications import CertificationTable, check_totals
from rollout.training.course_import import CourseTable
from rollout.training.session_import import SessionTable

TODAY = date(2026, 11, 30)
FIRST_DAY = date(2025, 9, 1)
TRAINERS = 300
ACADEMY = "Versailles"
COURSES = tuple(f"Parcours ENT {number:02d}" for number in range(1, 11))
AUTHOR = Author(actor="bench", channel="cli")


@dataclass(frozen=True)
class Result:
    """One file: its rows and bytes, the read alone and the import (seconds, peak MiB), and what
    the import wrote."""

    kind: str
    rows: int
    size: int
    read_seconds: float
    import_seconds: float
    read_peak: float | None
    import_peak: float | None
    counts: dict[str, int]


def build_programme(engine: sa.Engine) -> tuple[int, list[tuple[str, int]]]:
    """One programme of every public collège of France; its id and (UAI, teachers) by school."""
    colleges = public_colleges()
    with Session(engine) as session:
        district = District(code="FR", name="France")
        session.add(district)
        session.flush()
        programme = Programme(district_id=district.id, name="ENT national", platform="ENT", start_date=FIRST_DAY)
        session.add(programme)
        session.flush()
        basins: dict[str, Basin] = {}
        for code in sorted({college.department_code for college in colleges}):
            basins[code] = Basin(programme_id=programme.id, code=code, name=f"Département {code}")
        session.add_all(basins.values())
        session.flush()
        schools = [School(programme_id=programme.id, basin_id=basins[college.department_code].id, uai=college.uai,
                          name=college.name, commune=college.commune, commune_code=college.commune_code,
                          pupils=college.pupils, teachers=estimated_teachers(college.pupils, college.priority),
                          priority=college.priority, latitude=college.latitude, longitude=college.longitude)
                   for college in colleges]
        session.add_all(schools)
        session.add_all(Trainer(programme_id=programme.id, code=f"AT-{number:03d}", name=f"Formateur {number}",
                                tier="academic", capacity=8, trained=True, all_basins=True)
                        for number in range(1, TRAINERS + 1))
        session.commit()
        return programme.id, [(school.uai, school.teachers) for school in schools]


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def sessions_file(schools: list[tuple[str, int]], scale: float) -> bytes:
    """About six sessions a collège, one in three with the organiser's reference."""
    rows: list[list[object]] = []
    per_school = max(1, round(6 * scale))
    for index, (uai, teachers) in enumerate(schools):
        for number in range(per_school - index % 2):
            day = FIRST_DAY + timedelta(days=(index * 7 + number * 37) % 440)
            audience = "enseignants" if number % 4 else "direction"
            reference = f"S-{uai}-{number}" if number % 3 == 0 else ""
            rows.append([day.strftime("%d/%m/%Y"), f"AT-{1 + (index + number) % TRAINERS:03d}", audience, uai,
                         ("présentiel", "distanciel", "hybride")[number % 3], "3,5" if number % 2 else "2",
                         min(teachers, 4 + number * 3), "réalisée", reference])
    return _csv(["Date", "Formateur", "Public", "UAI", "Modalité", "Durée", "Participants", "Statut", "Identifiant"], rows)


def courses_file(schools: list[tuple[str, int]], target: int) -> bytes:
    """A cumulative export, one row a participant (name and e-mail included, as M@gistère
    writes them): every teacher of the académie's collèges in each course until `target` rows."""
    statuses = ("Inscrit", "En cours", "Terminé", "Terminé", "Achevé")
    rows: list[list[object]] = []
    person = 0
    while len(rows) < target:
        for course in COURSES:
            for uai, teachers in schools:
                for _ in range(teachers):
                    person += 1
                    status = statuses[person % len(statuses)]
                    done = (FIRST_DAY + timedelta(days=person % 450)).strftime("%d/%m/%Y") if status in ("Terminé", "Achevé") else ""
                    rows.append([f"Nom{person}", f"Prénom{person}", f"participant{person}@ac-versailles.fr", course, uai,
                                 status, done])
                    if len(rows) == target:
                        return _csv(["Nom", "Prénom", "Adresse électronique", "Nom du parcours", "RNE", "État",
                                     "Date achèvement"], rows)
    raise AssertionError("unreachable")


def certifications_file(schools: list[tuple[str, int]], target: int) -> bytes:
    """`target` dated certifications, one or two teachers each, round the country's collèges,
    never more certified teachers in a collège than it has."""
    levels = ("initié", "confirmé", "avancé", "expert")
    certified = dict.fromkeys((uai for uai, _ in schools), 0)
    rounds = dict.fromkeys(certified, 0)
    rows: list[list[object]] = []
    while len(rows) < target:
        before = len(rows)
        for uai, teachers in schools:
            count = 1 + rounds[uai] % 2
            if certified[uai] + count > teachers:
                continue
            number = rounds[uai]
            day = FIRST_DAY + timedelta(days=(number // 4) * 14 + len(rows) % 7)
            rows.append([day.isoformat(), uai, levels[number % 4], count])
            certified[uai] += count
            rounds[uai] += 1
            if len(rows) == target:
                break
        if len(rows) == before:
            raise ValueError("the collèges have too few teachers for so many certifications")
    return _csv(["date_certification", "uai", "niveau", "certifies"], rows)


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _peak(work: Callable[[], object]) -> float:
    """The most Python allocated while `work` ran, in MiB."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _import(engine: sa.Engine, programme_id: int, importer: Importer, data: bytes, filename: str, *,
            commit: bool) -> dict[str, int]:
    with Session(engine) as session:
        _, batch = import_file(session, importer=importer, programme=session.get(Programme, programme_id), data=data,
                               filename=filename, author=AUTHOR, today=TODAY, dry_run=False)
        if batch is None:
            raise AssertionError(f"{filename}: nothing to write")
        counts = {"new": batch.rows_new, "replaced": batch.rows_replaced, "unchanged": batch.rows_unchanged}
        if commit:
            session.commit()
        else:
            session.rollback()
    return counts


def measure(engine: sa.Engine, programme_id: int, importer: Importer, data: bytes, filename: str, *,
            memory: bool) -> Result:
    """Read the file alone, then import it (committed); with `memory`, each once more traced."""
    columns = importer.header()
    read_seconds, table = _timed(lambda: read_table(data, filename, columns))
    read_peak = _peak(lambda: read_table(data, filename, columns)) if memory else None
    import_peak = _peak(lambda: _import(engine, programme_id, importer, data, filename, commit=False)) if memory else None
    import_seconds, counts = _timed(lambda: _import(engine, programme_id, importer, data, filename, commit=True))
    return Result(importer.kind, len(table.rows), len(data), read_seconds, import_seconds, read_peak, import_peak, counts)


def run(url: str, *, scale: float, memory: bool) -> list[Result]:
    engine = make_engine(url)
    try:
        upgrade(engine)
        programme_id, schools = build_programme(engine)
        academy = {college.uai for college in public_colleges(academies=[ACADEMY])}
        files = [
            (SessionTable(), sessions_file(schools, scale), "seances-france.csv"),
            (CourseTable(), courses_file([school for school in schools if school[0] in academy], round(200_000 * scale)),
             "magistere-versailles.csv"),
            (CertificationTable(), certifications_file(schools, round(50_000 * scale)), "pix-france.csv"),
        ]
        results = []
        for importer, data, filename in files:
            results.append(measure(engine, programme_id, importer, data, filename, memory=memory))
            _print_row(results[-1])
        return results
    finally:
        engine.dispose()


def refusal_seconds(rows: int = 50_000) -> tuple[int, float]:
    """How long the certifications' totals check takes to refuse `rows` certifications that put
    every public collège over its teachers (the check that was quadratic): problems, seconds."""
    colleges = public_colleges()
    schools = {index: SimpleNamespace(teachers=estimated_teachers(college.pupils, college.priority))
               for index, college in enumerate(colleges)}
    certified = {(number % len(colleges), FIRST_DAY + timedelta(days=number // len(colleges)), "initie"): 200
                 for number in range(rows)}
    numbers = {key: number for number, key in enumerate(certified, start=2)}
    seconds, problems = _timed(lambda: check_totals(certified, {}, schools, numbers))
    return len(problems), seconds


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _print_header(database: str) -> None:
    print(f"\n{database}\n")
    print("| file | rows | MiB | read alone (s) | import (s) | × read | peak read (MiB) | peak import (MiB) "
          "| new / replaced / unchanged |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|", flush=True)


def _print_row(result: Result) -> None:
    """A file's line, as soon as it is measured (a national run takes minutes)."""
    counts = result.counts
    print(f"| {result.kind} | {result.rows:,} | {result.size / 2**20:.1f} | {result.read_seconds:.2f} "
          f"| {result.import_seconds:.2f} | {result.import_seconds / result.read_seconds:.1f} "
          f"| {_mib(result.read_peak)} | {_mib(result.import_peak)} "
          f"| {counts['new']:,} / {counts['replaced']:,} / {counts['unchanged']:,} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("ROLLOUT_TEST_POSTGRES_URL"),
                        help="admin URL of a PostgreSQL server (default: $ROLLOUT_TEST_POSTGRES_URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the sizes, for a quick look")
    parser.add_argument("--no-memory", action="store_true", help="time only (no traced runs)")
    args = parser.parse_args()
    memory = not args.no_memory
    problems, seconds = refusal_seconds(round(50_000 * args.scale))
    print(f"Certifications refused, every collège over its teachers: {problems:,} problems in {seconds:.2f} s")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            _print_header("SQLite")
            run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", scale=args.scale, memory=memory)
    if args.postgres:
        with scratch_postgres(args.postgres) as url:
            _print_header("PostgreSQL")
            run(url, scale=args.scale, memory=memory)


if __name__ == "__main__":
    main()
