"""Importing the training-sessions file (`../shared/contracts/training.md`): the import
pipeline's `SessionTable`.

Cells are typed here (dates, decimals, counts, the French or English words of audience,
modality and status); every rule is then `rollout.training.sessions.check_sessions`, the one
the form and the API run, and confirming writes through the same `write_sessions`, so a file
and a form refuse alike. The preview and the apply run the same check; a re-imported file
whose rows are all stored changes nothing and says so. It is one of the pipeline's imports
(`rollout.imports.registry`), like the other training files: kept preview then confirmation on
the page, `import_file` for the API and `rollout training import`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.core.messages import Message
from rollout.core.problems import InvalidChange, InvalidValue, Problem
from rollout.core.text import fold
from rollout.imports import cells as parse
from rollout.imports.pipeline import Change, Importer, Preview
from rollout.imports.tabular import Column, Table
from rollout.models import ImportBatch, Programme, School, Trainer
from rollout.training.sessions import Planned, check_sessions, key_label, write_sessions

COLUMNS = (
    Column("date", ("date_session", "jour")),
    Column("trainer", ("formateur", "code_formateur")),
    Column("audience", ("public",)),
    Column("uai", ("code_uai", "rne"), required=False),
    Column("modality", ("modalite",)),
    Column("hours", ("duree", "duree_heures")),
    Column("attendees", ("participants", "presents")),
    Column("status", ("statut",), required=False),
    Column("reference", ("id_session", "identifiant"), required=False),
)
WORDS = {
    "audience": {"trainers": "trainers", "formateurs": "trainers", "leadership": "leadership", "direction": "leadership",
                 "administrators": "administrators", "administrateurs": "administrators", "teachers": "teachers",
                 "enseignants": "teachers"},
    "modality": {"face_to_face": "face_to_face", "presentiel": "face_to_face", "online": "online",
                 "distanciel": "online", "hybrid": "hybrid", "hybride": "hybrid"},
    "status": {"held": "held", "realisee": "held", "cancelled": "cancelled", "annulee": "cancelled"},
}
"""The contract's words of each column, folded (lower case, no accents, `_` for spaces and `-`)."""
REFERENCE_MAX = 100
CHANGES_SHOWN = 200


def _word(column: str, text: str) -> str:
    """The stored word for a cell of `column`; InvalidValue naming the words accepted."""
    found = WORDS[column].get(fold(text).replace(" ", "_").replace("-", "_"))
    if found is None:
        raise InvalidValue("required") if not text else InvalidValue("one_of", expected=", ".join(WORDS[column]))
    return found


def _hours(text: str) -> float:
    hours = parse.decimal(text)
    if hours <= 0:
        raise InvalidValue("more_than", minimum=0)
    return hours


