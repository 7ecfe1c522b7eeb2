"""The training files (`../shared/contracts/training.md`): their importers, and what the API and
the command line need besides the pipeline to import them: the kind of a file from its header.

These importers are registered with every other import (`rollout.imports.registry`): the page
previews a file, keeps the preview for the person who made it and applies it on confirmation,
under one `ImportBatch` whose id every audit event of the import carries; the API and
`rollout training import` run the same preview and apply in one call (the pipeline's
`import_file`), like every other import.
"""

from __future__ import annotations

from itertools import islice

from rollout.core.problems import Problem
from rollout.imports.pipeline import Importer
from rollout.imports.tabular import HEADER_SEARCH_ROWS, TableError, raw_rows
from rollout.training.certifications import CertificationTable
from rollout.training.course_import import CourseTable
from rollout.training.session_import import SessionTable

RECORD_IMPORTERS: dict[str, type[Importer]] = {
    "courses": CourseTable, "certifications": CertificationTable, "sessions": SessionTable,
}
"""The kinds this package imports, as `rollout training import --kind` and the API name them."""


def detect_kind(data: bytes, filename: str) -> str:
    """The kind whose required columns are all in one of the file's first rows; TableError
    (asking for the kind) when none or several are: the contract's files differ enough for one
    to match."""
    importers = {kind: importer() for kind, importer in RECORD_IMPORTERS.items()}
    headers = {kind: [column for column in importer.header() if column.required] for kind, importer in importers.items()}
    every_column = [column for importer in importers.values() for column in importer.header()]
    filled = (row for _, row in raw_rows(data, filename, every_column) if any(map(str.strip, row)))
    rows = list(islice(filled, HEADER_SEARCH_ROWS))
    found = [kind for kind, required in headers.items()
             if any(all(any(column.matches(cell) for cell in row) for column in required) for row in rows)]
    if len(found) == 1:
        return found[0]
    raise TableError(filename, [Problem("training_kind_unknown", params={"kinds": ", ".join(found or sorted(RECORD_IMPORTERS))})])


def importer_from_header(data: bytes, filename: str) -> Importer:
    """The importer of the file's kind, detected from its header (`detect_kind`)."""
    return RECORD_IMPORTERS[detect_kind(data, filename)]()

