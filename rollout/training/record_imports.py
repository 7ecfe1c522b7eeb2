"""Running the courses and certifications imports in one call, for the page, the API and the
command line alike: the import pipeline reads and previews the file (`read_preview`: bounded,
headers and aliases, every invalid row), and unless it is a dry run the importer writes the
preview's rows in the caller's transaction, all or nothing.

Why not `pipeline.import_file` and kept previews: an `ImportBatch` and a `SavedPreview` may only
have the kinds their check constraint lists (`IMPORT_KINDS`), which migration 0013 did not
extend to `courses` and `certifications`. Until a migration does, these imports are audited by
one `training_import` event (file, channel, counts) instead of a batch, and the page previews by
a dry run of the same file rather than by a kept preview.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from rollout.core.author import Author
from rollout.core.problems import InvalidChange
from rollout.imports.pipeline import Preview, read_preview
from rollout.imports.tabular import TableError
from rollout.models import Programme
from rollout.training.certifications import CertificationTable
from rollout.training.course_import import CourseTable
from rollout.training.session_import import SessionTable

RECORD_IMPORTERS: dict[str, type[CourseTable] | type[CertificationTable] | type[SessionTable]] = {
    "courses": CourseTable, "certifications": CertificationTable, "sessions": SessionTable,
}
"""The kinds this package imports, as the `rollout training import --kind` registry names them."""
IMPORT_ENTITY = "training_import"


def run_import(session: Session, *, kind: str, programme: Programme, data: bytes, filename: str, author: Author,
               today: date, dry_run: bool) -> tuple[Preview, dict[str, int] | None]:
    """Preview `data` as a `kind` file and, unless `dry_run` or it would change nothing, write
    it: the preview and the counts written (None when nothing was). TableError, nothing
    written, when the file or any row is invalid, or rows no longer apply. Does not commit."""
    importer = RECORD_IMPORTERS[kind]()
    preview = read_preview(session, importer=importer, programme=programme, data=data, filename=filename, today=today)
    if preview.problems:
        raise TableError(filename, preview.problems)
    if dry_run or not preview.confirmable:
        return preview, None
    try:
        counts = importer.write(session, programme=programme, preview=preview, author=author, today=today)
    except InvalidChange as error:
        raise TableError(filename, error.problems) from None
    author.record(session, programme=programme, entity=IMPORT_ENTITY, entity_id=kind, action="create", changes={
        "kind": [None, kind], "source": [None, filename[:500]], "via": [None, author.channel],
        "rows_new": [None, counts["new"]], "rows_replaced": [None, counts["changed"]],
        "rows_unchanged": [None, counts["unchanged"]],
    })
    session.flush()
    return preview, counts
