"""Serving the application with gunicorn, and a queue worker beside it, from `rollout demo`."""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

from gunicorn.glogging import Logger

from rollout.sharing.redaction import without_secrets

# How long a stopped server or worker may take to exit before it is killed.
STOP_SECONDS = 10


class AccessLogger(Logger):
    """gunicorn's logger, writing share links' addresses without their secret (`--logger-class`
    in the Procfile): the access log is kept and read by more people than the dashboards' readers."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: without_secrets(value) if isinstance(value, str) else value for key, value in atoms.items()}


def freeze_start_up_objects(worker: Any) -> None:
    """gunicorn's `post_worker_init` (gunicorn.conf.py): once a worker has loaded the app, move
    every object then alive (Flask, SQLAlchemy, Plotly, the app and its routes) out of the
    garbage collector's reach, after one collection so that start-up's garbage is freed, not kept.

    Why: full collections traverse every tracked object, and these never die; garbage
    collection was about 30 % of computing a dashboard at the country's size, and freezing after
    start-up cut that page's time by 18–24 % (docs/benchmarks.md, "What grew faster than the
    data"). Objects created later, by requests, are collected as before. `worker` (gunicorn's
    worker) is unused: gunicorn checks that the hook takes it.
    """
    gc.collect()
    gc.freeze()


def gunicorn_command(*, host: str, port: int, workers: int) -> list[str]:
    """gunicorn as the Procfile's web line runs it: the same server, bound where the demo says."""
    return [sys.executable, "-m", "gunicorn", "rollout.app:create_app()", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--threads", "4", "--timeout", "60", "--access-logfile", "-",
            "--logger-class", "rollout.serve.AccessLogger"]


def serve_with_worker(*, host: str, port: int, workers: int) -> int:
    """Run gunicorn and one `rollout worker` side by side until Ctrl+C or until either ends,
    then stop the other; returns the exit status.

    Both are children of this process, which only watches them: Ctrl+C (or a SIGINT or SIGTERM
    sent to this process) is passed on to both. One ending on its own
    is a failure (non-zero) whatever its status: a demo whose plans never solve, or that no
    longer serves, must not look as if it worked.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):  # the demo's plan solve (OR-Tools) left SIGINT at its default
        signal.signal(signum, _interrupt)
    # Each in a process group of its own, so that one lingering past the deadline is killed with
    # its own children (gunicorn's workers, the consumer's task processes), which would otherwise
    # outlive it holding the port or the terminal.
    server = subprocess.Popen(gunicorn_command(host=host, port=port, workers=workers), start_new_session=True)
    worker = subprocess.Popen([sys.executable, "-m", "rollout", "worker"], start_new_session=True)
    ended = _first_to_end([server, worker])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not leave them behind
    _stop_all([server, worker])
    if ended is not None:
        print(f"{'gunicorn' if ended is server else 'the queue worker'} stopped (exit status {ended.returncode}):"
              " the demo stops", file=sys.stderr)
        return ended.returncode or 1
    return server.returncode or worker.returncode


def _interrupt(signum: int, frame: Any) -> None:
    """Ctrl+C or SIGTERM: stop watching, and stop both."""
    raise KeyboardInterrupt


def _first_to_end(processes: list[subprocess.Popen]) -> subprocess.Popen | None:
    """The first of `processes` to end, or None on Ctrl+C; waits on their pidfds (Linux), not a timer."""
    pidfds = {os.pidfd_open(process.pid): process for process in processes}
    try:
        ready, _, _ = select.select(list(pidfds), [], [])
        return pidfds[ready[0]]
    except KeyboardInterrupt:
        return None
    finally:
        for pidfd in pidfds:
            os.close(pidfd)


def _stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGINT to each, as Ctrl+C sends it (gunicorn stops at once, the worker interrupts its
    tasks), all at once so that slow stops overlap; one lingering past STOP_SECONDS is killed with
    its process group."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    for process in processes:  # what a child killed from outside left (a consumer's task processes)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
