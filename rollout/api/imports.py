"""What the API's import endpoints share (`POST /api/v1/progress/imports`,
`POST /api/v1/usage/imports`, the training imports): the pipeline's preview and apply in one call, and one shape for
a refused file, so every import answers alike: 422 listing every problem (row, column, value,
code, reason) with nothing written, for a dry run as for a real one; 413 (same body) when the
file is over a bound of `rollout.imports.bounds`; a file that changes nothing writes nothing
(no batch: the result's batch id is null)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, Field
from werkzeug.datastructures import FileStorage

from rollout.api import ErrorBody
from rollout.auth.identity import current_author
from rollout.core.problems import Problem
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.imports.pipeline import Importer, ImportConflict, Preview, import_file
from rollout.imports.tabular import TableError
from rollout.models import ImportBatch, Programme


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


def _body(problems: list[Problem]) -> list[dict[str, object]]:
    return [ImportProblem(row=p.row, column=p.column, value=p.value, code=p.code, reason=p.reason).model_dump()
            for p in problems]


def api_import(importer: Importer | Callable[[bytes, str], Importer], *, programme: Programme, upload: FileStorage | None,
               dry_run: bool) -> tuple[Preview, ImportBatch | None]:
    """Preview the uploaded file and, unless `dry_run`, apply and commit it; the batch is None
    when nothing was written (a dry run, or a file that changes nothing). `importer` may be
    chosen from the file (a callable of its bytes and name, raising TableError when it cannot)."""
    if not isinstance(upload, FileStorage):
        raise ApiError(422, "send the file as multipart/form-data in the field 'file'", field="file")
    db = get_session()
    filename, data = upload.filename or "upload", upload.read()
    try:
        chosen = importer if isinstance(importer, Importer) else importer(data, filename)
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
