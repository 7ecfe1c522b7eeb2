"""What the API's import endpoints share (`POST /api/v1/progress/imports`,
`POST /api/v1/usage/imports`, the training imports): the pipeline's preview and apply in one call, and one shape for
a refused file, so every import answers alike: 422 listing every problem (row, column, value,
code, reason) with nothing written, for a dry run as for a real one; 413 (same body) when the
file is over a bound of `rollout.imports.bounds`; a file that changes nothing writes nothing
(no batch: the result's batch id is null).

A file larger than QUEUE_IMPORT_BYTES (and within the bounds) is not read in the request, which
gunicorn ends at 60 s, but handed to `rollout worker`, as the pages hand theirs: 202 with the
job (`ImportJob`), whose `status_url` (`GET /api/v1/imports/{id}`, also the `Location` header)
says how far it is and what came of it. The job previews then, unless a dry run, writes at once
(`rollout.imports.tasks.import_upload`), with the same pipeline as a file read in the request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

from flask import current_app, url_for
from flask_login import current_user
from pydantic import BaseModel, Field
from werkzeug.datastructures import FileStorage

from rollout.api import ErrorBody
from rollout.auth.identity import current_author
from rollout.core.problems import Problem
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.imports import bounds, jobs, tasks
from rollout.imports.pipeline import Importer, ImportConflict, Preview, import_file
from rollout.imports.tabular import TableError
from rollout.models import ImportBatch, Programme, SavedPreview


class ImportProblem(BaseModel):
    row: int | None = None
    column: str | None = None
    value: str | None = None
    code: str = Field(description="What is wrong, as a stable identifier for scripts (e.g. integer_expected).")
    reason: str = Field(description="What is wrong, in words, in the request's language (French unless asked otherwise).")


class ImportErrorBody(ErrorBody):
    """422 (or 413 when over a bound): the file is refused and nothing is written; `problems`
    lists every problem."""

    problems: list[ImportProblem] = []


class JobCounts(BaseModel):
    new: int
    changed: int
    unchanged: int


class ImportJob(BaseModel):
    """An import handed to the task queue (202), and how far it is: poll `status_url` while
    `running`. It ends `written` (`batch_id`; null when the file changes nothing), `ready` for a
    dry run (the counts, nothing written), `refused` (`problems`, nothing written) or `failed`
    (`failure`, nothing written)."""

    id: int
    status: Literal[tuple(jobs.STATUS_LABELS)]  # type: ignore[valid-type]  # the jobs' states
    status_label: str = Field(description="The status in words, in the request's language.")
    running: bool = Field(description="Whether the import goes on: poll `status_url` again in a few seconds.")
    status_url: str
    kind: str = Field(description="The import's kind (usage, progress, sessions, …).")
    filename: str
    size: int = Field(description="The file's size in bytes.")
    rows: int = Field(description="The rows read and checked so far.")
    dry_run: bool
    counts: JobCounts | None = Field(default=None, description="What the file changes (or changed, once "
                                                                "written); null until it is read.")
    batch_id: int | None = Field(default=None, description="The import batch written; null until written, and "
                                                           "when nothing was.")
    problems: list[ImportProblem] = Field(default=[], description="A refused file's problems, as a 422 lists them "
                                                                  "(the first 1,000).")
    invalid_rows: int = 0
    failure: str | None = None


def job_state(saved: SavedPreview) -> ImportJob:
    """An API job's state, from its row (`rollout.imports.jobs`)."""
    job = jobs.job_of(saved)
    status, written = job["status"], job.get("written")
    counts = saved.summary.get("counts")
    if written:
        counts = {"new": written["new"], "changed": written["changed"], "unchanged": written["unchanged"]}
    dry_run = bool(job.get("dry_run"))
    return ImportJob(
        id=saved.id, status=status, status_label=str(jobs.STATUS_LABELS[status]),
        running=status in jobs.RUNNING or (status == "ready" and not dry_run),  # ready: its write comes next
        status_url=url_for("api_v1.get_import_job", job_id=saved.id, programme=saved.programme_id),
        kind=saved.kind, filename=saved.filename, size=job.get("size", 0), rows=job.get("rows", 0), dry_run=dry_run,
        counts=JobCounts(**counts) if counts else None, batch_id=(written or {}).get("batch"),
        problems=_body(jobs.problems_of(job)), invalid_rows=job.get("invalid_rows", 0), failure=job.get("failure"),
    )


def accepted(job: ImportJob) -> tuple[ImportJob, int, dict[str, str]]:
    """The 202 answer of an import handed to the task queue."""
    return job, 202, {"Location": job.status_url}


def _body(problems: list[Problem]) -> list[dict[str, object]]:
    return [ImportProblem(row=p.row, column=p.column, value=p.value, code=p.code, reason=p.reason).model_dump()
            for p in problems]


def api_import(importer: Importer | Callable[[bytes, str], Importer], *, programme: Programme, upload: FileStorage | None,
               dry_run: bool) -> tuple[Preview, ImportBatch | None] | ImportJob:
    """Preview the uploaded file and, unless `dry_run`, apply and commit it; the batch is None
    when nothing was written (a dry run, or a file that changes nothing). A file too large for
    the request is queued instead: its job (answer it with `accepted`). `importer` may be
    chosen from the file (a callable of its bytes and name, raising TableError when it cannot)."""
    if not isinstance(upload, FileStorage):
        raise ApiError(422, "send the file as multipart/form-data in the field 'file'", field="file")
    db = get_session()
    filename, data = upload.filename or "upload", upload.read()
    try:
        chosen = importer if isinstance(importer, Importer) else importer(data, filename)
        if current_app.config["QUEUE_IMPORT_BYTES"] < len(data) <= bounds.MAX_BYTES:
            return _queued(chosen, programme=programme, data=data, filename=filename, dry_run=dry_run)
        preview, batch = import_file(db, importer=chosen, programme=programme, data=data, filename=filename,
                             author=current_author("api"), today=date.today(), dry_run=dry_run)
    except ImportConflict as conflict:
        db.rollback()
        raise ApiError(409, f"{filename}: the programme changed while importing, nothing imported", field="file",
                       problems=_body(conflict.problems)) from None
    except TableError as error:
        db.rollback()
        count = len(error.problems)
        raise ApiError(error.status, f"{filename}: {count} problem{'s' if count > 1 else ''}, nothing imported",
                       field="file", problems=_body(error.problems)) from None
    if batch is None:
        db.rollback()
    else:
        db.commit()
    return preview, batch


def _queued(importer: Importer, *, programme: Programme, data: bytes, filename: str, dry_run: bool) -> ImportJob:
    """Hand a large upload to the worker, as the pages do (`rollout.imports.routes._queued`);
    503 when the queue cannot be reached (the job then reads failed): send the file again."""
    db = get_session()
    saved = jobs.new_job(db, programme=programme, kind=importer.kind, filename=filename, size=len(data),
                         user_id=current_user.id, api=True, dry_run=dry_run)
    db.commit()
    tasks.start(db, saved, tasks.import_upload, data, dry_run, current_author("api"))
    if jobs.job_of(saved)["status"] == "failed":
        raise ApiError(503, f"{filename}: {jobs.QUEUE_DOWN}", field="file")
    return job_state(saved)
