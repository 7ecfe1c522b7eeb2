"""The import tasks `rollout worker` runs: preview an uploaded file, then write it once confirmed
(`rollout.imports.jobs` says where their state lives and why); a file sent through the API is
previewed then written by one task, as nobody confirms it.

Each task runs the same pipeline functions as the synchronous pages (`read_preview`,
`apply_preview`), so a queued import previews, refuses and writes exactly as a small one does;
the task only records how far it is, in short transactions of its own, and how it ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session

from rollout.core.author import Author
from rollout.db import writing
from rollout.imports import jobs, pipeline
from rollout.imports.pipeline import ImportConflict, Preview, apply_preview, read_preview, restore
from rollout.imports.registry import IMPORTERS
from rollout.imports.tabular import TableError
from rollout.models import Programme, SavedPreview
from rollout.queue import HEARTBEAT_SECONDS, huey, worker_engine

log = logging.getLogger(__name__)
_STATE_ONLY = [defer(SavedPreview.rows)]  # a job's state, without the rows a kept preview holds


class JobGone(Exception):
    """The job's row was deleted (cancelled, or replaced by the user's next upload): stop."""


@huey.task()
def preview_upload(saved_id: int, data: bytes) -> None:
    """Read and check an uploaded file; the job's row then holds its preview or its problems."""
    run_preview(worker_engine(), saved_id, data)


@huey.task()
def write_upload(saved_id: int, left_out: list[str], author: Author) -> None:
    """Write a confirmed preview as one import batch, all or nothing."""
    run_write(worker_engine(), saved_id, left_out=set(left_out), author=author)


@huey.task()
def import_upload(saved_id: int, data: bytes, dry_run: bool, author: Author) -> None:
    """Read and check a file sent through the API, then write it unless `dry_run`: nobody
    confirms an API import, as nobody does in the API's synchronous imports."""
    run_import(worker_engine(), saved_id, data, dry_run=dry_run, author=author)


def start(session: Session, saved: SavedPreview, task: Any, *args: Any) -> None:
    """Enqueue `task` for the committed job `saved`; a queue that cannot be reached leaves the
    job failed with the reason, not queued forever (as plans do)."""
    try:
        task(saved.id, *args)
    except Exception:  # Redis down, disk full: the same to the person waiting
        log.exception("import %s could not be queued", saved.id)
        jobs.update_job(saved, status="failed", failure=jobs.QUEUE_DOWN)
        session.add(saved)
        session.commit()