def read_row(number: int, cells: dict[str, str]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One row typed as `record_sessions` takes it (None when a cell is unreadable), and the
    problems of its cells."""
    problems: list[Problem] = []
    row: dict[str, Any] = {"row": number, "uai": cells.get("uai", "").upper() or None, "trainer": cells["trainer"],
                           "planned_wave": None, "trainees": []}

    def typed(column: str, read: Any, text: str, name: str | None = None) -> None:
        try:
            if not text:
                raise InvalidValue("required")
            row[name or column] = read(text)
        except InvalidValue as error:
            problems.append(error.at(row=number, column=column, value=text))

    typed("date", parse.day, cells["date"], "held_on")
    for column in ("audience", "modality"):
        typed(column, lambda text, column=column: _word(column, text), cells[column])
    typed("hours", _hours, cells["hours"])
    typed("attendees", parse.count, cells["attendees"])
    status = cells.get("status", "")
    if status:
        typed("status", lambda text: _word("status", text), status)
    else:
        row["status"] = "held"  # the contract's default
    reference = cells.get("reference", "")
    if len(reference) > REFERENCE_MAX:
        problems.append(Problem("too_long", row=number, column="reference", value=reference, params={"max_length": REFERENCE_MAX}))
    row["reference"] = reference or None
    if not row["trainer"]:
        problems.append(Problem("required", row=number, column="trainer", value=""))
    return (None if problems else row), problems


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "held_on": row["held_on"].isoformat()}


def _counts(planned: list[Planned]) -> dict[str, int]:
    counts = dict.fromkeys(("new", "changed", "unchanged"), 0)
    for item in planned:
        counts[item.action] += 1
    return counts


def _changes(session: Session, replaced: list[Planned]) -> list[Change]:
    """The stored sessions the file replaces, as the preview shows them: trainers by code,
    schools by UAI, trainees by codes."""
    if not replaced:
        return []
    codes = dict(session.exec(select(Trainer.id, Trainer.code)).all())
    uais = dict(session.exec(select(School.id, School.uai)).all())
    shown = {"trainer_id": codes.get, "school_id": uais.get}

    def show(name: str, value: Any) -> Any:
        return shown[name](value) if name in shown and value is not None else value

    changes = []
    for item in replaced:
        fields = {name: [show(name, item.before[name]), show(name, item.values[name])] for name in item.values
                  if item.before.get(name) != item.values[name]}
        if item.trainees != item.before_trainees:
            fields["trainees"] = [", ".join(sorted(codes[t] for t in item.before_trainees)),
                                  ", ".join(sorted(codes[t] for t in item.trainees))]
        changes.append(Change(row=item.row, key=key_label(item.before, trainer_codes=codes, uais=uais), action="changed",
                              changes=fields))
    return changes


class SessionTable(Importer):
    """Training sessions keyed on their reference, else (date, trainer, audience, school)."""

    kind = "sessions"
    action = "record_progress"
    listing = "training_sessions.index"
    changed_word = "replaced"
    key_label = _l("Référence, ou date · formateur · public · établissement")
    field_names = {"held_on": _l("Date"), "trainer_id": _l("Formateur"), "audience": _l("Public"),
                   "school_id": _l("Établissement"), "modality": _l("Modalité"), "hours": _l("Durée (h)"),
                   "attendees": _l("Participants"), "status": _l("Statut"), "reference": _l("Référence"),
                   "trainees": _l("Formateurs formés")}
    title = _l("Importer des séances de formation")
    intro = _l("Une ligne par séance (une par établissement pour une séance de plusieurs établissements). Une ligne dont "
               "la référence, ou à défaut la date, le formateur, le public et l'établissement, est déjà enregistrée la "
               "remplace.")

    def header(self) -> tuple[Column, ...]:
        return COLUMNS

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        rows, problems = [], []
        for number, cells in table.rows:
            row, row_problems = read_row(number, cells)
            problems.extend(row_problems)
            if row is not None:
                rows.append(row)
        if not problems:
            planned, problems = check_sessions(session, programme=programme, rows=rows, today=today)
        if problems:
            return Preview(kind=self.kind, filename=table.filename, problems=problems)
        counts = _counts(planned)
        changes = _changes(session, [item for item in planned if item.action == "changed"][:CHANGES_SHOWN])
        days = [row["held_on"] for row in rows]
        first, last = min(days), max(days)
        return Preview(
            kind=self.kind, filename=table.filename, counts=counts, changes=changes, payload=rows,
            notes=[Message("training_sessions_rows", {"rows": len(rows), "first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}"})],
            facts={"rows": len(rows), "first_date": first.isoformat(), "last_date": last.isoformat()},
        )

    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> dict[str, int]:
        """Check the preview's rows again (the programme may have changed since) and write them,
        all or nothing, each session's audit event naming the batch. InvalidChange naming the
        rows when they no longer apply. Returns the counts written."""
        planned, problems = check_sessions(session, programme=programme, rows=preview.payload, today=today)
        if problems:
            raise InvalidChange(problems)
        write_sessions(session, programme=programme, planned=planned, author=author.for_batch(batch.id))
        return _counts(planned)

    def dump(self, payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [_jsonable(row) for row in payload]

    def load(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "held_on": date.fromisoformat(row["held_on"])} for row in rows]
