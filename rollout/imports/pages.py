"""The pages every import shares: the upload form and the preview of what a file would change.
The routes (`rollout.imports.routes`) and the schools' national-file page build on these."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request, url_for
from flask_login import current_user

from rollout.core.pages import programme_page
from rollout.db import get_session
from rollout.imports import jobs
from rollout.imports.pipeline import Importer, Preview, read_preview, restore, save_preview
from rollout.imports.tabular import TableError
from rollout.models import Programme, SavedPreview


def upload_status() -> int:
    """422 when a submitted upload form is shown again (refused), else 200."""
    return 422 if request.method == "POST" else 200


def upload_page(programme: Programme, importer: Importer, *, refused: TableError | None = None,
                filename: str | None = None, **context: Any):
    """The upload form of `importer`, under the problems of the file `filename` when it was
    `refused` (413 when over a bound, else 422)."""
    return programme_page("imports/upload.html", programme, importer=importer, columns=importer.header(),
                          problems=refused.problems if refused else [], filename=filename,
                          back=url_for(importer.listing, programme_id=programme.id),
                          **context), refused.status if refused else upload_status()


def preview_page(programme: Programme, importer: Importer, preview: Preview):
    """The preview: 200 when it can be confirmed (or has nothing to change), 422 when rows are invalid."""
    return programme_page("imports/preview.html", programme, importer=importer, preview=preview,
                          back=url_for(importer.listing, programme_id=programme.id)), 422 if preview.problems else 200


def previewed(programme: Programme, importer: Importer, data: bytes, filename: str) -> Preview:
    """Read and preview an uploaded file, keep it for its author when it can be confirmed, and
    commit that. TableError (after rolling back) when the file itself cannot be read."""
    db = get_session()
    try:
        preview = read_preview(db, importer=importer, programme=programme, data=data, filename=filename, today=date.today())
    except TableError:
        db.rollback()
        raise
    save_preview(db, importer=importer, programme=programme, preview=preview, user_id=current_user.id)
    db.commit()
    return preview


def job_page(programme: Programme, importer: Importer, saved: SavedPreview, *, status: int = 200):
    """A queued import's page: once previewed, the very preview page a small file gets (nothing
    to confirm when it would change nothing); before, how far the worker is; after, what came of
    it (the batch written, the invalid rows, or why it failed), all read from the job's row."""
    job = jobs.job_of(saved)
    if job["status"] == "ready" and status == 200:
        preview = restore(importer, saved)
        if not saved.rows:
            preview.saved_id = None
        return preview_page(programme, importer, preview)
    return programme_page("imports/job.html", programme, importer=importer, saved=saved, job=job,
                          state=jobs.progress_state(saved), problems=jobs.problems_of(job),
                          back=url_for(importer.listing, programme_id=programme.id)), status
