"""The web app under load: readers on the dashboards and lists, writers editing and importing,
against gunicorn started as the Procfile starts it, on SQLite and on PostgreSQL.

    python -m bench.web_load [--minutes 5] [--readers 50] [--writers 5] [--postgres URL] [--no-sqlite] [--usage week|day]
    python -m bench.web_load --hosts 2 --redis redis://127.0.0.1:6379/14 --postgres URL --no-sqlite

For each database: the demo is loaded (weekly usage by default, `--usage day` for the 1.8 million
daily rows), gunicorn runs the Procfile's `web:` line (its documented worker and thread counts,
`WEB_CONCURRENCY` to change them) on a loopback port, and then:

1. the baseline, in the same run: one stakeholder alone opens every page `--runs` times;
2. the load: Locust, headless, on loopback only, for `--minutes`: `--readers` stakeholders
   (dashboards with their filters, lists) and `--writers` project managers (milestone edits,
   small usage imports through the preview and its confirmation; `bench/locustfile.py`), each
   pausing between two requests as a person does (`--read-seconds`, `--write-seconds`: a
   reader reads a page before the next, a manager types a change). Every change invalidates
   the programme's cached dashboards (rollout/cache.py), so the writers' pace sets how many
   pages are computed rather than read from the cache; shorter pauses make a stress test.

Users arrive two a second, each signing in through the login form (a password hash costs tens
of milliseconds of CPU); the statistics restart once all are in (`--reset-stats`), so they
describe the steady load, for `--minutes` from the start.
It prints, per page, requests, errors, median and 95th percentile under load, and the p95's
ratio to the page's p95 alone. The issue's target: zero errors, every dashboard's p95 under
300 ms under that load. Locust is a benchmark dependency: `pip install -e .[bench]`.

`--hosts N` runs N gunicorn hosts (each the Procfile's `web:` line with its own instance folder,
one SECRET_KEY, the dashboards' cache in `--redis`, a Redis database this run empties) behind
nginx (Debian's `nginx-light`) as the load balancer: round robin, no sticky sessions, so a
user's consecutive requests reach different hosts, each of which must know their session, their
CSRF token and the cache the other invalidated. On PostgreSQL only: several hosts share one
database server, which SQLite's file is not.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import redis
import requests
import sqlalchemy as sa
from sqlmodel import Session, select

from bench.dashboard_queries import percentiles
from bench.processes import stop
from bench.scratch import scratch_postgres
from rollout.cli import load_dataset_committed, reset_demo_accounts
from rollout.db import make_engine, upgrade
from rollout.models import Programme, School, UsageRecord

ROOT = Path(__file__).resolve().parent.parent
READER = "partenaire@demo.rollout.invalid"
WRITER = "chef.projet@demo.rollout.invalid"
HAND_KINDS = ("platform_provisioned", "school_live", "relays_active")
"""Milestones no held session derives in the demo: typed by hand, as a writer does."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_web() -> str:
    """The Procfile's `web:` command: what a Procfile host runs."""
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise SystemExit("Procfile has no web: line")


def _plan(engine: sa.Engine, passwords: dict[str, str], *, readers: int, writers: int, read_seconds: tuple[float, float],
          write_seconds: tuple[float, float]) -> dict:
    """What the Locust users need: accounts, pages, and each writer's own schools."""
    with Session(engine) as session:
        programme = session.exec(select(Programme)).one()
        uais = list(session.exec(select(School.uai).where(School.programme_id == programme.id).order_by(School.uai)))
        basin = session.exec(sa.text("SELECT code FROM basin WHERE programme_id = :id ORDER BY code"),
                             params={"id": programme.id}).first()[0]
        last = session.exec(select(sa.func.max(UsageRecord.period_start))).one()
    base = f"/programmes/{programme.id}/dashboard"
    filters = {"": {}, "year": {"year": "2016-2017"}, "basin": {"basin": basin}, "REP+": {"priority": "REP+"},
               "months": {"start": "2016-10", "end": "2017-03"}}
    dashboards = [(f"dashboard {name}{' · ' + label if label else ''}", f"{path}?{urlencode(query)}".rstrip("?"))
                  for name, path in (("overview", base), ("equity", f"{base}/equity"), ("leadership", f"{base}/leadership"),
                                     ("trainers", f"{base}/trainers"), ("training", f"{base}/training"))
                  for label, query in filters.items()]
    dashboards.append(("dashboard school", f"{base}/school?school={uais[0]}"))
    lists = [("list progress", f"/programmes/{programme.id}/progress"), ("list schools", f"/programmes/{programme.id}/schools")]
    share = len(uais) // max(writers, 1)
    return {
        "reader": {"email": READER, "password": passwords[READER]}, "writer": {"email": WRITER, "password": passwords[WRITER]},
        "readers": readers, "writers": writers, "read_seconds": read_seconds, "write_seconds": write_seconds,
        "programme_id": programme.id, "hand_kinds": list(HAND_KINDS),
        "dashboard_pages": dashboards, "list_pages": lists, "usage_week": (last or date.today()).isoformat(),
        "writer_schools": [uais[number * share:(number + 1) * share][:10] for number in range(writers)],
    }


