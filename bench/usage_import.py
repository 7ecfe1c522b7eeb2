"""How long importing the demo's usage file takes, against reading the file alone.

    python bench/usage_import.py [--postgres URL]
    python bench/usage_import.py --rows 1000000 [--repeat 2] [--tracemalloc] [--postgres URL]

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

With `--rows N`, a daily file instead (issue #14): the demo's last N daily rows (every collège,
service and profile, day by day up to the end of the demo's history, as `rollout fixtures load
--usage daily` simulates them) imported as new rows into the demo emptied of its usage, against
the RAW speed of inserting the same rows with the driver alone in the same run: sqlite3
`executemany`, or psycopg `COPY` on PostgreSQL, the rows already typed in memory and the commit
included, into an exact copy of the usage table (same columns, checks, unique key, index and
foreign keys: what the import writes into), and into a bare table of the same columns (no key,
no check, no index: the fastest the driver goes). Each measure runs in a fresh process
(`spawn`), which reports its peak resident memory (`ru_maxrss`) and its resident memory before
the measure, the file read; `--tracemalloc` adds a second import run under tracemalloc for the
peak of Python's own allocations (slower, so not timed).

With `--queued` as well, the same file imported as the upload page hands a large file to
`rollout worker`: the preview task's body, then (confirmed) the write task's body
(`rollout.imports.tasks.run_preview`, `run_write`), each timed, with the process's peak memory
and the size of what the kept preview holds in the database (`savedpreview.rows`).
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import resource
import sqlite3
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

import sqlalchemy as sa
from sqlmodel import Session, select

from bench.scratch import scratch_postgres
from fixtures import simulation
from rollout.cli import load_dataset_committed, reset_demo_accounts
from rollout.datasets import HISTORY_END
from rollout.db import make_engine, upgrade
from rollout.imports.tabular import read_table
from rollout.models import Plan, Programme, SavedPreview, School, SchoolMonth, UsageMonth, UsageRecord, User, Wave
from rollout.core.author import Author
from rollout.imports.pipeline import import_file
from rollout.usage.profiles import audience_of
from rollout.usage.table import COLUMNS, SQLITE_CACHE_MB, UsageTable


@dataclass(frozen=True)
class Measure:
    what: str
    seconds: float
    counts: dict[str, int] | None = None


def write_demo_usage_csv(session: Session, programme: Programme, path: Path) -> int:
    """The demo's usage as the contract's CSV, simulated from the programme's baseline plan
    exactly as `rollout fixtures load` simulated what it stored."""
    sim_schools = _sim_schools(session, programme)
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
        preview, batch = import_file(
            session, importer=UsageTable(), programme=session.get(Programme, programme_id), data=data,
            filename=path.name, author=Author(actor="bench", channel="cli"), today=date.today(), dry_run=False,
        )
        counts = {"new": preview.counts["new"], "replaced": preview.counts["changed"],  # no batch: nothing written
                  "unchanged": preview.counts["unchanged"]}
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


# --- the daily file (--rows) -----------------------------------------------------------------


def write_daily_usage_csv(session: Session, programme: Programme, path: Path, rows: int) -> int:
    """The demo's last `rows` daily usage rows as the contract's CSV, in the simulation's order
    (school by school, day by day). Two passes over the simulation, so that no row is held: the
    first counts the rows of each day, the second writes those from the first day needed on
    (only the last rows of that first day, so the count is exact)."""
    sim_schools = _sim_schools(session, programme)

    def simulated() -> Iterator[simulation.SimUsageRow]:
        return simulation.simulate_usage(sim_schools, start=programme.start_date, end=HISTORY_END, period="day")

    per_day: Counter[date] = Counter(row.date for row in simulated())
    if rows > sum(per_day.values()):
        raise SystemExit(f"the demo simulates {sum(per_day.values()):,} daily rows, fewer than {rows:,}")
    kept, first_day = 0, None
    for day in sorted(per_day, reverse=True):
        first_day = day
        if kept + per_day[day] >= rows:
            break
        kept += per_day[day]
    skip_on_first_day = per_day[first_day] - (rows - kept)

    def chosen() -> Iterator[simulation.SimUsageRow]:
        skipped = 0
        for row in simulated():
            if row.date == first_day and skipped < skip_on_first_day:
                skipped += 1
            elif row.date >= first_day:
                yield row

    return simulation.write_usage_csv(chosen(), path)


def _sim_schools(session: Session, programme: Programme) -> list[simulation.SimSchool]:
    plan = session.exec(select(Plan).where(Plan.programme_id == programme.id, Plan.is_baseline)).one()
    waves = {wave.code: wave for wave in session.exec(select(Wave).where(Wave.programme_id == programme.id))}
    wave_of = {row["uai"]: waves[row["wave"]] for row in plan.result["assignments"]}
    schools = session.exec(select(School).where(School.programme_id == programme.id)).all()
    return [
        simulation.SimSchool(
            uai=school.uai, pupils=school.pupils, teachers=school.teachers, priority=school.priority,
            wave_start=wave_of[school.uai].start_date, wave_end=wave_of[school.uai].end_date,
            pilot=school.pinned_wave_id is not None,
        )
        for school in schools
    ]


def _empty_usage(engine: sa.Engine, programme_id: int) -> None:
    """Delete the programme's usage rows and summaries."""
    with Session(engine) as session:
        school_ids = select(School.id).where(School.programme_id == programme_id)
        for table in (UsageRecord.__table__, UsageMonth.__table__, SchoolMonth.__table__):
            session.execute(sa.delete(table).where(table.c.school_id.in_(school_ids)))
        session.commit()


