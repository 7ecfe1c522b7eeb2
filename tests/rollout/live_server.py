"""The application served by a real gunicorn, started from the Procfile's web line, for tests
whose subject is what only a real server does: workers killed and restarted by their master,
requests running at once in several processes and threads. Also what those tests watch: the
database in the middle of a write, seen from another connection.

A module, not a fixture file: `tests/rollout/test_access.py` imports `conftest` by name, so a
second conftest.py would shadow the root one.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
Value = TypeVar("Value")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], Value], *, timeout: float, what: str, every: float = 0.02) -> Value:
    """Poll `condition` until it returns something true, within a deadline: never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(every)


def procfile_command(port: int, *, workers: int) -> list[str]:
    """The Procfile's web command, bound to a loopback port with `workers` workers."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = line.removeprefix("web:").strip().replace("0.0.0.0:$PORT", f"127.0.0.1:{port}")
    return shlex.split(command.replace("${WEB_CONCURRENCY:-2}", str(workers)))


@dataclass
class LiveServer:
    """A running gunicorn master: its address, and its workers as the kernel lists them."""

    process: subprocess.Popen
    url: str
    log: Path

    def workers(self) -> set[int]:
        """The master's child processes (its workers), read from /proc."""
        children: set[int] = set()
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                children.update(int(pid) for pid in (task / "children").read_text().split())
            except FileNotFoundError:
                continue
        return children

    def answers(self) -> bool:
        """Whether /healthz answers 200; AssertionError with the server's log if it exited."""
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()}")
        return call("GET", self.url + "/healthz", timeout=5)[0] == 200

    def kill_worker(self, pid: int) -> None:
        """SIGKILL one worker, as the out-of-memory killer or a host would: no cleanup runs."""
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: pid not in self.workers(), timeout=10, what=f"worker {pid} reaped")


@contextmanager
def live_server(tmp_path: Path, database_url: str, *, workers: int = 1) -> Iterator[LiveServer]:
    """gunicorn as the Procfile starts it, on `database_url`, until the block ends."""
    port = free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    env = {
        **os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "live-server-test",
        "ROLLOUT_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    with log.open("w") as output:
        process = subprocess.Popen(procfile_command(port, workers=workers), cwd=tmp_path, env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    server = LiveServer(process=process, url=f"http://127.0.0.1:{port}", log=log)
    try:
        wait_until(server.answers, timeout=30, what="gunicorn answering /healthz", every=0.1)
        wait_until(lambda: len(server.workers()) == workers, timeout=30, what=f"{workers} workers booted")
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def queue_worker(tmp_path: Path, database_url: str, *, args: tuple[str, ...] = ()) -> Iterator[subprocess.Popen]:
    """The Procfile's worker line (with `args`) on `database_url` and this process's queue
    (`ROLLOUT_QUEUE_URL`, which the live server's web processes inherit too), until the block
    ends; SIGTERM then, as a Procfile host stops it, and its whole process group if it lingers."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    env = {**os.environ, "DATABASE_URL": database_url, "ROLLOUT_INSTANCE_PATH": str(tmp_path / "instance"),
           "PATH": f"{BIN}:{os.environ['PATH']}"}
    with (tmp_path / "worker.log").open("w") as output:
        process = subprocess.Popen([*shlex.split(line.removeprefix("worker:")), *args], cwd=tmp_path, env=env,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


Answer = tuple[int | None, str]
"""An HTTP status and body, or None and why when the connection died before an answer."""


def call(method: str, url: str, *, headers: dict[str, str] | None = None, body: Any = None,
         upload: tuple[str, bytes] | None = None, timeout: float = 120) -> Answer:
    """One HTTP request with a JSON `body` or a multipart `upload` (filename, data) as `file`."""
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif upload is not None:
        boundary = uuid.uuid4().hex
        data = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{upload[0]}"\r\n'
                "Content-Type: text/csv\r\n\r\n").encode() + upload[1] + f"\r\n--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return None, repr(error)


class Background(threading.Thread):
    """A request running while the test watches the database; `answer` once it has ended."""

    def __init__(self, request: Callable[[], Answer]) -> None:
        super().__init__(daemon=True)
        self.request = request
        self.answer: Answer | None = None

    def run(self) -> None:
        self.answer = self.request()


def writing_probe(engine: sa.Engine, table: str) -> Callable[[], bool]:
    """A check that another connection is in the middle of a write, not committed yet: of
    `table` on PostgreSQL, of the database on SQLite. Make it before the write starts."""
    if engine.dialect.name == "postgresql":
        return _postgres_writing(engine, table)
    return _sqlite_writing(Path(engine.url.database))


def _sqlite_writing(path: Path) -> Callable[[], bool]:
    """True once another connection holds the write lock (a transaction is open) and the WAL
    file has grown by 1 MiB since the probe was made (its pages are on disk: it has written)."""
    wal = path.with_name(path.name + "-wal")
    size_before = wal.stat().st_size if wal.exists() else 0

    def writing() -> bool:
        if not wal.exists() or wal.stat().st_size < size_before + 2**20:
            return False
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            return "locked" in str(error)
        finally:
            probe.close()

    return writing


def _postgres_writing(engine: sa.Engine, table: str) -> Callable[[], bool]:
    """True once another connection to this database has a transaction id (it has written)
    and holds the row-exclusive lock of `table` (it writes there)."""
    query = sa.text("""
        SELECT count(*) FROM pg_stat_activity activity JOIN pg_locks lock ON lock.pid = activity.pid
        WHERE activity.datname = current_database() AND activity.pid <> pg_backend_pid()
          AND activity.backend_xid IS NOT NULL AND lock.relation = CAST(:table AS regclass)
          AND lock.mode = 'RowExclusiveLock'
    """)

    def writing() -> bool:
        with engine.connect() as connection:
            return connection.execute(query, {"table": table}).scalar_one() > 0

    return writing
