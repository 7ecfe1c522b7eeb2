"""Online courses and Pix+ Édu certifications: `POST /api/v1/training/courses/imports` (a
M@gistère participants export) and `POST /api/v1/training/certifications/imports`.

The import pipeline's preview and apply in one call, as the command line runs them
(`rollout.training.record_imports.import_training_file`), under one import batch: all rows or none (422 lists every invalid row, 413 over a bound), `dry_run` counts without
writing, and the same file twice changes nothing and says so (200, all rows unchanged). Only
counts per school are ever stored: a participants export's names and e-mails are dropped as
the file is read. Project managers and leaders only.

No `from __future__ import annotations`: spectree reads the views' annotations.
"""

from datetime import date

from flask import request
from pydantic import BaseModel, Field
from spectree import Response
from spectree.model_adapter.pydantic_adapter import BaseFile
from werkzeug.datastructures import FileStorage

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.imports import ImportErrorBody
from rollout.auth.access import EDITORS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import single_programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.imports.tabular import TableError
from rollout.training.record_imports import import_training_file


class RecordProgrammeQuery(BaseModel):
    """`programme` may be left out when the caller sees a single programme."""

    programme: int | None = Field(default=None, ge=1, le=2**31 - 1, description="Optional when the caller sees one programme.")


class RecordImportForm(BaseModel):
    """A multipart upload: the file (CSV or XLSX) and whether to only count."""

    file: BaseFile
    dry_run: bool = False


class RecordImportResult(BaseModel):
    """What the import did (201) or, for a dry run or a file that changes nothing, would do (200)."""

    programme_id: int
    kind: str = Field(description="courses or certifications")
    filename: str
    new: int
    replaced: int
    unchanged: int
    dry_run: bool
    written: bool = Field(description="Whether anything was written (false for a dry run or a file already imported).")
    import_batch_id: int | None = Field(default=None, description="The import batch written (null when nothing was).")
    ignored_columns: list[str] = Field(description="Columns read by no one: for a participants export, its names and "
                                                   "e-mails, never stored.")


def _import(kind: str, query: RecordProgrammeQuery, form: RecordImportForm | None):
    programme = single_programme_or_404(query.programme)
    upload = request.files.get("file")
    if not isinstance(upload, FileStorage):
        raise ApiError(422, "send the file as multipart/form-data in the field 'file'", field="file")
    dry_run = bool(form and form.dry_run)
    db = get_session()
    filename = upload.filename or "upload"
    try:
        preview, batch = import_training_file(db, kind=kind, programme=programme, data=upload.read(), filename=filename,
                                              author=current_author("api"), today=date.today(), dry_run=dry_run)
    except TableError as error:
        db.rollback()
        count = len(error.problems)
        problems = [{"row": p.row, "column": p.column, "value": p.value, "code": p.code, "reason": p.reason}
                    for p in error.problems]
        raise ApiError(error.status, f"{filename}: {count} problem{'s' if count > 1 else ''}, nothing imported",
                       field="file", problems=problems) from None
    counts = preview.counts if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced,
                                                   "unchanged": batch.rows_unchanged}
    result = RecordImportResult(programme_id=programme.id, kind=kind, filename=filename, new=counts["new"],
                                replaced=counts["changed"], unchanged=counts["unchanged"], dry_run=dry_run,
                                written=batch is not None, import_batch_id=batch.id if batch else None,
                                ignored_columns=preview.ignored_columns)
    if batch is None:
        db.rollback()
        return result
    db.commit()
    return result, 201


IMPORT_RESPONSES = dict(HTTP_200=RecordImportResult, HTTP_201=RecordImportResult, HTTP_400=ErrorBody, HTTP_403=ErrorBody,
                        HTTP_404=ErrorBody, HTTP_413=ImportErrorBody, HTTP_422=ImportErrorBody)


@api_v1.post("/training/courses/imports")
@access(*EDITORS)
@spec.validate(query=RecordProgrammeQuery, form=RecordImportForm, resp=Response(**IMPORT_RESPONSES), tags=["training"])
def post_course_import(query: RecordProgrammeQuery, form: RecordImportForm):
    """Import a M@gistère participants export (multipart `file`, optional `dry_run`): counts per
    school and course replace the previous export's for the courses it holds; names and e-mails
    are dropped as the file is read."""
    return _import("courses", query, form)


@api_v1.post("/training/certifications/imports")
@access(*EDITORS)
@spec.validate(query=RecordProgrammeQuery, form=RecordImportForm, resp=Response(**IMPORT_RESPONSES), tags=["training"])
def post_certification_import(query: RecordProgrammeQuery, form: RecordImportForm):
    """Import dated Pix+ Édu certifications (multipart `file`, optional `dry_run`): all rows or
    none; the schools' totals and Pix+ Édu milestone follow."""
    return _import("certifications", query, form)
