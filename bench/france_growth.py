"""Growth from one district to the whole country, on PostgreSQL: what costs more than the data grows.

    python -m bench.france_growth [--postgres URL] [--time-limit 120] [--keep]

The demo district (Seine-Saint-Denis, 130 collèges) and the country (every public collège of the
national file, 5,287) are each loaded with their simulated history into a scratch PostgreSQL
database, and the same steps are measured on both, through the commands and pages a user uses:

* loading the programme (`rollout fixtures load --dataset … --history`);
* importing four weeks of every school's usage with every count changed (`rollout usage
  import`, written from the stored rows, so every row is replaced);
* the usage reports (`rollout usage report --by school|month|category`);
* every dashboard page, signed in as a stakeholder (median of 5, after a warm-up), and the peak
  memory of the process that served them;
* a plan solved from the planning page (the leader's form, with `--time-limit`) by a real
  `rollout worker`, its progress polled as the page polls it, the worker's peak memory, and the
  plan page's time once solved.

Each time is printed with its ratio France / district beside the ratio of the data (schools,
usage rows): a step whose ratio is well above the data's grows faster than the data. Times and
peak memory of commands are the child process's own (`os.wait4`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.processes import stop, tree_peak_mib
from bench.scratch import scratch_postgres

ROOT = Path(__file__).resolve().parent.parent
ROLLOUT = str(Path(sys.executable).parent / "rollout")
READER = "lecture@bench.rollout.invalid"
LEADER = "direction@bench.rollout.invalid"
DATASETS = (("seine-saint-denis", "Seine-Saint-Denis"), ("france", "France"))


@dataclass
class Measure:
    seconds: float
    peak_mib: float | None = None


@dataclass
class Scale:
    label: str
    schools: int = 0
    usage_rows: int = 0
    steps: dict[str, Measure] = field(default_factory=dict)


def command(args: list[str], env: dict[str, str], *, output: Path | None = None) -> Measure:
    """Run a `rollout` command; its wall time and its own peak resident memory."""
    started = time.perf_counter()
    with open(output or os.devnull, "w", encoding="utf-8") as sink:
        child = subprocess.Popen([ROLLOUT, *args], env=env, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"rollout {' '.join(args)} failed: {child.stderr.read().decode()[-2000:]}")
    return Measure(seconds, usage.ru_maxrss / 1024)


def _usage_file(engine: sa.Engine, path: Path) -> int:
    """The last four stored weeks of every school, one more visit on every row: a file that
    replaces every row it names."""
    query = sa.text("""
        SELECT u.period_start, s.uai, u.service, u.profile, u.visits + 1, u.visitors, u.page_views, u.period
        FROM usagerecord u JOIN school s ON s.id = u.school_id
        WHERE u.period_start > (SELECT max(period_start) FROM usagerecord) - 28
        ORDER BY u.period_start, s.uai, u.service, u.profile""")
    with engine.connect() as connection, path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(("date", "uai", "service", "profile", "visits", "visitors", "page_views", "period"))
        count = 0
        for row in connection.execute(query):
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def measure(url: str, key: str, label: str, folder: Path, time_limit: float) -> Scale:
    env = {**os.environ, "DATABASE_URL": url, "ROLLOUT_INSTANCE_PATH": str(folder / "instance"),
           "SECRET_KEY": "bench-only"}
    (folder / "instance").mkdir(parents=True)
    scale = Scale(label)
    scale.steps["load the programme with its history"] = command(["fixtures", "load", "--dataset", key, "--history"], env)
    engine = sa.create_engine(sa.engine.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            scale.schools = connection.execute(sa.text("SELECT count(*) FROM school")).scalar_one()
            scale.usage_rows = connection.execute(sa.text("SELECT count(*) FROM usagerecord")).scalar_one()
        file = folder / "four-weeks.csv"
        rows = _usage_file(engine, file)
    finally:
        engine.dispose()
    scale.steps[f"import four weeks, every row replaced ({rows:,} rows)"] = command(["usage", "import", str(file)], env)
    for by in ("school", "month", "category"):
        scale.steps[f"usage report by {by}"] = command(["usage", "report", "--by", by, "--format", "csv"], env)
    pages = folder / "pages.json"
    scale.steps["all dashboard pages (process)"] = _in_child(["pages", url, str(folder / "instance"), str(pages)], env)
    for name, seconds in json.loads(pages.read_text(encoding="utf-8")).items():
        scale.steps[f"page {name}"] = Measure(seconds)
    plan = folder / "plan.json"
    _in_child(["plan", url, str(folder / "instance"), str(plan), str(time_limit)], env)
    found = json.loads(plan.read_text(encoding="utf-8"))
    scale.steps[f"plan solve from the page (limit {time_limit:.0f} s, {found['status']}, "
                f"{found['progress_updates']} progress updates)"] = Measure(found["solve_seconds"], found["worker_peak_mib"])
    scale.steps["plan page once solved"] = Measure(found["page_seconds"])
    return scale


def _in_child(args: list[str], env: dict[str, str]) -> Measure:
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bench.france_growth", *args], env=env, cwd=ROOT, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"{args[0]} failed: {child.stderr.read().decode()[-3000:]}")
    return Measure(time.perf_counter() - started, usage.ru_maxrss / 1024)


def _signed_in(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.text
    return client


def _app(url: str, instance: str):
    from rollout.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URL": url, "SESSION_COOKIE_SECURE": False}, instance_path=instance)


def _accounts(url: str) -> tuple[dict[str, str], int]:
    """A stakeholder and a district leader of the programme's district, with fresh passwords."""
    import secrets

    from sqlmodel import Session, select

    from rollout.auth.accounts import create_user, hash_password
    from rollout.db import make_engine
    from rollout.models import District, Programme, User

    engine = make_engine(url)
    passwords = {}
    with Session(engine) as session:
        programme = session.exec(select(Programme)).one()
        district = session.get(District, programme.district_id)
        for email, role in ((READER, "stakeholder"), (LEADER, "district_leader")):
            passwords[email] = secrets.token_urlsafe(12)
            user = session.exec(select(User).where(User.email == email)).first()
            if user is None:
                create_user(session, email=email, password=passwords[email], role=role, district_codes=[district.code])
            else:
                user.password_hash = hash_password(passwords[email])
                session.add(user)
        session.commit()
        programme_id = programme.id
    engine.dispose()
    return passwords, programme_id


