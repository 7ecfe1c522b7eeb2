"""The real servers start: the Procfile's gunicorn line, and `rollout demo` (gunicorn and a queue worker) end to end."""

from __future__ import annotations

import contextlib
import gc
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from rollout.db import make_engine, upgrade
from rollout.queue import worker_pid
from rollout.serve import AccessLogger, freeze_start_up_objects
from tests.queue_tasks import parent_pid, queue_at
from tests.rollout.live_server import procfile_command

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float) -> urllib.response.addinfourl:
    """Poll until the server answers: a readiness check with a deadline, not a fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            return urllib.request.urlopen(url, timeout=5)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def _stop(process: subprocess.Popen) -> str:
    """Ctrl+C to the demo; if it has not stopped within 30 s, its whole process group is killed
    (its children hold the output open) and the test fails with what it printed."""
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"rollout demo was still running 30 s after Ctrl+C:\n{output}")
    return output


def test_procfile_web_line_serves_the_app(tmp_path, sqlite_url: str) -> None:
    upgrade(make_engine(sqlite_url))
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    port = _free_port()
    command = line.removeprefix("web:").strip().replace("$PORT", str(port)).replace("${WEB_CONCURRENCY:-2}", "2")
    env = {**os.environ, "DATABASE_URL": sqlite_url, "SECRET_KEY": "procfile-test", "PATH": f"{BIN}:{os.environ['PATH']}"}
    process = subprocess.Popen(shlex.split(command), cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/healthz", process, timeout=30)
        assert response.status == 200
        assert b'"status":"ok"' in response.read().replace(b" ", b"")
    finally:
        output = _stop(process)
    assert "gunicorn" in output.lower() or "Booting worker" in output


def test_the_worker_hook_freezes_what_start_up_left() -> None:
    before = gc.get_freeze_count()
    try:
        freeze_start_up_objects(None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_gunicorn_reads_the_hook_and_keeps_the_procfile_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    """gunicorn's own configuration loading, started from the repo's root as a Procfile host
    starts it: gunicorn.conf.py's hook is read, the Procfile's flags are kept. Nothing is served."""
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))  # gunicorn puts its directory first
    monkeypatch.setattr(sys, "argv", procfile_command(_free_port(), workers=3))
    config = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
    assert config.post_worker_init is freeze_start_up_objects
    assert (config.workers, config.threads, config.timeout) == (3, 4, 60)
    assert config.logger_class is AccessLogger


def _start_demo(tmp_path: Path, port: int) -> subprocess.Popen:
    """`rollout demo` as a new user types it: no DATABASE_URL, no SECRET_KEY, an empty instance folder."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SECRET_KEY", "ROLLOUT_QUEUE_URL")}
    env["ROLLOUT_INSTANCE_PATH"] = str(tmp_path / "instance")
    return subprocess.Popen(
        [str(BIN / "rollout"), "demo", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def test_rollout_demo_creates_loads_and_serves(tmp_path) -> None:
    """The README's first command, as a new user runs it: empty machine to a served demo."""
    port = _free_port()
    process = _start_demo(tmp_path, port)
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/healthz", process, timeout=120)
        assert health.status == 200
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
        assert "Données simulées" in page
        worker = _demo_worker(tmp_path / "instance", process)
    finally:
        output = _stop(process)
    assert (tmp_path / "instance" / "rollout.sqlite3").exists()
    for role in ("admin", "district_leader", "project_manager", "stakeholder"):
        assert f"  {role} " in output, output
    assert process.returncode == 0, output
    assert not Path(f"/proc/{worker}").exists(), "Ctrl+C left the demo's queue worker running"


def _demo_worker(instance: Path, demo: subprocess.Popen) -> int:
    """The demo's queue worker, found by the task it runs: the consumer that forked the
    process which ran it is a child of the demo."""
    with queue_at(f"sqlite:///{instance / 'queue.sqlite3'}"):
        task_process = worker_pid().get(blocking=True, timeout=60)
    consumer = parent_pid(task_process)
    assert parent_pid(consumer) == demo.pid
    return consumer


def test_rollout_demo_stops_when_its_worker_dies(tmp_path) -> None:
    """A demo whose plans can no longer be solved stops, with a non-zero status, rather than serve on."""
    port = _free_port()
    process = _start_demo(tmp_path, port)
    task_processes: list[str] = []
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, timeout=120)
        worker = _demo_worker(tmp_path / "instance", process)
        task_processes = Path(f"/proc/{worker}/task/{worker}/children").read_text().split()
        os.kill(worker, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        _kill(task_processes)
        output, _ = process.communicate(timeout=30)
    finally:
        _kill(task_processes)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode != 0, output
    assert "the queue worker stopped (exit status -9): the demo stops" in output, output
    with pytest.raises(urllib.error.URLError):  # gunicorn stopped with it
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)


def _kill(task_processes: list[str]) -> None:
    """What a killed consumer leaves: its forked task processes, which hold the demo's output open."""
    for pid in task_processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
