"""What the tests of queued imports share, the pages' (tests/rollout/imports/test_queued_imports.py)
and the API's (tests/rollout/test_api_queued_imports.py): an app that queues every upload of
these tests, on a SQLite queue of the test's own, and a usage file of a few kilobytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rollout import queue

THRESHOLD = 200  # bytes: the test files are a few kilobytes, so every upload here is queued
DAYS = 12


@pytest.fixture
def queued_app(app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app queueing uploads above THRESHOLD bytes, on an empty SQLite queue of this test's
    (its URL), which a worker started by the test (it inherits ROLLOUT_QUEUE_URL) consumes."""
    app.config["QUEUE_IMPORT_BYTES"] = THRESHOLD
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    monkeypatch.setenv("ROLLOUT_QUEUE_URL", url)
    previous = queue.huey.storage
    queue.configure(url)
    yield url
    queue.huey.storage.close()
    queue.huey.storage = previous


def usage_file(world, *, bad_row: bool = False) -> bytes:
    """Every school of the world, each day of DAYS, two services: 144 rows."""
    lines = ["Jour;Code UAI;Outil;Profil;Visites;Visiteurs"]
    for day in range(1, DAYS + 1):
        for uai in world.uais:
            lines.append(f"{day:02d}/03/2016;{uai};Cahier de textes;Enseignant;{day + 3};2")
            lines.append(f"{day:02d}/03/2016;{uai};Messagerie;Élève;{day + 10};5")
    if bad_row:
        lines.insert(40, f"07/03/2016;{world.other_uai};Notes;Élève;-1;5")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