def child_pages(url: str, instance: str, output: str) -> None:
    """Every dashboard page (no filter) as a stakeholder, after a warm-up: the median of 5 with
    the cache emptied before each (the first reader after a change) and of 5 served from it."""
    from rollout.cache import store

    passwords, programme_id = _accounts(url)
    app = _app(url, instance)
    client = _signed_in(app, READER, passwords[READER])
    base = f"/programmes/{programme_id}/dashboard"
    timings = {}
    for name in ("overview", "equity", "leadership", "trainers", "training", "school"):
        path = base if name == "overview" else f"{base}/{name}"
        assert client.get(path).status_code == 200, path
        for label, clear in (("computed", True), ("from the cache", False)):
            seconds = []
            for _ in range(5):
                if clear:
                    with app.app_context():
                        store.clear()
                started = time.perf_counter()
                assert client.get(path).status_code == 200, path
                seconds.append(time.perf_counter() - started)
            timings[f"{name}, {label}"] = sorted(seconds)[2]
    Path(output).write_text(json.dumps(timings), encoding="utf-8")


def child_plan(url: str, instance: str, output: str, time_limit: str) -> None:
    """A leader queues a plan from the planning page; a real worker solves it; the page's
    progress is polled as the page polls it until the plan is done."""
    passwords, programme_id = _accounts(url)
    app = _app(url, instance)
    client = _signed_in(app, LEADER, passwords[LEADER])
    page = client.get(f"/programmes/{programme_id}/plans").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    worker = subprocess.Popen([ROLLOUT, "worker", "--workers", "1"], env=os.environ.copy(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        started = time.perf_counter()
        response = client.post(f"/programmes/{programme_id}/plans",
                               data={"name": "France depuis la page", "time_limit": time_limit, "csrf_token": token})
        assert response.status_code == 302, response.text
        plan_path = response.headers["Location"]
        states, peak = [], 0.0
        while True:
            state = client.get(f"{plan_path}/progress.json").get_json()
            peak = max(peak, tree_peak_mib(worker.pid))
            if not states or (state["objective"], state["bound"]) != (states[-1]["objective"], states[-1]["bound"]):
                states.append(state)
            if not state["running"]:
                states.append(state)
                break
            time.sleep(0.5)  # the page's own polling interval order; a benchmark, not a test
        solve_seconds = time.perf_counter() - started
        peak = max(peak, tree_peak_mib(worker.pid))
    finally:
        stop(worker)
    assert client.get(plan_path).status_code == 200
    seconds = []
    for _ in range(5):
        begun = time.perf_counter()
        assert client.get(plan_path).status_code == 200
        seconds.append(time.perf_counter() - begun)
    Path(output).write_text(json.dumps({
        "status": states[-1]["status"], "progress_updates": len(states) - 1, "solve_seconds": solve_seconds,
        "worker_peak_mib": peak, "page_seconds": sorted(seconds)[2],
    }), encoding="utf-8")


def report(scales: list[Scale]) -> None:
    small, large = scales
    data = large.schools / small.schools
    rows = large.usage_rows / small.usage_rows
    print(f"\nschools: {small.schools:,} → {large.schools:,} (× {data:.1f}); usage rows: {small.usage_rows:,} → "
          f"{large.usage_rows:,} (× {rows:.1f})")
    print(f"{'step':<78} {small.label:>18} {large.label:>18} {'× time':>7} {'× memory':>8}")
    for name, first in small.steps.items():
        second = next((m for n, m in large.steps.items() if n.split(" (")[0] == name.split(" (")[0]), None)
        if second is None:
            continue

        def shown(m: Measure) -> str:
            return f"{m.seconds:8.2f} s" + (f" {m.peak_mib:5.0f} MiB" if m.peak_mib else " " * 10)

        memory = f"{second.peak_mib / first.peak_mib:8.1f}" if first.peak_mib and second.peak_mib else " " * 8
        print(f"{name.split(' (')[0]:<78} {shown(first):>18} {shown(second):>18} {second.seconds / first.seconds:7.1f} {memory}")
    for scale in scales:
        for name in scale.steps:
            if "(" in name:
                print(f"  {scale.label}: {name}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("pages", "plan"):
        {"pages": child_pages, "plan": child_plan}[sys.argv[1]](*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("ROLLOUT_TEST_POSTGRES_URL"),
                        help="admin URL of a PostgreSQL server (default: $ROLLOUT_TEST_POSTGRES_URL)")
    parser.add_argument("--time-limit", type=float, default=120, help="the plan's time limit, as a leader types it")
    parser.add_argument("--only", choices=[key for key, _ in DATASETS], help="measure one scale only")
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("--postgres URL (or ROLLOUT_TEST_POSTGRES_URL) is required")
    scales = []
    with tempfile.TemporaryDirectory() as name:
        for key, label in DATASETS:
            if args.only and key != args.only:
                continue
            with scratch_postgres(args.postgres) as url:
                scales.append(measure(url, key, label, Path(name) / key, args.time_limit))
            print(f"{label}: " + "; ".join(f"{step} {m.seconds:.2f} s" + (f" {m.peak_mib:.0f} MiB" if m.peak_mib else "")
                                            for step, m in scales[-1].steps.items()), flush=True)
    if len(scales) == 2:
        report(scales)
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
