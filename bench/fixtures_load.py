"""How long loading the demo takes, against generating its simulated history alone.

    python bench/fixtures_load.py [--postgres URL]

The baseline (measured in the same run) is producing the demo's rows in memory with no
database; the ratio says what writing them costs. The issue's target: the demo loads in under
30 seconds. Each load goes to a fresh database (a temporary SQLite file; a new PostgreSQL
database created and dropped with --postgres, which needs a user allowed to create databases).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path


from bench.scratch import scratch_postgres
from fixtures import simulation
from fixtures.datasets import seine_saint_denis
from rollout.cli import load_dataset_committed
from rollout.db import make_engine, upgrade


def generate_only() -> tuple[float, int]:
    """Build the dataset and its simulated rows in memory, with the waves of the dataset."""
    started = time.perf_counter()
    dataset = seine_saint_denis()
    waves = list(dataset.waves)
    schools = [
        simulation.SimSchool(
            uai=school.uai, pupils=school.pupils, teachers=school.teachers, priority=school.priority,
            wave_start=waves[index % len(waves)].start, wave_end=waves[index % len(waves)].end,
            pilot=school.pinned_wave is not None,
        )
        for index, school in enumerate(dataset.schools)
    ]
    end = date(2018, 7, 6)
    simulation.simulate_milestones(schools, as_of=end)
    rows = sum(1 for _ in simulation.simulate_usage(schools, start=waves[0].start, end=end))
    return time.perf_counter() - started, rows


def load(url: str) -> float:
    """Migrate a fresh database and load the demo into it; seconds for the load alone."""
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    load_dataset_committed(engine, "seine-saint-denis")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def load_postgres(admin_url: str) -> float:
    with scratch_postgres(admin_url) as url:
        return load(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (optional)")
    args = parser.parse_args()
    baseline, rows = generate_only()
    print(f"{'what':<40} {'seconds':>8} {'× baseline':>11}")
    print(f"{'generate history in memory (baseline)':<40} {baseline:8.2f} {1:11.2f}   ({rows} usage rows)")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = load(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    print(f"{'load demo into SQLite (with solve)':<40} {sqlite:8.2f} {sqlite / baseline:11.2f}")
    if args.postgres:
        postgres = load_postgres(args.postgres)
        print(f"{'load demo into PostgreSQL (with solve)':<40} {postgres:8.2f} {postgres / baseline:11.2f}")


if __name__ == "__main__":
    main()
