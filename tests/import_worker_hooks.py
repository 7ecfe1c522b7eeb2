"""Imported by a `rollout worker --import tests.import_worker_hooks` under test: its import
tasks stop in the middle of reading a file, holding the job in "reading" with its heartbeat
going, until the test kills the worker (tests/rollout/imports/test_queued_imports.py)."""

from __future__ import annotations

import threading

from rollout.imports import tasks


def _reading_forever(*args, **kwargs):
    threading.Event().wait()


tasks.read_preview = _reading_forever
