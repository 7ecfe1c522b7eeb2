"""The pages every import shares: the upload form, the preview of what a file would change,
and its confirmation or cancellation. The routes (`rollout.imports.routes`) and the schools'
national-file page build on these."""

from __future__ import annotations

from typing import Callable

from flask import request, url_for
from flask_wtf import FlaskForm

from rollout.core.pages import programme_page
from rollout.db import get_session
from rollout.imports.reference import Preview
from rollout.imports.registry import LISTS, TABLES
from rollout.imports.tabular import TableError
from rollout.models import Programme


def show_preview(programme: Programme, preview: Preview):
    """The preview page: 200 when it can be confirmed, 422 when rows are invalid."""
    table = TABLES[preview.kind]
    return programme_page("imports/preview.html", programme, preview=preview, key=table.key,
                          back=url_for(LISTS[preview.kind], programme_id=programme.id)), 422 if preview.invalid else 200


def stored_preview(form: FlaskForm, build: Callable[[], Preview]) -> Preview | None:
    """The preview `build` makes of the uploaded file, committed so that it can be confirmed
    later; None when the file cannot be read, its problems then shown under the file field."""
    db = get_session()
    try:
        preview = build()
    except TableError as error:
        db.rollback()
        form.file.errors = [problem.describe(error.filename) for problem in error.problems]
        return None
    db.commit()
    return preview


def upload_status() -> int:
    """422 when a submitted upload form is shown again (refused), else 200."""
    return 422 if request.method == "POST" else 200