def _gunicorn(url: str, port: int, instance: Path, cache_url: str | None = None, *, access_log: bool = False) -> subprocess.Popen:
    """The Procfile's web line on a loopback port, its errors (and with `access_log` its
    requests, one line each) in the instance folder."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only", "PORT": str(port),
           "ROLLOUT_SECURE_COOKIES": "0", "ROLLOUT_INSTANCE_PATH": str(instance),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if cache_url:
        env["ROLLOUT_CACHE_URL"] = cache_url
    access = f"--access-logfile {instance / 'access.log'}" if access_log else ""
    command = procfile_web().replace("0.0.0.0", "127.0.0.1").replace("--access-logfile -", access)
    log = (instance / "gunicorn.log").open("w")  # a pipe nobody reads would block its workers once full
    server = subprocess.Popen(["sh", "-c", f"exec {command}"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not answer: {(instance / 'gunicorn.log').read_text()[-2000:]}")


NGINX_CONF = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    client_max_body_size 100m;
    upstream rollout {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://rollout;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def _balancer(ports: list[int], folder: Path) -> tuple[subprocess.Popen, int]:
    """nginx in front of the hosts on `ports`, round robin (its default: no sticky sessions),
    on a loopback port of its own; its files in `folder`."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("--hosts needs nginx as the load balancer: apt-get install nginx-light")
    folder.mkdir()
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{each};" for each in ports)
    (folder / "nginx.conf").write_text(NGINX_CONF.format(folder=folder, servers=servers, port=port), encoding="utf-8")
    balancer = subprocess.Popen([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200:
                return balancer, port
        except requests.RequestException:
            time.sleep(0.2)
    balancer.kill()
    raise SystemExit(f"nginx did not answer: {(folder / 'nginx-error.log').read_text()[-2000:]}")


def _hosts_seen(instances: list[Path]) -> list[int]:
    """Requests each host answered, from its access log: the balancer spread them."""
    return [len((instance / "access.log").read_text().splitlines()) for instance in instances]


def _alone(host: str, plan: dict, runs: int) -> dict[str, float]:
    """Each reader page's p95, one reader alone on the server (the baseline)."""
    client = requests.Session()
    page = client.get(f"{host}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"{host}/login", data={**plan["reader"], "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302, response.status_code
    found = {}
    for name, path in plan["dashboard_pages"] + plan["list_pages"]:
        assert client.get(f"{host}{path}").status_code == 200, path
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            assert client.get(f"{host}{path}").status_code == 200, path
            seconds.append(time.perf_counter() - started)
        found[name] = percentiles(seconds)[1]
    return found


def _locust(host: str, plan_file: Path, users: int, minutes: float, folder: Path) -> list[dict[str, str]]:
    prefix = folder / "locust"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
               "--host", host, "-u", str(users), "-r", "2", "--reset-stats", "--run-time", f"{int(minutes * 60)}s",
               "--stop-timeout", "30", "--csv", str(prefix), "--loglevel", "WARNING"]
    done = subprocess.run(command, env={**os.environ, "ROLLOUT_LOAD_PLAN": str(plan_file)}, check=False, text=True,
                          capture_output=True, timeout=minutes * 60 + 120)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"Locust failed ({done.returncode}): {done.stderr[-2000:]}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        for row in csv.DictReader(failures.open(encoding="utf-8")):
            print(f"  error: {row['Name']}: {row['Error']} × {row['Occurrences']}")
    return rows


def run(url: str, args: argparse.Namespace, folder: Path, label: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        load_dataset_committed(engine, "seine-saint-denis", usage=args.usage)
        passwords = reset_demo_accounts(engine)
        plan = _plan(engine, passwords, readers=args.readers, writers=args.writers, read_seconds=args.read_seconds,
                     write_seconds=args.write_seconds)
        with Session(engine) as session:
            rows = session.exec(select(sa.func.count()).select_from(UsageRecord)).one()
    finally:
        engine.dispose()
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    if args.redis:
        redis.Redis.from_url(args.redis).flushdb()
    with ExitStack() as stack:
        ports, instances = [], []
        for number in range(args.hosts):
            ports.append(free_port())
            instances.append(folder / f"instance-{label}-{number + 1}")
            instances[-1].mkdir()
            server = _gunicorn(url, ports[-1], instances[-1], args.redis, access_log=args.hosts > 1)
            stack.callback(stop, server)
        port = ports[0]
        if args.hosts > 1:
            balancer, port = _balancer(ports, folder / "nginx")
            stack.callback(stop, balancer)
        host = f"http://127.0.0.1:{port}"
        alone = _alone(host, plan, args.runs)
        load = os.getloadavg()[0]
        stats = _locust(host, plan_file, args.readers + args.writers, args.minutes, folder)
    _print(label, rows, alone, stats, load, args)
    if args.hosts > 1:
        print("requests per host (access logs): " + ", ".join(f"{count:,}" for count in _hosts_seen(instances)))
    trouble = [line for instance in instances for line in (instance / "gunicorn.log").read_text().splitlines()
               if any(word in line for word in ("WORKER TIMEOUT", "Traceback", "ERROR", "Error"))]
    print(f"gunicorn's logs: {len(trouble)} error lines" + "".join(f"\n  {line}" for line in trouble[:20]))


def _print(label: str, rows: int, alone: dict[str, float], stats: list[dict[str, str]], load: float,
           args: argparse.Namespace) -> None:
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    hosts = f"{args.hosts} hosts behind nginx, each " if args.hosts > 1 else ""
    print(f"\n{label}: demo with {rows:,} usage rows; {hosts}gunicorn as the Procfile (WEB_CONCURRENCY={workers}); "
          f"load average before: {load:.1f}; pauses {args.read_seconds} s (readers), {args.write_seconds} s (writers)")
    print(f"{'page':<34} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p95 alone':>9} {'× alone':>7}")
    worst = 0.0
    for row in stats:
        name = row["Name"]
        if not int(row["Request Count"]):  # a page no user reached in a short run: Locust writes N/A
            continue
        p95 = float(row["95%"] or 0)
        base = alone.get(name)
        ratio = f"{p95 / (base * 1000):7.1f}" if base else f"{'':>7}"
        print(f"{name:<34} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):6.1f} "
              f"{float(row['Median Response Time'] or 0):7.0f} {p95:7.0f} {(base or 0) * 1000:9.0f} {ratio}")
        if name.startswith("dashboard"):
            worst = max(worst, p95)
    total = next(row for row in stats if row["Name"] == "Aggregated")
    print(f"errors: {total['Failure Count']} of {total['Request Count']} requests; slowest dashboard p95 under load: "
          f"{worst:.0f} ms (target: zero errors, 300 ms)")


def _span(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10, help="requests per page for the one-reader baseline")
    parser.add_argument("--usage", choices=("week", "day"), default="week")
    parser.add_argument("--read-seconds", type=_span, default=(5.0, 15.0),
                        help="a reader's pause between two pages, MIN-MAX seconds (default 5-15)")
    parser.add_argument("--write-seconds", type=_span, default=(15.0, 45.0),
                        help="a writer's pause between two changes, MIN-MAX seconds (default 15-45)")
    parser.add_argument("--postgres", default=os.environ.get("ROLLOUT_TEST_POSTGRES_URL"),
                        help="admin URL of a PostgreSQL server (default: $ROLLOUT_TEST_POSTGRES_URL)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--hosts", type=int, default=1, help="gunicorn hosts behind nginx (PostgreSQL only; default 1)")
    parser.add_argument("--redis", help="a Redis database this run empties, for the dashboards' cache (needed with --hosts)")
    args = parser.parse_args()
    if args.hosts > 1 and not (args.redis and args.postgres and args.no_sqlite):
        parser.error("--hosts needs --redis, --postgres and --no-sqlite: hosts share one database and one cache")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if not args.no_sqlite:
            (folder / "sqlite").mkdir()
            run(f"sqlite:///{folder / 'bench.sqlite3'}", args, folder / "sqlite", "SQLite")
        if args.postgres:
            (folder / "pg").mkdir()
            with scratch_postgres(args.postgres) as url:
                run(url, args, folder / "pg", "PostgreSQL")


if __name__ == "__main__":
    main()
