"""The real servers start: the Procfile's gunicorn line, and `rollout demo` end to end."""

from __future__ import annotations

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

from rollout.db import make_engine, upgrade

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
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
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



def test_rollout_demo_creates_loads_and_serves(tmp_path) -> None:
    """The README's first command, as a new user runs it: empty machine to a served demo."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SECRET_KEY")}
    env["ROLLOUT_INSTANCE_PATH"] = str(tmp_path / "instance")
    process = subprocess.Popen(
        [str(BIN / "rollout"), "demo", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/healthz", process, timeout=120)
        assert health.status == 200
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
        assert "Données simulées" in page
    finally:
        output = _stop(process)
    assert (tmp_path / "instance" / "rollout.sqlite3").exists()
    for role in ("admin", "district_leader", "project_manager", "stakeholder"):
        assert f"  {role} " in output, output
