"""Training sessions: `GET /api/v1/training/sessions`, `POST /api/v1/training/sessions` (one
session per school given), `PATCH /api/v1/training/sessions/{id}` (optimistic locking: send the
`version` last read, 409 with `current_version` when someone changed it since), and
`POST /api/v1/training/imports` (a training file, its kind detected from its header when not
given), `POST /api/v1/training/courses/imports` (a M@gistère participants export: only counts
per school are kept, its names and e-mails dropped as the file is read) and
`POST /api/v1/training/certifications/imports`: the pipeline's preview and apply in one call,
all rows or none (422 listing every invalid row, 413 over a bound), `dry_run` counts without
writing, the same file twice writes nothing and says so (200).

The same functions as the page and the command line (`rollout.training.sessions`), so a refusal
reads alike everywhere (409 naming the field and value, nothing written). Project managers and
leaders only: a session names a trainer and what they did; stakeholders read the dashboards'
aggregates.

No `from __future__ import annotations`: spectree reads the views' annotations.
"""

from collections.abc import Callable
from datetime import date
from typing import Literal

from flask import abort, request
from pydantic import BaseModel, Field
from spectree import Response
from spectree.model_adapter.pydantic_adapter import BaseFile
from sqlmodel import col, select

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.imports import ImportErrorBody, ImportJob, accepted, api_import
from rollout.api.v1.reference import ConflictBody, Id, api_author, commit_change
from rollout.auth.access import EDITORS, access
from rollout.auth.scope import single_programme_or_404
from rollout.db import get_session
from rollout.imports.pipeline import Importer
from rollout.models import School, Trainer
from rollout.models.training import TrainingSession
from rollout.training.record_imports import RECORD_IMPORTERS as KINDS
from rollout.training.record_imports import importer_from_header
from rollout.training.sessions import record_sessions, trainees_of, update_session

Audience = Literal["trainers", "leadership", "administrators", "teachers"]
Modality = Literal["face_to_face", "online", "hybrid"]
Status = Literal["held", "cancelled"]


class SessionQuery(BaseModel):
    """`programme` may be left out when the caller sees a single programme; the others filter."""

    programme: Id | None = None
    trainer: str | None = Field(default=None, max_length=32, description="A trainer's code.")
    uai: str | None = Field(default=None, max_length=8, description="A school's UAI.")
    status: Status | None = None


class ProgrammeOnly(BaseModel):
    programme: Id | None = None


class SessionPublic(BaseModel):
    id: int
    programme_id: int
    held_on: date
    trainer: str
    audience: Audience
    uai: str | None
    modality: Modality
    hours: float
    attendees: int
    status: Status
    reference: str | None
    planned_wave: str | None
    trainees: list[str] = Field(description="Trainers a `trainers` session trained, by code.")
    version: int


class SessionList(BaseModel):
    programme_id: int
    sessions: list[SessionPublic]


class SessionCreate(BaseModel):
    """One session delivered; several `uais` record one session each, alike. A `trainers` session
    has no school; without `trainees`, it trained those the adopted plan puts in the vendor's
    session of that wave (docs/training.md)."""

    held_on: date
    trainer: str = Field(max_length=32)
    audience: Audience
    uais: list[str] = Field(default_factory=list, max_length=1000)
    modality: Modality
    hours: float = Field(gt=0, le=1000)
    attendees: int = Field(ge=0, le=2**31 - 1)
    status: Status = "held"
    reference: str | None = Field(default=None, max_length=100)
    planned_wave: str | None = Field(default=None, max_length=32)
    trainees: list[str] = Field(default_factory=list, max_length=1000)


class SessionUpdate(BaseModel):
    """The fields to change, and the `version` they were read at."""

    version: int = Field(ge=1, le=2**31 - 1)
    held_on: date | None = None
    trainer: str | None = Field(default=None, max_length=32)
    audience: Audience | None = None
    uai: str | None = Field(default=None, max_length=8)
    modality: Modality | None = None
    hours: float | None = Field(default=None, gt=0, le=1000)
    attendees: int | None = Field(default=None, ge=0, le=2**31 - 1)
    status: Status | None = None
    reference: str | None = Field(default=None, max_length=100)
    trainees: list[str] | None = Field(default=None, max_length=1000)


