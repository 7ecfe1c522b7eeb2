"""The task queue on both backends, run by a real `rollout worker` (Huey's consumer) in a subprocess.

Redis runs when ROLLOUT_TEST_REDIS_URL names a server (`.ci/run` starts Debian's redis-server and
requires it with ROLLOUT_REQUIRE_REDIS=1); its database is flushed before and after.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from huey.exceptions import TaskException

from rollout import queue
from tests import queue_tasks

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("ROLLOUT_TEST_REDIS_URL")
REDIS_REQUIRED = os.environ.get("ROLLOUT_REQUIRE_REDIS") == "1"
NO_REDIS = "Redis variant: install Debian's redis-server and set ROLLOUT_TEST_REDIS_URL (as .ci/run does)"
RESULT_SECONDS = 30  # a deadline for a result, far above the second it takes


def _redis_or_skip() -> str:
    """The test Redis URL; skip without one, or fail where CI requires it."""
    reason = None
    if not REDIS_URL:
        reason = "ROLLOUT_TEST_REDIS_URL is not set"
    else:
        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.RedisError as error:
            reason = f"{REDIS_URL} does not answer: {error}"
    if reason is None:
        return REDIS_URL
    if REDIS_REQUIRED:
        pytest.fail(f"ROLLOUT_REQUIRE_REDIS=1 but {reason}")
    pytest.skip(f"{NO_REDIS}: {reason}")


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def queue_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shared Huey instance pointed at an empty queue of the backend, then put back."""
    if request.param == "redis":
        url = _redis_or_skip()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('queue') / 'queue.sqlite3'}"
    with queue_tasks.queue_at(url):
        yield url


def _start_worker(url: str, cwd: Path) -> subprocess.Popen:
    """The Procfile's worker line, also importing this test's tasks; its instance folder is `cwd`,
    so that nothing it starts with (rollout's own tasks' start-up hooks) touches a real database."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    command = [*shlex.split(line.removeprefix("worker:")), "--import", "tests.queue_tasks"]
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(ROLLOUT_QUEUE_URL=url, ROLLOUT_INSTANCE_PATH=str(cwd), PYTHONPATH=str(ROOT), PATH=f"{BIN}:{os.environ['PATH']}")
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(worker: subprocess.Popen) -> str:
    """SIGTERM, as a Procfile host sends it; the worker's log once it has exited."""
    worker.send_signal(signal.SIGTERM)
    try:
        output, _ = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
        raise AssertionError(f"the worker ignored SIGTERM:\n{output}") from None
    return output


@pytest.fixture
def worker(queue_url: str, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A worker for one test, stopped after it."""
    process = _start_worker(queue_url, tmp_path)
    yield process
    _stop(process)


def test_the_worker_runs_tasks_in_processes_of_its_own_and_reports_their_errors(
        worker: subprocess.Popen, tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    result = queue_tasks.write_file(str(trace), "planifié")
    assert result.get(blocking=True, timeout=RESULT_SECONDS) == "planifié"
    assert trace.read_text(encoding="utf-8") == "planifié"

    pid = queue.worker_pid().get(blocking=True, timeout=RESULT_SECONDS)
    assert queue_tasks.parent_pid(pid) == worker.pid  # forked by the consumer, not run in it

    with pytest.raises(TaskException) as raised:
        queue_tasks.fail("solveur en panne").get(blocking=True, timeout=RESULT_SECONDS)
    assert "ValueError('solveur en panne')" in str(raised.value)
    assert queue_tasks.write_file(str(trace), "encore").get(blocking=True, timeout=RESULT_SECONDS) == "encore"


def test_a_task_enqueued_while_no_worker_runs_waits_for_one_which_stops_on_sigterm(
        queue_url: str, tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    result = queue_tasks.write_file(str(trace), "après redémarrage")
    assert result.get() is None and not trace.exists()

    worker = _start_worker(queue_url, tmp_path)
    try:
        assert result.get(blocking=True, timeout=RESULT_SECONDS) == "après redémarrage"
    finally:
        output = _stop(worker)
    assert worker.returncode == 0, output
    assert "Received SIGTERM" in output and "Consumer exiting" in output, output
