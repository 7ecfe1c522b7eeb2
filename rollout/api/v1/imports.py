"""Imports handed to the task queue: `GET /api/v1/imports/{job_id}`, how far a large file sent to
an import endpoint (answered 202) is, and what came of it (`rollout.api.imports`).

A job is its sender's only, as a queued page import is: anyone else reads 404, as for a job of
another programme; the role that may no longer run that import reads 403. Reading the job is
when a worker that stopped is noticed: its job then reads failed.

No `from __future__ import annotations`: spectree reads the views' annotations.
"""

from flask import abort
from flask_login import current_user
from spectree import Response

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.imports import ImportJob, job_state
from rollout.api.v1.reference import ProgrammeQuery
from rollout.auth.access import EDITORS, access
from rollout.auth.scope import single_programme_or_404
from rollout.core.permissions import may
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.imports import jobs
from rollout.imports.pipeline import saved_preview
from rollout.imports.registry import IMPORTERS


@api_v1.get("/imports/<int:job_id>")
@access(*EDITORS)
@spec.validate(query=ProgrammeQuery,
               resp=Response(HTTP_200=ImportJob, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody),
               tags=["imports"])
def get_import_job(job_id: int, query: ProgrammeQuery):
    """A queued import's state: poll it while `running` (the 202's `Location`)."""
    db = get_session()
    programme = single_programme_or_404(query.programme)
    saved = saved_preview(db, programme=programme, saved_id=job_id, user_id=current_user.id, rows=False)
    if saved is None or not jobs.is_api(saved):
        abort(404)
    if not may(current_user, IMPORTERS[saved.kind].action):
        raise ApiError(403, "your role may no longer run this import")
    jobs.reap_if_lost(db, saved)
    return job_state(saved), 200, {"Cache-Control": "no-store"}
