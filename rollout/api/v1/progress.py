"""Progress per school: `GET /api/v1/schools/{uai}/milestones`,
`PATCH /api/v1/schools/{uai}/milestones/{kind}` (optimistic locking on `version`: 409 with the
current version when someone changed the milestone since), and bulk uploads at
`POST /api/v1/progress/imports` (`dry_run` previews; otherwise applied, or 422 with every
invalid row, all or nothing)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import abort
from pydantic import BaseModel, Field
from sqlmodel import select
from spectree import Response
from spectree.model_adapter.pydantic_adapter import BaseFile

from rollout.auth.identity import current_author
from rollout.api import ErrorBody, api_v1, spec
from rollout.api.imports import ImportErrorBody, ImportJob, accepted, api_import
from rollout.imports.pipeline import Preview
from rollout.api.v1.reference import ProgrammeQuery, school_in_scope
from rollout.auth.access import EDITORS, READERS, access
from rollout.auth.scope import school_or_404, single_programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.models import MILESTONE_KINDS, ImportBatch, Milestone, Programme
from rollout.tracking.colour import evaluation_date, programme_progress
from rollout.tracking.updates import (
    InvalidProgress,
    MilestoneChange,
    VersionConflict,
    blank_milestone,
    pix_counts,
    update_milestone,
)
from rollout.tracking.table import ProgressTable
from rollout.tracking.vocabulary import MILESTONE_LABELS

Kind = Literal[MILESTONE_KINDS]  # type: ignore[valid-type]
Status = Literal["not_started", "in_progress", "done", "blocked"]
Count = Field(default=None, ge=0, le=2**31 - 1)


class ProgressQuery(ProgrammeQuery):
    as_of: date | None = Field(default=None, description="Evaluate the colour at this date (default: today, "
                               "or a simulated programme's last recorded date).")


class PixLevels(BaseModel):
    """Teachers certified per Pix+ Édu level."""

    initie: int | None = Count
    confirme: int | None = Count
    avance: int | None = Count
    expert: int | None = Count


class MilestonePublic(BaseModel):
    kind: Kind
    label: str
    status: Status
    planned_on: date | None
    actual_on: date | None
    count: int | None
    note: str | None
    version: int = Field(description="Send it back in PATCH; 0 means the milestone has no row yet.")


class SchoolMilestones(BaseModel):
    programme_id: int
    uai: str
    wave: str | None
    colour: Literal["green", "amber", "red"]
    as_of: date
    milestones: list[MilestonePublic]
    pix: PixLevels


class MilestoneUpdate(BaseModel):
    """The fields to change (the others stay as they are) and the version they start from."""

    version: int = Field(ge=0, le=2**31 - 1, description="The milestone's version as last read (0: no row yet).")
    status: Status | None = None
    actual_on: date | None = None
    count: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Teachers trained (teachers_trained only).")
    note: str | None = Field(default=None, max_length=2000)
    pix: PixLevels | None = Field(default=None, description="Teachers certified per level (pix_certified only).")


class ConflictBody(ErrorBody):
    current_version: int


class UploadCounts(BaseModel):
    new: int
    changed: int
    unchanged: int


class UploadResult(BaseModel):
    """What the import did or, for a dry run or a file that changes nothing, would do."""

    filename: str
    dry_run: bool
    applied: bool = Field(description="Whether anything was written (false for a dry run or a file that changes nothing).")
    batch_id: int | None = Field(default=None, description="The import batch written (null when nothing was).")
    counts: UploadCounts


class ProgressUpload(BaseModel):
    file: BaseFile
    dry_run: bool = False


def _public(milestone: Milestone) -> MilestonePublic:
    return MilestonePublic(
        kind=milestone.kind, label=MILESTONE_LABELS[milestone.kind], status=milestone.status,
        planned_on=milestone.planned_on, actual_on=milestone.actual_on, count=milestone.count, note=milestone.note,
        version=milestone.version,
    )


def _kind_or_404(kind: str) -> str:
    if kind not in MILESTONE_KINDS:
        abort(404, description=f"unknown milestone {kind!r}: one of {', '.join(MILESTONE_KINDS)}")
    return kind


@api_v1.get("/schools/<uai>/milestones")
@access(*READERS)
@spec.validate(query=ProgressQuery, resp=Response(HTTP_200=SchoolMilestones, HTTP_400=ErrorBody, HTTP_401=ErrorBody,
                                                  HTTP_404=ErrorBody), tags=["progress"])
def list_milestones(uai: str, query: ProgressQuery) -> SchoolMilestones:
    db = get_session()
    programme = single_programme_or_404(query.programme)
    school = school_or_404(programme, uai)
    as_of = query.as_of or evaluation_date(db, programme=programme, today=date.today())
    [progress] = programme_progress(db, programme=programme, as_of=as_of, school_id=school.id)
    stored = {m.kind: m for m in db.exec(select(Milestone).where(Milestone.school_id == school.id))}
    return SchoolMilestones(
        programme_id=programme.id, uai=school.uai, wave=progress.wave.code if progress.wave else None,
        colour=progress.colour, as_of=as_of,
        milestones=[_public(stored.get(kind) or blank_milestone(school_id=school.id, kind=kind)) for kind in MILESTONE_KINDS],
        pix=PixLevels(**pix_counts(db, school_id=school.id)),
    )


@api_v1.patch("/schools/<uai>/milestones/<kind>")
@access(*EDITORS)
@school_in_scope
@spec.validate(query=ProgrammeQuery, json=MilestoneUpdate,
               resp=Response(HTTP_200=MilestonePublic, HTTP_400=ErrorBody, HTTP_401=ErrorBody, HTTP_403=ErrorBody,
                             HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody), tags=["progress"])
def patch_milestone(uai: str, kind: str, query: ProgrammeQuery, json: MilestoneUpdate) -> MilestonePublic:
    db = get_session()
    programme = single_programme_or_404(query.programme)
    school = school_or_404(programme, uai)
    _kind_or_404(kind)
    given = json.model_fields_set - {"version"}
    fields = {name: getattr(json, name) for name in given if name != "pix"}
    if "pix" in given and json.pix is not None:
        fields["pix"] = json.pix.model_dump(exclude_unset=True, exclude_none=True)
    author = current_author("api")
    try:
        milestone = update_milestone(db, programme=programme, school=school, kind=kind,
                                     change=MilestoneChange(**fields), version=json.version, author=author,
                                     today=date.today())
        db.commit()
    except InvalidProgress as error:
        db.rollback()
        raise ApiError(422, "; ".join(problem.reason for problem in error.problems),
                       field=error.problems[0].column) from None
    except VersionConflict as conflict:
        db.rollback()
        raise ApiError(409, str(conflict), field="version", current_version=conflict.current_version) from None
    return _public(milestone)


def _result(preview: Preview, batch: ImportBatch | None, *, dry_run: bool) -> UploadResult:
    return UploadResult(filename=preview.filename, dry_run=dry_run, applied=batch is not None,
                        batch_id=batch.id if batch else None, counts=UploadCounts(**preview.counts))


@api_v1.post("/progress/imports")
@access(*EDITORS)
@spec.validate(query=ProgrammeQuery, form=ProgressUpload,
               resp=Response(HTTP_200=UploadResult, HTTP_202=ImportJob, HTTP_400=ErrorBody, HTTP_401=ErrorBody,
                             HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ImportErrorBody, HTTP_413=ImportErrorBody,
                             HTTP_422=ImportErrorBody), tags=["progress"])
def upload_progress(query: ProgrammeQuery, form: ProgressUpload):
    """Bulk progress (docs/tracking.md): with `dry_run`, the preview; without, applied as one
    import batch; 422 listing every invalid row (dry run or not), nothing written; a large file
    is queued (202: follow the job at its `Location`)."""
    programme: Programme = single_programme_or_404(query.programme)
    dry_run = bool(form and form.dry_run)
    outcome = api_import(ProgressTable(), programme=programme, upload=form.file if form else None, dry_run=dry_run)
    if isinstance(outcome, ImportJob):
        return accepted(outcome)
    preview, batch = outcome
    return _result(preview, batch, dry_run=dry_run)
