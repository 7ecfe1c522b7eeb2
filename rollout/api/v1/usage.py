"""Usage statistics: `POST /api/v1/usage/imports`, `GET /api/v1/usage/report`, and the taxonomy
(`GET /api/v1/usage/taxonomy`, `PUT /api/v1/usage/taxonomy/{label_key}`).

The same functions as the command line and the pages: an import is all rows or none (422 lists
every invalid row), `dry_run` counts without writing, and the report is aggregated in SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response
from spectree.model_adapter.pydantic_adapter import BaseFile

from rollout.api import ErrorBody, api_v1, spec
from rollout.auth.access import EDITORS, LEADERS, READERS, access
from rollout.auth.scope import single_programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.api.imports import ImportErrorBody, ImportJob, accepted, api_import
from rollout.imports.pipeline import Preview
from rollout.models import CATEGORIES, ImportBatch
from rollout.usage import taxonomy
from rollout.usage.table import UsageTable
from rollout.usage.report import ReportRow, parse_bound, usage_report

Category = Literal["pedagogy", "resources", "school_life", "communication", "other"]
assert set(CATEGORIES) == set(Category.__args__)  # the API's vocabulary is the database's


DATE_PATTERN = r"^(\d{4}-\d{2}(-\d{2})?|\d{2}/\d{2}/\d{4})$"
PROGRAMME_ID = Field(default=None, ge=1, le=2**31 - 1, description="Optional when the caller sees one programme.")


class ProgrammeQuery(BaseModel):
    """`programme` may be left out when the caller sees a single programme."""

    programme: int | None = PROGRAMME_ID


class UsageImportForm(BaseModel):
    """A multipart upload: the usage file (CSV or XLSX) and whether to only count."""

    file: BaseFile
    dry_run: bool = False


class UsageImportResult(BaseModel):
    """What the import did (201) or, for a dry run or a file that changes nothing, would do (200)."""

    programme_id: int
    filename: str
    rows: int
    new: int
    replaced: int
    unchanged: int
    dry_run: bool
    batch_id: int | None = Field(description="The import batch written (null for a dry run or a file that changes nothing: "
                                             "nothing written).")
    first_date: date | None
    last_date: date | None
    unknown_labels: list[str] = Field(description="Services the taxonomy does not know, counted as `other`.")
    ignored_columns: list[str]


class ReportQuery(BaseModel):
    """The report's grouping and inclusive period (`YYYY-MM-DD`, `YYYY-MM` or `DD/MM/YYYY`); a
    well-formed date that does not exist (2016-02-30) answers 400."""

    model_config = ConfigDict(populate_by_name=True)

    programme: int | None = PROGRAMME_ID
    by: Literal["school", "month", "category"] = "school"
    start: str | None = Field(default=None, alias="from", pattern=DATE_PATTERN)
    end: str | None = Field(default=None, alias="to", pattern=DATE_PATTERN)


class ReportLine(ReportRow):
    """One line of the report: a school, a month or a category, after `by`."""


class UsageReport(BaseModel):
    programme_id: int
    by: str
    start: date | None
    end: date | None
    rows: list[ReportLine]


class TaxonomyLine(BaseModel):
    label: str
    label_key: str
    visits: int
    category: Category
    source: Literal["override", "default", "unknown"]
    default_category: Category | None


class Taxonomy(BaseModel):
    programme_id: int
    labels: list[TaxonomyLine]


class CategoryChoice(BaseModel):
    """The category of the label whose key is in the URL; null goes back to the default taxonomy."""

    category: Category | None


def _result(programme_id: int, preview: Preview, batch: ImportBatch | None, *, dry_run: bool) -> UsageImportResult:
    counts = preview.counts if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced,
                                                   "unchanged": batch.rows_unchanged}
    facts = preview.facts
    return UsageImportResult(
        programme_id=programme_id, filename=preview.filename, rows=facts["rows"], new=counts["new"],
        replaced=counts["changed"], unchanged=counts["unchanged"], dry_run=dry_run,
        batch_id=batch.id if batch else None, first_date=facts["first_date"], last_date=facts["last_date"],
        unknown_labels=facts["unknown_labels"], ignored_columns=preview.ignored_columns,
    )


@api_v1.post("/usage/imports")
@access(*EDITORS)
@spec.validate(
    query=ProgrammeQuery,
    form=UsageImportForm,
    resp=Response(
        HTTP_200=UsageImportResult, HTTP_201=UsageImportResult, HTTP_202=ImportJob, HTTP_400=ErrorBody,
        HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ImportErrorBody, HTTP_413=ImportErrorBody,
        HTTP_422=ImportErrorBody,
    ),
    tags=["usage"],
)
def post_usage_import(query: ProgrammeQuery, form: UsageImportForm):
    """Import a usage file (multipart `file`, optional `dry_run`): all rows or none; a large
    file is queued (202: follow the job at its `Location`)."""
    programme = single_programme_or_404(query.programme)
    dry_run = bool(form and form.dry_run)
    outcome = api_import(UsageTable(), programme=programme, upload=request.files.get("file"), dry_run=dry_run)
    if isinstance(outcome, ImportJob):
        return accepted(outcome)
    preview, batch = outcome
    result = _result(programme.id, preview, batch, dry_run=dry_run)
    return result if batch is None else (result, 201)


@api_v1.get("/usage/report")
@access(*READERS)
@spec.validate(query=ReportQuery, resp=Response(HTTP_200=UsageReport, HTTP_400=ErrorBody, HTTP_404=ErrorBody, HTTP_422=ErrorBody), tags=["usage"])
def get_usage_report(query: ReportQuery) -> UsageReport:
    """Visits, pedagogical share and adoption per school, month or category, over an optional period."""
    programme = single_programme_or_404(query.programme)
    bounds: dict[str, date | None] = {}
    for field, text, end in (("from", query.start, False), ("to", query.end, True)):
        try:
            bounds[field] = parse_bound(text, end=end) if text else None
        except ValueError as error:  # well formed but not a real date, e.g. 2016-02-30
            raise ApiError(400, str(error), field=field) from None
    rows = usage_report(get_session(), programme_id=programme.id, by=query.by, start=bounds["from"], end=bounds["to"])
    return UsageReport(
        programme_id=programme.id, by=query.by, start=bounds["from"], end=bounds["to"],
        rows=[ReportLine(**row.model_dump()) for row in rows],
    )


def _taxonomy(programme_id: int) -> Taxonomy:
    entries = taxonomy.taxonomy_entries(get_session(), programme_id=programme_id)
    return Taxonomy(
        programme_id=programme_id,
        labels=[TaxonomyLine(label_key=taxonomy.label_key(entry.label), **entry.__dict__) for entry in entries],
    )


@api_v1.get("/usage/taxonomy")
@access(*READERS)
@spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=Taxonomy, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["usage"])
def get_usage_taxonomy(query: ProgrammeQuery) -> Taxonomy:
    """Every service label of the programme's usage with its category; unknown labels first."""
    return _taxonomy(single_programme_or_404(query.programme).id)


@api_v1.put("/usage/taxonomy/<path:label_key>")
@access(*LEADERS)
@spec.validate(
    query=ProgrammeQuery, json=CategoryChoice,
    resp=Response(HTTP_200=Taxonomy, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_422=ErrorBody),
    tags=["usage"],
)
def put_usage_category(label_key: str, query: ProgrammeQuery, json: CategoryChoice) -> Taxonomy:
    """Map a service label to a category for the programme (null: back to the default taxonomy).

    The URL names the label by its key (folded: lower case, no accents, e.g. `cahier de textes`);
    the override keeps the label as the usage spells it, or the key for a label not seen yet.
    """
    programme = single_programme_or_404(query.programme)
    key = taxonomy.label_key(label_key)
    if not key or len(key) > 200:
        raise ApiError(400, "a label key is 1 to 200 characters", field="label_key")
    db = get_session()
    seen = taxonomy.programme_labels(db, programme_id=programme.id)
    label = next((label for label in sorted(seen) if taxonomy.label_key(label) == key), key)
    taxonomy.set_category(
        db, programme=programme, label=label, category=json.category,
        actor=current_user.email, channel="api", user_id=current_user.id,
    )
    db.commit()
    return _taxonomy(programme.id)