class ImportUpload(BaseModel):
    """A multipart upload: the file (CSV or XLSX) and whether to only count."""

    file: BaseFile
    dry_run: bool = False


class TrainingImportForm(ImportUpload):
    """An upload of any training file, its kind detected from its header when left out."""

    kind: Literal[tuple(sorted(KINDS))] | None = None  # type: ignore[valid-type]  # the kinds registered


class TrainingImportResult(BaseModel):
    """What the import did (201) or, for a dry run or a file that changes nothing, would do (200)."""

    programme_id: int
    kind: str = Field(description="sessions, courses or certifications")
    filename: str
    new: int
    replaced: int
    unchanged: int
    dry_run: bool
    written: bool = Field(description="Whether anything was written (false for a dry run or a file already imported).")
    import_batch_id: int | None = Field(default=None, description="The import batch written (null when nothing was).")
    ignored_columns: list[str] = Field(description="Columns read by no one: for a participants export, its names and "
                                                   "e-mails, never stored.")


def _publish(sessions: list[TrainingSession]) -> list[SessionPublic]:
    db = get_session()
    trainers = dict(db.exec(select(Trainer.id, Trainer.code).where(col(Trainer.id).in_({s.trainer_id for s in sessions}))).all())
    school_ids = {s.school_id for s in sessions if s.school_id}
    uais = dict(db.exec(select(School.id, School.uai).where(col(School.id).in_(school_ids))).all()) if school_ids else {}
    trainees = trainees_of(db, (s.id for s in sessions))
    codes = dict(db.exec(select(Trainer.id, Trainer.code).where(
        col(Trainer.id).in_({t for ids in trainees.values() for t in ids}))).all()) if any(trainees.values()) else {}
    return [SessionPublic(
        id=s.id, programme_id=s.programme_id, held_on=s.held_on, trainer=trainers[s.trainer_id], audience=s.audience,
        uai=uais.get(s.school_id), modality=s.modality, hours=s.hours, attendees=s.attendees, status=s.status,
        reference=s.reference, planned_wave=s.planned_wave, trainees=sorted(codes[t] for t in trainees[s.id]), version=s.version,
    ) for s in sessions]


@api_v1.get("/training/sessions")
@access(*EDITORS)
@spec.validate(query=SessionQuery, resp=Response(HTTP_200=SessionList, HTTP_400=ErrorBody, HTTP_403=ErrorBody,
                                                 HTTP_404=ErrorBody, HTTP_422=ErrorBody), tags=["training"])
def list_training_sessions(query: SessionQuery):
    """The programme's sessions, latest first, filtered by trainer, school and status."""
    db = get_session()
    programme = single_programme_or_404(query.programme)
    statement = select(TrainingSession).where(TrainingSession.programme_id == programme.id)
    if query.trainer:
        statement = statement.join(Trainer, col(Trainer.id) == TrainingSession.trainer_id).where(Trainer.code == query.trainer)
    if query.uai:
        statement = statement.join(School, col(School.id) == TrainingSession.school_id).where(School.uai == query.uai.upper())
    if query.status:
        statement = statement.where(TrainingSession.status == query.status)
    sessions = list(db.exec(statement.order_by(col(TrainingSession.held_on).desc(), col(TrainingSession.id))))
    return SessionList(programme_id=programme.id, sessions=_publish(sessions))


@api_v1.post("/training/sessions")
@access(*EDITORS)
@spec.validate(query=ProgrammeOnly, json=SessionCreate, resp=Response(
    HTTP_201=SessionList, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody,
    HTTP_422=ErrorBody), tags=["training"])
def post_training_sessions(query: ProgrammeOnly, json: SessionCreate):
    """Record a session (one per school in `uais`); 409 naming the field and value when a rule refuses it."""
    db = get_session()
    programme = single_programme_or_404(query.programme)
    common = json.model_dump(exclude={"uais"})
    rows = [{**common, "uai": uai.upper() if uai else None} for uai in (json.uais or [None])]
    written = commit_change(lambda: record_sessions(db, programme=programme, rows=rows, author=api_author()))
    return SessionList(programme_id=programme.id, sessions=_publish(written)), 201


