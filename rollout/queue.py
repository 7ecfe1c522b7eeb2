"""The task queue: one Huey instance shared by the web app, the command line and `rollout worker`.

A plan's solve takes seconds to minutes: longer than a web request may hold a gunicorn worker
(60 s timeout), and a restart of the web processes must not lose it. So the web app only
enqueues; `rollout worker` runs Huey's consumer, which executes the tasks in other processes.

The backend comes from ROLLOUT_QUEUE_URL, as the database does from DATABASE_URL (config.py):
`redis://` or `rediss://` selects Redis, for web and workers on several machines; `sqlite:///PATH`
selects that SQLite file; unset, the queue is `queue.sqlite3` in the instance folder, beside the
default database: nothing to install or run, and it serves a PostgreSQL install too as long as
the web app and the worker run on one machine (docs/queue.md).

Tasks are plain functions decorated with `@huey.task()`. They import the app inside their body:
the worker's processes then each build their own engine from DATABASE_URL, and importing a task
module (as the web app does to enqueue) stays cheap.
"""

from __future__ import annotations

import importlib
import logging
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask.sansio.scaffold import find_package
from huey import Huey
from huey.storage import BaseStorage, RedisStorage, SqliteStorage

if TYPE_CHECKING:
    import sqlalchemy as sa

QUEUE_NAME = "rollout"
QUEUE_FILE = "queue.sqlite3"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
SQLITE_PREFIX = "sqlite:///"
# The modules whose tasks the worker runs: a task enqueued by name runs only where it is registered.
TASK_MODULES: tuple[str, ...] = ("rollout.planning.tasks", "rollout.imports.tasks")
# How long SIGTERM (what Procfile hosts send before SIGKILL, 30 s later on most) lets the running
# tasks finish before they are interrupted.
SHUTDOWN_SECONDS = 20
# How often a running task gives news of itself (a plan's row, an import's heartbeat), and how
# long without news means its worker is gone (killed, out of memory, its machine lost): what
# pages then say of the plan or the import, instead of "running" forever.
HEARTBEAT_SECONDS = 1.0
STALE_SECONDS = 30.0
# How often an idle worker looks at a SQLite queue (Redis wakes it at once): Huey's default backs
# off to 10 s, which a person waiting for a solve to start would notice.
IDLE_POLL_SECONDS = 1.0


def instance_path() -> str:
    """The instance folder `create_app` uses: ROLLOUT_INSTANCE_PATH, else Flask's default for the
    app (`instance/` beside the package, or `<prefix>/var/rollout.app-instance` once installed),
    computed without building the app, which the worker's main process never needs."""
    explicit = os.environ.get("ROLLOUT_INSTANCE_PATH")
    if explicit:
        return explicit
    prefix, package_path = find_package("rollout.app")
    if prefix is None:
        return os.path.join(package_path, "instance")
    return os.path.join(prefix, "var", "rollout.app-instance")


def queue_url(raw: str | None, instance: str) -> str:
    """ROLLOUT_QUEUE_URL as given, or the SQLite file in the instance folder when it is unset."""
    return raw or f"{SQLITE_PREFIX}{Path(instance) / QUEUE_FILE}"


def storage_for(url: str) -> tuple[type[BaseStorage], dict[str, Any]]:
    """The Huey storage class and its settings for a queue URL; a URL of another kind is refused
    at start rather than discovered at the first enqueue."""
    if url.startswith(REDIS_SCHEMES):
        return RedisStorage, {"url": url}
    if url.startswith(SQLITE_PREFIX):
        path = Path(url.removeprefix(SQLITE_PREFIX))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage, {"filename": str(path)}
    raise ValueError(f"ROLLOUT_QUEUE_URL must start with redis://, rediss://, unix:// or sqlite:///, not {url.split(':')[0]!r}")


def _build(url: str) -> Huey:
    storage_class, settings = storage_for(url)
    return Huey(QUEUE_NAME, storage_class=storage_class, **settings)


def configure(url: str) -> None:
    """Point the shared instance at another queue (tests use a temporary file or Redis database):
    tasks are registered on the instance, so it is its storage that changes, not the instance."""
    storage_class, settings = storage_for(url)
    huey.storage.close()
    huey.storage = storage_class(QUEUE_NAME, **settings)


huey = _build(queue_url(os.environ.get("ROLLOUT_QUEUE_URL"), instance_path()))


@huey.task()
def worker_pid() -> int:
    """The process that ran this task: enqueue it to check that a worker consumes the queue
    (docs/queue.md)."""
    return os.getpid()


@cache
def worker_engine() -> sa.Engine:
    """A worker process's engine from DATABASE_URL, made on first use (after the consumer forked
    it): the web app's engine lives in the app, which the worker never builds."""
    from rollout.config import database_url
    from rollout.db import make_engine

    return make_engine(database_url(os.environ.get("DATABASE_URL"), instance_path()))


def load_tasks(extra_modules: tuple[str, ...] = ()) -> None:
    """Import the task modules, so the worker knows every task the web app may enqueue."""
    for module in (*TASK_MODULES, *extra_modules):
        importlib.import_module(module)


def run_worker(*, workers: int, extra_modules: tuple[str, ...] = ()) -> None:
    """Run Huey's consumer until SIGTERM (running tasks get SHUTDOWN_SECONDS to finish) or
    SIGINT (they are interrupted at once).

    Each task runs in a process of its own, forked by the consumer: a solve that crashes or is
    killed for its memory takes no other task with it (the consumer starts a new process), and a
    task can be interrupted, which a thread running CP-SAT cannot.
    """
    load_tasks(extra_modules)
    logging.getLogger("huey").setLevel(logging.INFO)
    consumer = huey.create_consumer(workers=workers, worker_type="process", graceful_signal="TERM",
                                    shutdown_timeout=SHUTDOWN_SECONDS, max_delay=IDLE_POLL_SECONDS)
    consumer.run()
