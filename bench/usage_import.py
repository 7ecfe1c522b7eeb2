"""How long importing the demo's usage file takes, against reading the file alone.

    python bench/usage_import.py [--postgres URL]

The demo is loaded into a fresh database (a temporary SQLite file; with --postgres, a new
PostgreSQL database created and dropped, which needs a user allowed to create databases). Its
usage file (~250,000 weekly rows) is written from the same simulation the demo was loaded
from, then imported four times:
1. into the demo as loaded: every row is unchanged (the file and the demo agree);
2. after deleting the programme's usage: every row is new (bulk insert, COPY on PostgreSQL);
3. the same file again: unchanged (the idempotent re-import);
4. a file whose every count changed: every row is replaced.
The baseline, measured in the same run, is reading the file into cells (`read_table`), which
every import has to do; the ratio says what validating, comparing and writing cost on top.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from bench.scratch import scratch_postgres
from fixtures import simulation
from rollout.cli import load_dataset_committed
from rollout.datasets import HISTORY_END
from rollout.db import make_engine, upgrade
from rollout.imports.tabular import read_table
from rollout.models import Plan, Programme, School, UsageRecord, Wave
from rollout.core.author import Author
from rollout.imports.pipeline import import_file
from rollout.usage.table import COLUMNS, UsageTable


@dataclass(frozen=True)
class Measure:
    what: str
    seconds: float
    counts: dict[str, int] | None = None


def write_demo_usage_csv(session: Session, programme: Programme, path: Path) -> int:
    """The demo's usage as the contract's CSV, simulated from the programme's baseline plan
    exactly as `rollout fixtures load` simulated what it stored."""
    plan = session.exec(select(Plan).where(Plan.programme_id == programme.id, Plan.is_baseline)).one()
    waves = {wave.code: wave for wave in session.exec(select(Wave).where(Wave.programme_id == programme.id))}
    wave_of = {row["uai"]: waves[row["wave"]] for row in plan.result["assignments"]}
    schools = session.exec(select(School).where(School.programme_id == programme.id)).all()
    sim_schools = [
        simulation.SimSchool(
            uai=school.uai, pupils=school.pupils, teachers=school.teachers, priority=school.priority,
            wave_start=wave_of[school.uai].start_date, wave_end=wave_of[school.uai].end_date,
            pilot=school.pinned_wave_id is not None,
        )
        for school in schools
    ]
    rows = simulation.simulate_usage(sim_schools, start=programme.start_date, end=HISTORY_END)
    return simulation.write_usage_csv(rows, path)


def _changed_copy(source: Path, target: Path) -> None:
    """The same rows with one more visit each: every row of the file replaces its stored row."""
    with source.open(encoding="utf-8", newline="") as reading, target.open("w", encoding="utf-8", newline="") as writing:
        rows = csv.reader(reading)
        writer = csv.writer(writing)
        header = next(rows)
        writer.writerow(header)
        visits = header.index("visits")
        for row in rows:
            row[visits] = str(int(row[visits]) + 1)
            writer.writerow(row)


def _timed_import(engine: sa.Engine, programme_id: int, path: Path, what: str) -> Measure:
    data = path.read_bytes()
    started = time.perf_counter()
    with Session(engine) as session:
        _, batch = import_file(
            session, importer=UsageTable(), programme=session.get(Programme, programme_id), data=data,
            filename=path.name, author=Author(actor="bench", channel="cli"), today=date.today(), dry_run=False,
        )
        counts = {"new": batch.rows_new, "replaced": batch.rows_replaced, "unchanged": batch.rows_unchanged}
        session.commit()
    return Measure(what, time.perf_counter() - started, counts)


def run(url: str, folder: Path) -> list[Measure]:
    """Load the demo into `url`, then read and import its usage file as the module describes."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        programme = load_dataset_committed(engine, "seine-saint-denis")
        path, changed = folder / "usage-demo.csv", folder / "usage-demo-changed.csv"
        with Session(engine) as session:
            write_demo_usage_csv(session, programme, path)
        _changed_copy(path, changed)
        data = path.read_bytes()
        started = time.perf_counter()
        table = read_table(data, path.name, COLUMNS)
        measures = [Measure(f"read the file alone ({len(table.rows)} rows)", time.perf_counter() - started)]
        measures.append(_timed_import(engine, programme.id, path, "import into the demo (all unchanged)"))
        with Session(engine) as session:
            school_ids = select(School.id).where(School.programme_id == programme.id)
            session.execute(sa.delete(UsageRecord).where(UsageRecord.school_id.in_(school_ids)))
            session.commit()
        measures.append(_timed_import(engine, programme.id, path, "import into an empty programme (all new)"))
        measures.append(_timed_import(engine, programme.id, path, "import the same file again (unchanged)"))
        measures.append(_timed_import(engine, programme.id, changed, "import with every count changed (replaced)"))
        return measures
    finally:
        engine.dispose()


def _print(database: str, measures: list[Measure]) -> None:
    baseline = measures[0].seconds
    print(f"\n{database}")
    print(f"{'what':<48} {'seconds':>8} {'× baseline':>11}   new / replaced / unchanged")
    for measure in measures:
        counts = ""
        if measure.counts is not None:
            counts = f"{measure.counts['new']} / {measure.counts['replaced']} / {measure.counts['unchanged']}"
        print(f"{measure.what:<48} {measure.seconds:8.2f} {measure.seconds / baseline:11.2f}   {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (optional)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _print("SQLite", run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", Path(folder)))
        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                _print("PostgreSQL", run(url, Path(folder)))


if __name__ == "__main__":
    main()