@contextmanager
def heartbeat(saved_id: int) -> Iterator[None]:
    """Beat for the job every HEARTBEAT_SECONDS while the block runs (its rows may hold the
    database's write lock meanwhile), then forget the beat."""
    done = threading.Event()

    def loop() -> None:
        while not done.wait(HEARTBEAT_SECONDS):
            try:
                jobs.beat(saved_id)
            except Exception:  # a queue briefly unreachable: the next beat tries again
                log.warning("import %s: heartbeat not written", saved_id, exc_info=True)

    jobs.beat(saved_id)
    thread = threading.Thread(target=loop, name=f"import-{saved_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        jobs.forget_beat(saved_id)


def _take(engine: sa.Engine, saved_id: int, *, expected: str, status: str) -> bool:
    """Move the job from `expected` to `status`; False (nothing to do) when it is gone or elsewhere."""
    with Session(engine) as session:
        saved = session.get(SavedPreview, saved_id, options=_STATE_ONLY)
        job = saved and jobs.job_of(saved)
        if job is None or job["status"] != expected:
            log.info("import %s is not %s: nothing to do", saved_id, expected)
            return False
        jobs.update_job(saved, status=status)
        session.add(saved)
        session.commit()
        return True


def _record(engine: sa.Engine, saved_id: int, *, expected: str, **fields: Any) -> None:
    """Write the job's state in a transaction of its own; JobGone when its row was deleted or
    its status is no longer `expected` (a worker thought lost was marked failed meanwhile). A job
    refused or failed keeps no rows: nothing of it can be confirmed any more."""
    with Session(engine) as session:
        saved = session.get(SavedPreview, saved_id, options=_STATE_ONLY)
        job = saved and jobs.job_of(saved)
        if job is None or job["status"] != expected:
            raise JobGone(saved_id)
        if fields.get("status") in ("refused", "failed"):
            saved.rows = []
        jobs.update_job(saved, **fields)
        session.add(saved)
        session.commit()


class _Counter:
    """The pipeline's progress hook for a job: writes the rows checked at most once a second,
    and the last count always (the pipeline's report at the end of the rows, which is no step
    of PROGRESS_EVERY rows, or repeats the last step): what follows the reading (comparing
    with stored rows, keeping the preview) may take seconds more."""

    def __init__(self, engine: sa.Engine, saved_id: int) -> None:
        self.engine, self.saved_id, self.written_at, self.rows = engine, saved_id, 0.0, 0

    def __call__(self, rows: int) -> None:
        last = rows % pipeline.PROGRESS_EVERY != 0 or rows == self.rows
        self.rows = rows
        now = time.monotonic()
        if last or now - self.written_at >= HEARTBEAT_SECONDS:
            _record(self.engine, self.saved_id, expected="reading", rows=rows)
            self.written_at = now


def run_preview(engine: sa.Engine, saved_id: int, data: bytes) -> None:
    """The preview task's body (tests run it without a queue): read and check `data` as the
    upload page does, then keep the preview in the job's row (confirmable or not), or the
    file's problems. The reading runs in a deferred transaction, so that the progress written
    meanwhile (`_Counter`) does not wait for a write lock the reading would hold. The heartbeat
    starts before the job reads as reading and stops once its outcome is written: a page
    polling in between never finds it lost."""
    state = writing(engine)
    with heartbeat(saved_id):
        if not _take(state, saved_id, expected="queued", status="reading"):
            return
        try:
            with Session(engine) as session:
                saved = session.get(SavedPreview, saved_id)
                importer, programme = IMPORTERS[saved.kind](), session.get(Programme, saved.programme_id)
                counter = _Counter(state, saved_id)
                try:
                    preview = read_preview(session, importer=importer, programme=programme, data=data,
                                           filename=saved.filename, today=date.today(), progress=counter)
                except TableError as error:
                    session.rollback()
                    _record(state, saved_id, expected="reading", status="refused", **jobs.kept_problems(error.problems))
                    return
                # Kept in the reading transaction: an importer may hold its rows there (staged).
                rows = pipeline.kept_rows(session, importer=importer, preview=preview) if preview.confirmable else []
            _finish_preview(state, saved_id, preview=preview, rows=rows, checked=counter.rows)
        except JobGone:
            log.info("import %s was cancelled or replaced while it was read", saved_id)
        except Exception as error:  # whatever went wrong, the page must say so, not stay reading
            log.exception("import %s failed", saved_id)
            _fail(state, saved_id, "reading", error)


def _finish_preview(engine: sa.Engine, saved_id: int, *, preview: Preview, rows: list[Any], checked: int) -> None:
    """Keep the preview in the job's row, as `save_preview` keeps one made in a request, or
    its invalid rows."""
    with Session(engine) as session:
        saved = session.get(SavedPreview, saved_id, with_for_update=True)
        job = saved and jobs.job_of(saved)
        if job is None or job["status"] != "reading":
            raise JobGone(saved_id)
        if preview.problems:
            saved.summary = {**preview.summary(), "job": {**job, "status": "refused", "rows": checked,
                                                          **jobs.kept_problems(preview.problems)}}
        else:
            saved.rows = rows
            saved.summary = {**preview.summary(), "job": {**job, "status": "ready", "rows": checked}}
        session.add(saved)
        session.commit()


def run_write(engine: sa.Engine, saved_id: int, *, left_out: set[str], author: Author) -> None:
    """The write task's body: apply exactly the kept rows (but those `left_out`) as one import
    batch, audited as the page's confirm is, and record the batch in the job's row; rows that
    no longer apply leave nothing written and the job refused with them."""
    engine = writing(engine)
    with heartbeat(saved_id):
        if not _take(engine, saved_id, expected="confirmed", status="writing"):
            return
        try:
            _write(engine, saved_id, left_out=left_out, author=author)
        except JobGone:
            log.info("import %s was cancelled or marked failed while it was written: nothing written", saved_id)
        except Exception as error:  # the page must say so, not stay writing
            log.exception("import %s failed", saved_id)
            _fail(engine, saved_id, "writing", error)


def run_import(engine: sa.Engine, saved_id: int, data: bytes, *, dry_run: bool, author: Author) -> None:
    """The API task's body: the preview task's, then the write task's once the preview is
    ready (`_settle` confirms it), so an API import previews, refuses and writes as a page's."""
    run_preview(engine, saved_id, data)
    if _settle(writing(engine), saved_id, dry_run=dry_run):
        run_write(engine, saved_id, left_out=set(), author=author)


def _settle(engine: sa.Engine, saved_id: int, *, dry_run: bool) -> bool:
    """What follows an API job's ready preview, in one transaction; True when it is confirmed,
    to write. A dry run stays ready with its counts but drops the kept rows, which nothing will
    confirm; a file that changes nothing reads written with no batch, as the synchronous API
    answers it (nothing written). Anything but ready (refused, failed, gone) is left as it is."""
    with Session(engine) as session:
        saved = session.get(SavedPreview, saved_id, options=_STATE_ONLY, with_for_update=True)
        job = saved and jobs.job_of(saved)
        if job is None or job["status"] != "ready":
            return False
        counts = saved.summary["counts"]
        confirmed = not dry_run and pipeline.writes_something(counts)
        if confirmed:
            jobs.update_job(saved, status="confirmed")
        else:
            saved.rows = []
            if not dry_run:
                jobs.update_job(saved, status="written", written={"batch": None, "new": 0, "changed": 0,
                                                                  "unchanged": counts["unchanged"]})
        session.add(saved)
        session.commit()
        return confirmed


def _write(engine: sa.Engine, saved_id: int, *, left_out: set[str], author: Author) -> None:
    """Apply the kept preview and mark the job written in one transaction, unless the job was
    marked otherwise meanwhile (JobGone, nothing written)."""
    with Session(engine, expire_on_commit=False) as session:
        saved = session.get(SavedPreview, saved_id)
        importer, programme = IMPORTERS[saved.kind](), session.get(Programme, saved.programme_id)
        preview = restore(importer, saved)
        if left_out:
            preview = importer.leave_out(preview, left_out)
        try:
            batch = apply_preview(session, importer=importer, programme=programme, preview=preview, author=author,
                                  today=date.today())
        except ImportConflict as conflict:
            session.rollback()
            _record(engine, saved_id, expected="writing", status="refused", conflict=True,
                    **jobs.kept_problems(conflict.problems))
            return
        # The verdict and the rows in one transaction: written here means written there.
        session.refresh(saved, ["summary"], with_for_update=True)
        if (jobs.job_of(saved) or {}).get("status") != "writing":
            session.rollback()
            raise JobGone(saved_id)
        saved.rows = []
        jobs.update_job(saved, status="written", written={
            "batch": batch.id, "new": batch.rows_new, "changed": batch.rows_replaced, "unchanged": batch.rows_unchanged})
        session.add(saved)
        session.commit()


def _fail(engine: sa.Engine, saved_id: int, expected: str, error: Exception) -> None:
    """The job failed with the error's name and text; nothing when it was deleted meanwhile."""
    try:
        _record(engine, saved_id, expected=expected, status="failed", failure=f"{type(error).__name__}: {error}")
    except JobGone:
        pass
