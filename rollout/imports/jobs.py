"""Imports too large for a web request, run by `rollout worker`: their state, kept where any
web host reads it.

A million usage rows take tens of seconds to read, check and write, longer than gunicorn lets a
request run (60 s). So an upload above QUEUE_IMPORT_BYTES is handed to the task queue: its
preview, then (once confirmed) its write, each a task (`rollout.imports.tasks`).

Where things live, so that any web host answers the next request:
- the job is the user's `SavedPreview` of that kind, as a preview made in the request is:
  `summary["job"]` says how far it is (status, rows checked, the rows' problems, the batch
  written), and once previewed the row holds the preview itself, which the usual preview page
  shows and confirms. No new table: the row already belongs to its author, replaces their
  earlier preview of the kind, and expires. A file sent through the API is a job too, marked
  `via: "api"`: only the API shows it (`GET /api/v1/imports/{id}`), and it replaces nothing.
- the uploaded file travels in the task's message, in the queue's own storage (Redis when web
  and workers are on several machines, as docs/queue.md requires): it is read once, by the
  worker, and the queue drops it when the task is taken. Not the web host's disk (the worker
  may be elsewhere), and not the database, which would keep a copy of every large file.
- the worker's heartbeat is a key in the queue's storage too, written every second: while an
  import writes its rows it holds SQLite's only write lock for tens of seconds, so a heartbeat
  in the database (as plan solves keep theirs) could not be written then. A reading or writing
  job whose heartbeat is older than STALE_AFTER has lost its worker, and reads failed.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from rollout.audit import jsonable
from rollout.core.problems import Problem
from rollout.imports.pipeline import API_JOB, PREVIEW_LIFETIME, forget_expired, forget_previews
from rollout.models import Programme, SavedPreview, utcnow
from rollout.queue import STALE_SECONDS, huey

RUNNING = ("queued", "reading", "confirmed", "writing")
"""A job a worker has still to take or is working on: the page polls."""
WORKING = ("reading", "writing")
"""A job a worker is working on: its heartbeat says whether the worker is alive."""
STATUS_LABELS = {
    "queued": _l("en attente d'un calculateur"), "reading": _l("lecture et vérification du fichier"),
    "ready": _l("aperçu prêt"), "refused": _l("fichier refusé : rien n'a été enregistré"),
    "confirmed": _l("écriture en attente d'un calculateur"), "writing": _l("écriture des lignes"),
    "written": _l("import enregistré"), "failed": _l("échec : rien n'a été enregistré"),
}
STALE_AFTER = STALE_SECONDS  # without a heartbeat, a working job has lost its worker (as a plan's solve)
PROBLEMS_KEPT = 1_000
"""The invalid rows a refused job keeps to show (the count covers them all): a million wrong rows
would otherwise be a million-entry JSON document in one row."""
WORKER_DIED = "the worker stopped during the import"
QUEUE_DOWN = "the task queue could not be reached; send the file again"


def job_of(saved: SavedPreview) -> dict[str, Any] | None:
    """The job state of a kept preview, or None for a preview made in the request."""
    return saved.summary.get("job")


def new_job(session: Session, *, programme: Programme, kind: str, filename: str, size: int, user_id: int,
            api: bool = False, dry_run: bool = False) -> SavedPreview:
    """The row of a queued upload, in place of the user's earlier preview of `kind`; an `api`
    job (`rollout.api.imports`, written unless `dry_run`) replaces none, so that a script's
    jobs and the person's page upload never take each other's place. Does not commit; enqueue
    only after the commit, or the worker may not see the row."""
    now = utcnow()
    job: dict[str, Any] = {"status": "queued", "size": size, "rows": 0}
    if api:
        forget_expired(session, programme=programme, now=now)
        job |= {"via": API_JOB, "dry_run": dry_run}
    else:
        forget_previews(session, programme=programme, kind=kind, user_id=user_id, now=now)
    saved = SavedPreview(programme_id=programme.id, user_id=user_id, kind=kind, filename=filename[:500], rows=[],
                         summary={"job": job}, created_at=now, expires_at=now + PREVIEW_LIFETIME)
    session.add(saved)
    session.flush()
    return saved


def is_api(saved: SavedPreview) -> bool:
    """Whether the row is a job sent through the API, which only the API shows."""
    return (job_of(saved) or {}).get("via") == API_JOB


def update_job(saved: SavedPreview, **fields: Any) -> None:
    """Change the job's state in `saved` (the caller commits)."""
    saved.summary = {**saved.summary, "job": {**saved.summary["job"], **fields}}
    flag_modified(saved, "summary")


def kept_problems(problems: list[Problem]) -> dict[str, Any]:
    """The refused job's problems as its row keeps them: the first PROBLEMS_KEPT, and the count."""
    return {"problems": [jsonable(asdict(problem)) for problem in problems[:PROBLEMS_KEPT]],
            "invalid_rows": len({problem.row for problem in problems}), "problem_count": len(problems)}


def problems_of(job: dict[str, Any]) -> list[Problem]:
    """The problems a refused job kept, to show as the synchronous pages show them."""
    return [Problem(**problem) for problem in job.get("problems", [])]


def heartbeat_key(saved_id: int) -> str:
    return f"import-job-{saved_id}-heartbeat"


def beat(saved_id: int) -> None:
    """The worker is alive and working on this job (see the module docstring)."""
    huey.put(heartbeat_key(saved_id), time.time())


def forget_beat(saved_id: int) -> None:
    huey.delete(heartbeat_key(saved_id))


def worker_lost(saved_id: int) -> bool:
    """Whether the job's worker has not beaten for STALE_AFTER seconds; False when the queue
    cannot be read (then nothing is known, and nothing is marked)."""
    try:
        last = huey.get(heartbeat_key(saved_id), peek=True)
    except Exception:  # Redis unreachable: the job may be fine
        return False
    return last is None or time.time() - last > STALE_AFTER


def reap_if_lost(session: Session, saved: SavedPreview) -> bool:
    """Mark failed a working job whose worker is gone (the page then says so), committing;
    True when it did. Reading the job's state is when a dead worker is noticed, as for plans."""
    job = job_of(saved)
    if job is None or job["status"] not in WORKING or not worker_lost(saved.id):
        return False
    update_job(saved, status="failed", failure=WORKER_DIED)
    session.add(saved)
    session.commit()
    forget_beat(saved.id)
    return True


def progress_state(saved: SavedPreview) -> dict[str, Any]:
    """What the job's page shows and its polling reads (`static/import_progress.js`)."""
    job = job_of(saved) or {}
    status = job.get("status", "ready")
    counts = saved.summary.get("counts") or {}
    return {
        "status": status, "status_label": str(STATUS_LABELS[status]), "running": status in RUNNING,
        "rows": job.get("rows", 0), "to_write": counts.get("new", 0) + counts.get("changed", 0),
        "written": job.get("written"), "invalid_rows": job.get("invalid_rows", 0), "failure": job.get("failure"),
    }