@api_v1.patch("/training/sessions/<int:session_id>")
@access(*EDITORS)
@spec.validate(query=ProgrammeOnly, json=SessionUpdate, resp=Response(
    HTTP_200=SessionPublic, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody,
    HTTP_422=ErrorBody), tags=["training"])
def patch_training_session(session_id: int, query: ProgrammeOnly, json: SessionUpdate):
    """Change a session (cancel it with `status: cancelled`) at the `version` last read."""
    db = get_session()
    programme = single_programme_or_404(query.programme)
    training = db.get(TrainingSession, session_id)
    if training is None or training.programme_id != programme.id:
        abort(404)
    changes = json.model_dump(exclude_unset=True, exclude={"version"})
    if "uai" in changes and changes["uai"]:
        changes["uai"] = changes["uai"].upper()
    if "audience" in changes and changes["audience"] == "trainers" and "uai" not in changes:
        changes["uai"] = None
    commit_change(lambda: update_session(db, programme=programme, training=training, changes=changes,
                                         version=json.version, author=api_author()))
    return _publish([training])[0]


IMPORT_RESPONSES = dict(HTTP_200=TrainingImportResult, HTTP_201=TrainingImportResult, HTTP_202=ImportJob,
                        HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody,
                        HTTP_413=ImportErrorBody, HTTP_422=ImportErrorBody)


@api_v1.post("/training/imports")
@access(*EDITORS)
@spec.validate(query=ProgrammeOnly, form=TrainingImportForm, resp=Response(**IMPORT_RESPONSES), tags=["training"])
def post_training_import(query: ProgrammeOnly, form: TrainingImportForm):
    """Import a training file (multipart `file`, optional `kind`, detected from the header when
    left out, and `dry_run`): all rows or none, as `rollout training import` does."""
    kind = form.kind if form else None
    return _import(KINDS[kind]() if kind else importer_from_header, query, form)


@api_v1.post("/training/courses/imports")
@access(*EDITORS)
@spec.validate(query=ProgrammeOnly, form=ImportUpload, resp=Response(**IMPORT_RESPONSES), tags=["training"])
def post_course_import(query: ProgrammeOnly, form: ImportUpload):
    """Import a M@gistère participants export (multipart `file`, optional `dry_run`): counts per
    school and course replace the previous export's for the courses it holds; names and e-mails
    are dropped as the file is read."""
    return _import(KINDS["courses"](), query, form)


@api_v1.post("/training/certifications/imports")
@access(*EDITORS)
@spec.validate(query=ProgrammeOnly, form=ImportUpload, resp=Response(**IMPORT_RESPONSES), tags=["training"])
def post_certification_import(query: ProgrammeOnly, form: ImportUpload):
    """Import dated Pix+ Édu certifications (multipart `file`, optional `dry_run`): all rows or
    none; the schools' totals and Pix+ Édu milestone follow."""
    return _import(KINDS["certifications"](), query, form)


def _import(importer: Importer | Callable[[bytes, str], Importer], query: ProgrammeOnly, form: ImportUpload | None):
    """The API's one import (`rollout.api.imports.api_import`), which writes nothing for a file
    that would change nothing, and queues a large one (202)."""
    programme = single_programme_or_404(query.programme)
    dry_run = bool(form and form.dry_run)
    outcome = api_import(importer, programme=programme, upload=request.files.get("file"), dry_run=dry_run)
    if isinstance(outcome, ImportJob):
        return accepted(outcome)
    preview, batch = outcome
    counts = preview.counts if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced,
                                                   "unchanged": batch.rows_unchanged}
    result = TrainingImportResult(
        programme_id=programme.id, kind=preview.kind, filename=preview.filename, new=counts["new"],
        replaced=counts["changed"], unchanged=counts["unchanged"], dry_run=dry_run, written=batch is not None,
        import_batch_id=batch.id if batch else None, ignored_columns=preview.ignored_columns,
    )
    return result if batch is None else (result, 201)