RAW_TABLE = "raw_usage_baseline"


def _raw_table() -> sa.Table:
    """An exact copy of the usage table under another name: its columns, checks, unique key,
    index and foreign keys (to the real `school` and `importbatch`, through stand-ins of the
    same names), its constraints named by the database so that their indexes do not clash."""
    metadata = sa.MetaData()
    for referred in ("school", "importbatch"):
        sa.Table(referred, metadata, sa.Column("id", sa.Integer, primary_key=True))
    table = UsageRecord.__table__.to_metadata(metadata, name=RAW_TABLE)
    for constraint in table.constraints:
        constraint.name = None
    for index in list(table.indexes):
        table.indexes.discard(index)
    sa.Index(f"ix_{RAW_TABLE}_import_batch_id", table.c.import_batch_id)
    return table


def _typed_rows(url: str, programme_id: int, path: Path) -> list[tuple[Any, ...]]:
    """The file's rows as the driver takes them: school ids, dates, audiences, integers."""
    engine = make_engine(url)
    with Session(engine) as session:
        schools = dict(session.execute(select(School.uai, School.id).where(School.programme_id == programme_id)).all())
    engine.dispose()
    sqlite = url.startswith("sqlite")
    typed = []
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for day, uai, service, profile, visits, visitors, page_views, period in reader:
            typed.append((schools[uai], day if sqlite else date.fromisoformat(day), period, service, profile,
                          audience_of(profile), int(visits), int(visitors) if visitors else None,
                          int(page_views) if page_views else None))
    return typed


RAW_COLUMNS = ("school_id", "period_start", "period", "service", "profile", "audience", "visits", "visitors", "page_views")


def _measure_raw(url: str, programme_id: int, path: Path) -> dict[str, Any]:
    """In a fresh process: insert the typed rows with the driver alone, commit included, into an
    exact copy of the usage table (`_raw_table`), then into a bare table of its columns (no key,
    no check, no index, no foreign key: the fastest the driver goes), both dropped afterwards.
    SQLite's connection has the app's settings (`rollout.db`: foreign keys, WAL, synchronous
    NORMAL) and the import's page cache (`rollout.usage.table.SQLITE_CACHE_MB`)."""
    rows = _typed_rows(url, programme_id, path)
    before = _rss_mib()
    shaped = _raw_insert(url, _raw_table(), rows)
    plain = _raw_insert(url, sa.Table(f"{RAW_TABLE}_plain", sa.MetaData(),
                                      *(sa.Column(column.name, column.type) for column in _raw_table().c)), rows)
    return {"seconds": shaped, "plain_seconds": plain, "rows": len(rows), "rss_before": before,
            "rss_peak": _peak_rss_mib()}


