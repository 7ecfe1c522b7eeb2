"""Tasks for tests/rollout/test_queue.py, which a real `rollout worker --import tests.queue_tasks` runs."""

from __future__ import annotations

from pathlib import Path

from rollout.queue import huey


@huey.task()
def write_file(path: str, text: str) -> str:
    """Leave a trace outside the queue, so a test sees that the task ran, not only its result."""
    Path(path).write_text(text, encoding="utf-8")
    return text


@huey.task()
def fail(message: str) -> None:
    """Raise, so a test sees that a task's error reaches whoever waits for its result."""
    raise ValueError(message)
