"""Tasks for tests/rollout/test_queue.py, which a real `rollout worker --import tests.queue_tasks` runs,
and a way to point the test process's queue where a worker under test listens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rollout import queue
from rollout.queue import huey


@contextmanager
def queue_at(url: str) -> Iterator[None]:
    """Enqueue to (and read results from) the queue at `url` in this block, emptied before and after."""
    previous = huey.storage
    queue.configure(url)
    huey.flush()
    try:
        yield
    finally:
        huey.flush()
        huey.storage.close()
        huey.storage = previous


def parent_pid(pid: int) -> int:
    """The parent of a process, from /proc (field 4 of its stat line, after the command's name)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@huey.task()
def write_file(path: str, text: str) -> str:
    """Leave a trace outside the queue, so a test sees that the task ran, not only its result."""
    Path(path).write_text(text, encoding="utf-8")
    return text


@huey.task()
def fail(message: str) -> None:
    """Raise, so a test sees that a task's error reaches whoever waits for its result."""
    raise ValueError(message)
