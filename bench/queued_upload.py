"""A million-row usage file sent through the API, end to end: gunicorn as the Procfile's `web:`
line runs it takes the upload and answers 202, `rollout worker` as its `worker:` line runs it
previews and writes the file, and the client follows the job until it is written.

    python -m bench.queued_upload [--rows 1000000] [--files DIR] [--postgres URL] [--no-sqlite]

For each database: the demo is loaded into a fresh database (a temporary SQLite file; with
--postgres, a new database on that server, dropped afterwards) and emptied of its usage, the
demo's last `--rows` daily rows are written as a file (`bench.usage_import`, kept in `--files`),
a project manager's API token is made, then the file is POSTed to `/api/v1/usage/imports` and
its job polled every half second. It prints the request's time to its 202, each status the job
went through with when it was first seen, the whole time until written, the rows in the
database, and the peak resident memory of gunicorn's processes and of the worker's (`VmHWM` of
every process of their trees). The baseline, in the same run, is the command line's path on the
same file and database (`import_file` in this process, preview and write in one transaction):
the ratio says what going through the web and the queue costs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlmodel import Session, select

from bench.processes import stop, tree_peak_mib
from bench.scratch import scratch_postgres
from bench.usage_import import _empty_usage, demo_with_daily_file
from bench.web_load import ROOT, WRITER, _gunicorn, free_port
from rollout.auth.accounts import create_token
from rollout.cli import reset_demo_accounts
from rollout.core.author import Author
from rollout.db import make_engine
from rollout.imports.pipeline import import_file
from rollout.models import Programme, School, UsageRecord
from rollout.usage.table import UsageTable

POLL_SECONDS = 0.5
DEADLINE_SECONDS = 600


def _worker(url: str, instance: Path) -> subprocess.Popen:
    """The Procfile's `worker:` line on `url` and this process's queue (ROLLOUT_QUEUE_URL)."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only", "ROLLOUT_INSTANCE_PATH": str(instance),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    with (instance / "worker.log").open("w") as log:
        return subprocess.Popen(["sh", "-c", f"exec {line.removeprefix('worker:').strip()}"], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _prepare(url: str, folder: Path, rows: int) -> tuple[int, Path, str]:
    """The demo loaded and emptied of its usage, the daily file, a project manager's token."""
    engine = make_engine(url)
    try:
        programme, path = demo_with_daily_file(engine, folder, rows)
        _empty_usage(engine, programme.id)
        reset_demo_accounts(engine)
        with Session(engine) as session:
            token = create_token(session, email=WRITER, author=Author(actor="bench", channel="cli"), days=1)
            session.commit()
        return programme.id, path, token
    finally:
        engine.dispose()


def _stored(url: str, programme_id: int) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        count = session.exec(select(sa.func.count()).select_from(UsageRecord).join(School).where(
            School.programme_id == programme_id)).one()
    engine.dispose()
    return count


def _command_line(url: str, programme_id: int, path: Path) -> float:
    """The baseline: the command line's import of the same file, commit included."""
    engine = make_engine(url)
    data = path.read_bytes()
    started = time.perf_counter()
    with Session(engine) as session:
        import_file(session, importer=UsageTable(), programme=session.get(Programme, programme_id), data=data,
                    filename=path.name, author=Author(actor="bench", channel="cli"), today=date.today(), dry_run=False)
        session.commit()
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def _follow(host: str, token: str, programme_id: int, path: Path) -> dict:
    """POST the file, then poll its job until it stops running: what the client saw, when."""
    headers = {"Authorization": f"Bearer {token}"}
    data = path.read_bytes()
    started = time.perf_counter()
    answer = requests.post(f"{host}/api/v1/usage/imports?programme={programme_id}", headers=headers,
                           files={"file": (path.name, data, "text/csv")}, timeout=120)
    accepted = time.perf_counter() - started
    if answer.status_code != 202:
        raise SystemExit(f"expected 202, got {answer.status_code}: {answer.text[:500]}")
    seen: dict[str, float] = {}
    job = answer.json()
    while True:
        seen.setdefault(job["status"], time.perf_counter() - started)
        if not job["running"]:
            break
        if time.perf_counter() - started > DEADLINE_SECONDS:
            raise SystemExit(f"the job still runs after {DEADLINE_SECONDS} s: {job}")
        time.sleep(POLL_SECONDS)  # a client's pace, not a race: the job's state is read each time
        job = requests.get(f"{host}{answer.headers['Location']}", headers=headers, timeout=30).json()
    return {"accepted": accepted, "seen": seen, "total": time.perf_counter() - started, "job": job,
            "mib": len(data) / 2**20}


def run(url: str, folder: Path, files: Path, rows: int, label: str) -> None:
    """One database's measure; the servers' folders in `folder`, the daily file in `files`."""
    programme_id, path, token = _prepare(url, files, rows)
    instance = folder / f"instance-{label}"
    instance.mkdir()
    port = free_port()
    server = _gunicorn(url, port, instance)
    worker = _worker(url, instance)
    try:
        result = _follow(f"http://127.0.0.1:{port}", token, programme_id, path)
        web_peak, worker_peak = tree_peak_mib(server.pid), tree_peak_mib(worker.pid)
    finally:
        stop(worker)
        stop(server)
    stored = _stored(url, programme_id)
    engine = make_engine(url)
    _empty_usage(engine, programme_id)
    engine.dispose()
    baseline = _command_line(url, programme_id, path)
    job = result["job"]
    print(f"\n{label}: {rows:,} daily rows, {result['mib']:.1f} MiB, load before {os.getloadavg()[0]:.1f}")
    print(f"  202 after {result['accepted']:.2f} s; job {job['status']} (batch {job['batch_id']}, counts {job['counts']})")
    print("  statuses first seen at: " + ", ".join(f"{status} {at:.1f} s" for status, at in result["seen"].items()))
    print(f"  until written: {result['total']:.2f} s; rows stored: {stored:,}")
    print(f"  command line's import of the same file (baseline): {baseline:.2f} s; "
          f"through the API and the worker: {result['total'] / baseline:.2f} × that")
    print(f"  peak RSS: gunicorn's processes {web_peak:.0f} MiB, the worker's {worker_peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=Path, help="keep the daily file in this folder, and reuse it")
    parser.add_argument("--postgres", default=os.environ.get("ROLLOUT_TEST_POSTGRES_URL"),
                        help="admin URL of a PostgreSQL server (default: $ROLLOUT_TEST_POSTGRES_URL)")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        files = args.files or folder
        os.environ["ROLLOUT_QUEUE_URL"] = f"sqlite:///{folder / 'queue.sqlite3'}"  # the web's and the worker's
        if not args.no_sqlite:
            run(f"sqlite:///{folder / 'bench.sqlite3'}", folder, files, args.rows, "SQLite")
        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                run(url, folder, files, args.rows, "PostgreSQL")


if __name__ == "__main__":
    main()