def _raw_insert(url: str, table: sa.Table, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert `rows` into a new `table` with the driver alone, commit included."""
    engine = make_engine(url)
    table.create(engine)
    engine.dispose()
    columns = ", ".join(RAW_COLUMNS)
    if url.startswith("sqlite"):
        connection = sqlite3.connect(sa.engine.make_url(url).database)
        for setting in ("foreign_keys = ON", "synchronous = NORMAL", f"cache_size = {-1024 * SQLITE_CACHE_MB}"):
            connection.execute(f"PRAGMA {setting}")
        started = time.perf_counter()
        connection.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(RAW_COLUMNS))})", rows)
        connection.commit()
    else:
        connection = psycopg.connect(sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
    seconds = time.perf_counter() - started
    connection.execute(f"DROP TABLE {table.name}")
    connection.commit()
    connection.close()
    return seconds


def _measure_import(url: str, programme_id: int, path: Path, traced: bool) -> dict[str, Any]:
    """In a fresh process: `import_file` as the command line runs it, commit included; with
    `traced`, under tracemalloc (its peak instead of a time worth reading)."""
    engine = make_engine(url)
    with Session(engine) as session:  # connect and read the programme before measuring
        session.get(Programme, programme_id)
    data = path.read_bytes()
    before = _rss_mib()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with Session(engine) as session:
        _, batch = import_file(
            session, importer=UsageTable(), programme=session.get(Programme, programme_id), data=data,
            filename=path.name, author=Author(actor="bench", channel="cli"), today=date.today(), dry_run=False,
        )
        counts = {"new": batch.rows_new, "replaced": batch.rows_replaced, "unchanged": batch.rows_unchanged}
        session.commit()
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    tracemalloc.stop()
    engine.dispose()
    return {"seconds": seconds, "counts": counts, "file_mib": len(data) / 2**20, "rss_before": before,
            "rss_peak": _peak_rss_mib(), "traced_peak": traced_peak}


def _measure_queued(url: str, programme_id: int, user_id: int, path: Path) -> dict[str, Any]:
    """In a fresh process: the page's queued import as `rollout worker` runs it, the preview
    task's body then the write task's, the job confirmed in between as the page confirms it."""
    from rollout.imports import jobs, tasks

    engine = make_engine(url)
    data = path.read_bytes()
    with Session(engine) as session:
        saved = jobs.new_job(session, programme=session.get(Programme, programme_id), kind="usage", filename=path.name,
                             size=len(data), user_id=user_id)
        session.commit()
        saved_id = saved.id
    before = _rss_mib()
    started = time.perf_counter()
    tasks.run_preview(engine, saved_id, data)
    previewed = time.perf_counter()
    preview_peak = _peak_rss_mib()
    with Session(engine) as session:
        saved = session.get(SavedPreview, saved_id)
        kept = len(json.dumps(saved.rows)) / 2**20
        jobs.update_job(saved, status="confirmed")
        session.add(saved)
        session.commit()
    confirmed = time.perf_counter()
    tasks.run_write(engine, saved_id, left_out=set(), author=Author(actor="bench", channel="form", user_id=user_id))
    written = time.perf_counter()
    with Session(engine) as session:
        job = session.get(SavedPreview, saved_id).summary["job"]
    engine.dispose()
    assert job["status"] == "written", job
    return {"preview": previewed - started, "write": written - confirmed, "kept_mib": kept, "rss_before": before,
            "preview_peak": preview_peak, "rss_peak": _peak_rss_mib(), "written": job["written"]}


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`function(*args)` in a fresh interpreter, so that its memory is its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def demo_with_daily_file(engine: sa.Engine, folder: Path, rows: int) -> tuple[Programme, Path]:
    """The demo loaded into `engine` (migrated first), and its last `rows` daily rows as a file in
    `folder` (written once, then reused)."""
    upgrade(engine)
    programme = load_dataset_committed(engine, "seine-saint-denis")
    path = folder / f"usage-daily-{rows}.csv"
    if not path.exists():
        with Session(engine) as session:
            write_daily_usage_csv(session, programme, path, rows)
    return programme, path


def run_daily(url: str, folder: Path, rows: int, repeat: int, traced: bool, queued: bool) -> list[dict[str, Any]]:
    """Load the demo into `url`, write its last `rows` daily rows, then `repeat` times: empty
    the programme's usage, insert the rows raw, empty it again, import them (and with `queued`,
    empty it again and import them as the worker does)."""
    engine = make_engine(url)
    try:
        programme, path = demo_with_daily_file(engine, folder, rows)
        user_id = _a_user(engine) if queued else 0
        results = []
        for _ in range(repeat):
            _empty_usage(engine, programme.id)
            raw = _in_child(_measure_raw, url, programme.id, path)
            _empty_usage(engine, programme.id)
            imported = _in_child(_measure_import, url, programme.id, path, False)
            if traced:
                _empty_usage(engine, programme.id)
                imported["traced_peak"] = _in_child(_measure_import, url, programme.id, path, True)["traced_peak"]
            if queued:
                _empty_usage(engine, programme.id)
                imported["queued"] = _in_child(_measure_queued, url, programme.id, user_id, path)
            results.append({"raw": raw, "import": imported, "load": os.getloadavg()})
        return results
    finally:
        engine.dispose()


def _a_user(engine: sa.Engine) -> int:
    """A demo account's id, the author of the queued import."""
    reset_demo_accounts(engine)
    with Session(engine) as session:
        return session.exec(select(User.id).order_by(User.id)).first()


