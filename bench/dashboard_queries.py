"""How long the usage queries the dashboards need take on the demo with daily usage.

    python -m bench.dashboard_queries [--runs N] [--postgres URL] [--no-sqlite]

`--postgres` defaults to $ROLLOUT_TEST_POSTGRES_URL (a user allowed to create databases: a new
database is created and dropped). The demo is loaded with daily usage (`rollout fixtures load
--usage daily`, about 3 million rows) into a fresh database, then each query runs `--runs`
times (after one warm-up run) and its p50 and p95 are printed, with their ratio to a baseline
measured in the same run: `SELECT count(*)` over the usage table (on SQLite it counts the pages
of the smallest index, so `SELECT sum(visits)`, which reads every row, is printed beside it as
the cost of one full scan). The issue's target is 150 ms at p95 per dashboard page, and a page
runs several of these: a query near or above a full scan reads the whole table, which is what
the next step (a summary table, indexes that match) must remove.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from bench.scratch import scratch_postgres
from rollout.cli import load_dataset_committed
from rollout.db import make_engine, upgrade
from rollout.models import School, UsageRecord
from rollout.usage import taxonomy
from rollout.usage.report import usage_report
from rollout.usage.summary import YearMonth

SCHOOL_YEAR = (date(2016, 9, 1), date(2017, 8, 31))
PERCENTILE = 95


@dataclass(frozen=True)
class Timing:
    what: str
    p50: float
    p95: float
    rows: int


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank: with few runs, p95 is the slowest run)."""
    ordered = sorted(seconds)
    rank = max(0, -(-len(ordered) * PERCENTILE // 100) - 1)
    return statistics.median(ordered), ordered[rank]


def _timed(what: str, query: Callable[[], int], runs: int) -> Timing:
    query()  # warm-up: caches, the taxonomy, the planner of each database
    seconds = []
    rows = 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = query()
        seconds.append(time.perf_counter() - started)
    return Timing(what, *percentiles(seconds), rows)


def school_month_categories(session: Session, *, programme_id: int) -> list[tuple]:
    """Visits per school, month and category: what a per-school dashboard draws, over every
    school at once (the statement the summary table would replace)."""
    record = UsageRecord.__table__.c
    mapping = taxonomy.category_mapping(session, programme_id=programme_id)
    category = sa.case(*((record.service == label, found) for label, found in mapping.items()), else_="other")
    month = YearMonth(record.period_start)
    statement = (
        sa.select(record.school_id, month, category, sa.func.sum(record.visits))
        .join(School.__table__, School.__table__.c.id == record.school_id)
        .where(School.__table__.c.programme_id == programme_id)
        .group_by(record.school_id, month, category)
    )
    return session.execute(statement).all()


def _queries(engine: sa.Engine, programme_id: int) -> dict[str, Callable[[], int]]:
    def report(by: str, start: date | None = None, end: date | None = None) -> Callable[[], int]:
        def run() -> int:
            with Session(engine) as session:
                return len(usage_report(session, programme_id=programme_id, by=by, start=start, end=end))
        return run

    def count_rows() -> int:
        with Session(engine) as session:
            return session.execute(sa.select(sa.func.count()).select_from(UsageRecord.__table__)).scalar_one()

    def sum_visits() -> int:
        with Session(engine) as session:
            session.execute(sa.select(sa.func.sum(UsageRecord.__table__.c.visits))).scalar_one()
            return 1

    def per_school_month() -> int:
        with Session(engine) as session:
            return len(school_month_categories(session, programme_id=programme_id))

    year = f"{SCHOOL_YEAR[0]:%Y}-{SCHOOL_YEAR[1]:%y}"
    return {
        "baseline: SELECT count(*) FROM usagerecord": count_rows,
        "full scan: SELECT sum(visits) FROM usagerecord": sum_visits,
        "usage_report by school, whole range": report("school"),
        "usage_report by month, whole range": report("month"),
        "usage_report by category, whole range": report("category"),
        f"usage_report by school, {year}": report("school", *SCHOOL_YEAR),
        f"usage_report by month, {year}": report("month", *SCHOOL_YEAR),
        f"usage_report by category, {year}": report("category", *SCHOOL_YEAR),
        "visits per school, month and category": per_school_month,
    }


def run(url: str, runs: int) -> tuple[float, int, list[Timing]]:
    """Load the daily demo into `url` and time every query; returns the load's seconds, the
    usage rows and the timings."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        programme = load_dataset_committed(engine, "seine-saint-denis", usage="day")
        loaded = time.perf_counter() - started
        with Session(engine) as session:
            rows = session.exec(select(sa.func.count()).select_from(UsageRecord)).one()
        return loaded, rows, [_timed(what, query, runs) for what, query in _queries(engine, programme.id).items()]
    finally:
        engine.dispose()


def _print(database: str, loaded: float, rows: int, timings: list[Timing]) -> None:
    baseline = timings[0].p50
    print(f"\n{database}: {rows:,} daily usage rows loaded in {loaded:.0f} s")
    print(f"{'query':<48} {'p50 ms':>8} {'p95 ms':>8} {'p50 × baseline':>15} {'rows':>6}")
    for timing in timings:
        print(f"{timing.what:<48} {timing.p50 * 1000:8.0f} {timing.p95 * 1000:8.0f} {timing.p50 / baseline:15.2f} {timing.rows:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query, after one warm-up")
    parser.add_argument("--postgres", default=os.environ.get("ROLLOUT_TEST_POSTGRES_URL"),
                        help="admin URL of a PostgreSQL server (default: $ROLLOUT_TEST_POSTGRES_URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            _print("SQLite", *run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.runs))
    if args.postgres:
        with scratch_postgres(args.postgres) as url:
            _print("PostgreSQL", *run(url, args.runs))


if __name__ == "__main__":
    main()