def _print_daily(database: str, rows: int, results: list[dict[str, Any]]) -> None:
    print(f"\n{database}: {rows:,} daily rows")
    print(f"{'run':>3} {'raw s':>7} {'import s':>9} {'ratio':>6} {'raw plain s':>12} {'ratio':>6} {'file MiB':>9}"
          f" {'RSS before':>11} {'RSS peak':>9} {'RSS growth':>11} {'traced peak':>12} {'load 1/5/15':>15}")
    for number, result in enumerate(results, start=1):
        raw, imported = result["raw"], result["import"]
        traced = f"{imported['traced_peak']:.0f}" if imported["traced_peak"] is not None else "-"
        print(f"{number:>3} {raw['seconds']:7.2f} {imported['seconds']:9.2f} {raw['seconds'] / imported['seconds']:6.3f}"
              f" {raw['plain_seconds']:12.2f} {raw['plain_seconds'] / imported['seconds']:6.3f} {imported['file_mib']:9.1f} {imported['rss_before']:11.0f} {imported['rss_peak']:9.0f}"
              f" {imported['rss_peak'] - imported['rss_before']:11.0f} {traced:>12} "
              + " / ".join(f"{load:.2f}" for load in result["load"]))
        print(f"    counts {imported['counts']}; raw process peak RSS {raw['rss_peak']:.0f} MiB")
        if "queued" in imported:
            queued = imported["queued"]
            print(f"    queued (worker): preview {queued['preview']:.2f} s, write {queued['write']:.2f} s, total "
                  f"{queued['preview'] + queued['write']:.2f} s; peak RSS {queued['preview_peak']:.0f} MiB after the "
                  f"preview, {queued['rss_peak']:.0f} MiB after the write (before {queued['rss_before']:.0f}); "
                  f"kept preview {queued['kept_mib']:.1f} MiB; written {queued['written']}")


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
    parser.add_argument("--rows", type=int, help="a daily file of this many rows against the raw driver (issue #14)")
    parser.add_argument("--repeat", type=int, default=2, help="with --rows: measures of each kind (default 2)")
    parser.add_argument("--tracemalloc", action="store_true", help="with --rows: also the import's traced peak")
    parser.add_argument("--postgres-only", action="store_true", help="with --rows and --postgres: skip SQLite")
    parser.add_argument("--files", type=Path, help="with --rows: keep the daily file in this folder, and reuse it")
    parser.add_argument("--queued", action="store_true", help="with --rows: also the page's import run by the worker")
    args = parser.parse_args()
    if args.rows:
        with tempfile.TemporaryDirectory() as scratch:
            os.environ.setdefault("ROLLOUT_QUEUE_URL", f"sqlite:///{Path(scratch) / 'queue.sqlite3'}")  # the heartbeats
            folder = args.files or Path(scratch)
            if not (args.postgres_only and args.postgres):
                results = run_daily(f"sqlite:///{Path(scratch) / 'bench.sqlite3'}", folder, args.rows, args.repeat,
                                    args.tracemalloc, args.queued)
                _print_daily("SQLite", args.rows, results)
            if args.postgres:
                with scratch_postgres(args.postgres) as url:
                    _print_daily("PostgreSQL", args.rows, run_daily(url, folder, args.rows, args.repeat,
                                                                    args.tracemalloc, args.queued))
        return
    with tempfile.TemporaryDirectory() as folder:
        _print("SQLite", run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", Path(folder)))
        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                _print("PostgreSQL", run(url, Path(folder)))


if __name__ == "__main__":
    main()
