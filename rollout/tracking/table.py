"""Bulk progress updates from a CSV or XLSX file, keyed on UAI and milestone: the import
pipeline's `ProgressTable`.

Two layouts are read. One row per school and milestone (a `jalon` column, with statut, date,
nombre, note, Pix+ Édu levels), or one row per school and one column per milestone, the way a
tracking spreadsheet is kept: each cell a date (the milestone is done on that day) or a status
word, an empty cell changing nothing. The second is also how progress is exported
(`export_rows`), so a downloaded sheet uploads again as "nothing changed".

Each row is checked against the database and previewed (new, changed, unchanged, invalid)
before anything is written. Confirming applies exactly the previewed rows, each milestone at
the version it had in the preview: any milestone changed by someone else since the preview
refuses the whole file. The format is documented in docs/tracking.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable

from sqlmodel import Session, col, select

from flask_babel import lazy_gettext as _l

from rollout.core.problems import InvalidChange, InvalidValue, Problem
from rollout.imports.pipeline import ACTIONS, Change, Importer, Preview
from rollout.imports import cells as cells_parser
from rollout.imports.tabular import Column, Table, TableError
from rollout.models import MILESTONE_KINDS, PIX_LEVELS, ImportBatch, Milestone, PixCertification, Programme, School
from rollout.tracking.display import FIELD_NAMES, MILESTONE_NAMES, PIX_NAMES
from rollout.core.author import Author
from rollout.tracking.updates import (
    NOTE_MAX,
    PIX_KIND,
    InvalidProgress,
    MilestoneChange,
    VersionConflict,
    apply_change,
    check_state,
    snapshot,
    update_milestone,
)
from rollout.tracking.vocabulary import MILESTONE_LABELS, STATUS_LABELS, milestone_kind, milestone_words, pix_level, status_code

COLUMNS = (
    Column("uai", ("code_uai", "numero_uai", "etablissement_uai", "rne")),
    Column("jalon", ("milestone", "etape", "kind"), required=False),
    Column("statut", ("status", "etat"), required=False),
    Column("date", ("date_realisation", "date_de_realisation", "date_reelle", "actual_on", "realise_le"), required=False),
    Column("nombre", ("count", "effectif", "nb"), required=False),
    Column("note", ("commentaire", "comment", "remarque", "notes"), required=False),
    Column("niveau", ("level", "niveau_pix", "pix_level"), required=False),
    *(Column(f"pix_{level}", (level,), required=False) for level in PIX_LEVELS),
)
NAME = Column("nom", ("name", "nom_etablissement", "etablissement", "school"), required=False)  # for people, not read
MILESTONE_COLUMNS = tuple(Column(kind, milestone_words(kind), required=False) for kind in MILESTONE_KINDS)
FIELD_COLUMNS = {"status": "statut", "actual_on": "date", "count": "nombre", "note": "note", "pix": "niveau"}


@dataclass
class UploadRow:
    """One row of the file as understood: which milestone, and what it changes."""

    row: int
    uai: str
    school_id: int
    kind: str
    level: str | None
    change: dict[str, Any]
    columns: dict[str, str]  # field of the change -> column of the file that gave it
    outcome: str = "unchanged"
    version: int = 0
    differences: dict[str, list[Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """What a PendingImport keeps of the row."""
        return {
            "row": self.row, "uai": self.uai, "school_id": self.school_id, "kind": self.kind, "level": self.level,
            "change": MilestoneChange.model_validate(self.change).model_dump(mode="json", exclude_unset=True),
            "columns": self.columns, "outcome": self.outcome, "version": self.version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UploadRow:
        change = MilestoneChange.model_validate(data["change"])
        return cls(
            row=data["row"], uai=data["uai"], school_id=data["school_id"], kind=data["kind"], level=data["level"],
            change={name: getattr(change, name) for name in change.model_fields_set}, columns=data["columns"],
            outcome=data["outcome"], version=data["version"],
        )


class ProgressTable(Importer):
    """Progress rows keyed on UAI and milestone (and Pix+ Édu level)."""

    kind = "progress"
    action = "record_progress"
    listing = "tracking.overview"
    key_label = _l("Établissement et jalon")
    field_names = FIELD_NAMES
    title = _l("Mettre à jour l'avancement par fichier")
    intro = _l("Une ligne par établissement et une colonne par jalon (une date : jalon atteint ce jour-là ; ou un statut), comme un tableau de suivi ; ou une ligne par établissement et par jalon : statut, date de réalisation, nombre, note, ou enseignants certifiés Pix+ Édu par niveau.")

    def header(self) -> tuple[Column, ...]:
        return (*COLUMNS, NAME, *MILESTONE_COLUMNS)

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        schools = {school.uai: school for school in session.exec(select(School).where(School.programme_id == programme.id))}
        long_rows, problems = _long_rows(table)
        rows: list[UploadRow] = []
        seen: dict[tuple[int, str, str | None], int] = {}
        for number, cells, column_of in long_rows:
            row, row_problems = _parse_row(number, cells, schools)
            problems.extend(_placed(problem, column_of) for problem in row_problems)
            if row is None:
                continue
            row.columns = {name: column_of(column) for name, column in row.columns.items()}
            key = (row.school_id, row.kind, row.level)
            if key in seen:
                problems.append(Problem("milestone_repeated", row=number, column=column_of("jalon"), value=cells.get("jalon"),
                                        params={"first": seen[key]}))
                continue
            seen[key] = number
            rows.append(row)
        problems.extend(_check_against_database(session, programme=programme, rows=rows, schools=schools, today=today))
        invalid = {problem.row for problem in problems}
        valid_rows = [row for row in rows if row.row not in invalid]
        counts = {outcome: sum(1 for row in valid_rows if row.outcome == outcome) for outcome in ACTIONS}
        changes = [Change(row=row.row, key=_shown_key(row), action=row.outcome, changes=row.differences)
                   for row in valid_rows if row.outcome != "unchanged"]
        return Preview(kind=self.kind, filename=table.filename, counts=counts, problems=problems, changes=changes,
                       payload=valid_rows)

    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> None:
        apply_rows(session, programme=programme, rows=preview.payload, author=author.for_batch(batch.id), today=today)

    def dump(self, payload: list[UploadRow]) -> list[dict[str, Any]]:
        return [row.as_json() for row in payload]

    def load(self, rows: list[dict[str, Any]]) -> list[UploadRow]:
        return [UploadRow.from_json(data) for data in rows]

    def export_rows(self, session: Session, programme: Programme) -> tuple[list[str], list[list[Any]]]:
        """The programme's progress in the wide layout: a row per school (UAI order), a column
        per milestone holding its date when done, else its status word (empty when not started)."""
        schools = session.exec(select(School).where(School.programme_id == programme.id).order_by(col(School.uai))).all()
        milestones = {
            (milestone.school_id, milestone.kind): milestone
            for milestone in session.exec(select(Milestone).where(col(Milestone.school_id).in_([s.id for s in schools])))
        }
        rows = [[school.uai, school.name, *(_cell(milestones.get((school.id, kind))) for kind in MILESTONE_KINDS)]
                for school in schools]
        return ["uai", "nom", *(MILESTONE_LABELS[kind] for kind in MILESTONE_KINDS)], rows


def _cell(milestone: Milestone | None) -> date | str | None:
    """A milestone as the wide layout writes it (what `_long_rows` reads back)."""
    if milestone is None or milestone.status == "not_started":
        return None
    if milestone.status == "done" and milestone.actual_on is not None:
        return milestone.actual_on
    return STATUS_LABELS[milestone.status]


LongRow = tuple[int, dict[str, str], Callable[[str], str]]


def _long_rows(table: Table) -> tuple[list[LongRow], list[Problem]]:
    """The file's rows in the one-row-per-milestone layout, each with how to name, in a
    problem, the file's column behind a long-layout column (itself in the long layout, the
    milestone's column in the wide one)."""
    present = set(table.rows[0][1]) if table.rows else set()
    wide = present & set(MILESTONE_KINDS)
    if "jalon" in present and wide:
        raise TableError(table.filename, [Problem("both_progress_layouts", row=table.header_row, column="jalon")])
    if "jalon" in present:
        return [(number, cells, _same) for number, cells in table.rows], []
    if not wide:
        raise TableError(table.filename, [Problem("no_progress_layout", row=table.header_row)])
    rows: list[LongRow] = []
    problems: list[Problem] = []
    for number, cells in table.rows:
        for kind in MILESTONE_KINDS:
            text = cells.get(kind, "")
            if not text:
                continue
            try:
                long = {"statut": "done", "date": cells_parser.day(text).isoformat()}
            except InvalidValue:
                if status_code(text) is None:
                    problems.append(Problem("date_or_status_expected", row=number, column=kind, value=text))
                    continue
                long = {"statut": text}
            rows.append((number, {"uai": cells["uai"], "jalon": kind, **long}, _milestone_column(kind)))
    return rows, problems


def _same(column: str) -> str:
    return column


def _milestone_column(kind: str) -> Callable[[str], str]:
    """In the wide layout, a milestone's status, date and name all come from its column."""
    return lambda column: kind if column in ("jalon", "statut", "date") else column


def _placed(problem: Problem, column_of: Callable[[str], str]) -> Problem:
    return problem if problem.column is None else replace(problem, column=column_of(problem.column))


def _shown_key(row: UploadRow) -> str:
    """UAI and milestone as the preview names them (in the language of the page that previewed)."""
    name = str(MILESTONE_NAMES[row.kind]) + (f" ({PIX_NAMES[row.level]})" if row.level else "")
    return f"{row.uai} — {name}"


def _parse_row(number: int, cells: dict[str, str], schools: dict[str, School]) -> tuple[UploadRow | None, list[Problem]]:
    """Type one row's cells; every problem of the row is reported, not only the first."""
    problems: list[Problem] = []

    def problem(column: str, code: str, **params: Any) -> None:
        problems.append(Problem(code, row=number, column=column, value=cells.get(column), params=params))

    uai = cells["uai"].strip().upper()
    school = schools.get(uai)
    if not uai:
        problem("uai", "required")
    elif school is None:
        problem("uai", "unknown_uai")
    kind = milestone_kind(cells["jalon"]) if cells["jalon"] else None
    if kind is None:
        problem("jalon", "unknown_milestone" if cells["jalon"] else "required")
    change: dict[str, Any] = {}
    columns: dict[str, str] = {}
    if cells.get("statut"):
        status = status_code(cells["statut"])
        if status is None:
            problem("statut", "unknown_status")
        else:
            change["status"], columns["status"] = status, "statut"
    if cells.get("date"):
        try:
            change["actual_on"], columns["actual_on"] = cells_parser.day(cells["date"]), "date"
        except InvalidValue as error:
            problem("date", error.code, **error.params)
    if cells.get("note"):
        if len(cells["note"]) > NOTE_MAX:
            problem("note", "too_long", max_length=NOTE_MAX)
        else:
            change["note"], columns["note"] = cells["note"], "note"
    count = cells_parser.read_count(cells, "nombre", problem)
    level = None
    if cells.get("niveau"):
        level = pix_level(cells["niveau"])
        if level is None:
            problem("niveau", "unknown_pix_level")
        elif kind is not None and kind != PIX_KIND:
            problem("niveau", "pix_only_for_certification")
        elif count is None:
            problem("nombre", "certified_count_missing")
        else:
            change["pix"], columns[f"pix_{level}"] = {level: count}, "nombre"
    elif count is not None:
        if kind == PIX_KIND:
            problem("nombre", "certified_count_by_level")
        else:
            change["count"], columns["count"] = count, "nombre"
    for pix in PIX_LEVELS:
        certified = cells_parser.read_count(cells, f"pix_{pix}", problem)
        if certified is None:
            continue
        if kind is not None and kind != PIX_KIND:
            problem(f"pix_{pix}", "pix_only_for_certification")
        else:
            change.setdefault("pix", {})[pix] = certified
            columns[f"pix_{pix}"] = f"pix_{pix}"
    if not change and not problems:
        problem("jalon", "nothing_to_record")
    if problems or school is None or kind is None:
        return None, problems
    return UploadRow(row=number, uai=uai, school_id=school.id, kind=kind, level=level, change=change, columns=columns), []


def _merge(rows: list[UploadRow]) -> tuple[MilestoneChange, dict[str, int], list[Problem]]:
    """One milestone's change from all its rows, the row that gave each field, and clashes."""
    merged: dict[str, Any] = {}
    given_by: dict[str, int] = {}
    problems: list[Problem] = []
    for row in rows:
        for name, value in row.change.items():
            if name == "pix":
                for level, certified in value.items():
                    key = f"pix_{level}"
                    if key in given_by and merged["pix"][level] != certified:
                        problems.append(_clash(row, key, given_by[key], certified))
                    else:
                        merged.setdefault("pix", {})[level] = certified
                        given_by.setdefault(key, row.row)
            elif name in given_by and merged[name] != value:
                problems.append(_clash(row, name, given_by[name], value))
            else:
                merged[name] = value
                given_by.setdefault(name, row.row)
    return MilestoneChange(**merged), given_by, problems


def _clash(row: UploadRow, name: str, first_row: int, value: Any) -> Problem:
    return Problem("value_clash", row=row.row, column=row.columns.get(name, FIELD_COLUMNS.get(name)), value=str(value),
                   params={"first": first_row})


def _groups(rows: list[UploadRow]) -> dict[tuple[int, str], list[UploadRow]]:
    groups: dict[tuple[int, str], list[UploadRow]] = defaultdict(list)
    for row in rows:
        groups[row.school_id, row.kind].append(row)
    return groups


def _check_against_database(
    session: Session, *, programme: Programme, rows: list[UploadRow], schools: dict[str, School], today: date
) -> list[Problem]:
    """Validate each milestone's merged change on its current state; set each row's outcome."""
    school_ids = select(School.id).where(School.programme_id == programme.id)
    milestones = {
        (milestone.school_id, milestone.kind): milestone
        for milestone in session.exec(select(Milestone).where(col(Milestone.school_id).in_(school_ids)))
    }
    pix: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PIX_LEVELS, 0))
    for certification in session.exec(select(PixCertification).where(col(PixCertification.school_id).in_(school_ids))):
        pix[certification.school_id][certification.level] = certification.certified
    by_id = {school.id: school for school in schools.values()}
    problems: list[Problem] = []
    for (school_id, kind), group in _groups(rows).items():
        change, given_by, clashes = _merge(group)
        problems.extend(clashes)
        milestone = milestones.get((school_id, kind))
        before = snapshot(milestone, dict(pix[school_id]) if kind == PIX_KIND else None)
        after = apply_change(before, kind=kind, change=change)
        for state_problem in check_state(after, kind=kind, school=by_id[school_id], programme=programme, today=today,
                                         change=change):
            row_number = given_by.get(state_problem.column or "") or given_by.get("status") or group[0].row
            row = next(row for row in group if row.row == row_number)
            column = row.columns.get(state_problem.column or "", FIELD_COLUMNS.get(state_problem.column or ""))
            value = state_problem.value
            problems.append(replace(state_problem, row=row_number, column=column, value=value))
        for row in group:
            row.version = milestone.version if milestone else 0
            row.differences = _differences(row, before, after)
            row.outcome = "new" if milestone is None else ("changed" if row.differences else "unchanged")
    return problems


def _differences(row: UploadRow, before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields this row gives that differ from the database."""
    names = [name for name in row.change if name != "pix"]
    names += [f"pix_{level}" for level in row.change.get("pix", {})]
    if "pix" in row.change:
        names.append("count")
    return {name: [before.get(name), after.get(name)] for name in names if before.get(name) != after.get(name)}


def apply_rows(session: Session, *, programme: Programme, rows: list[UploadRow], author: Author, today: date) -> None:
    """Write the rows, each milestone at the version seen when previewing.

    Every refused milestone is reported (not only the first) before InvalidChange is raised;
    the caller then rolls back the whole transaction.
    """
    schools = {school.id: school for school in session.exec(select(School).where(School.programme_id == programme.id))}
    problems: list[Problem] = []
    for (school_id, kind), group in _groups(rows).items():
        change, _, clashes = _merge(group)
        problems.extend(clashes)
        try:
            update_milestone(
                session, programme=programme, school=schools[school_id], kind=kind, change=change,
                version=group[0].version, author=author, today=today,
            )
        except InvalidProgress as error:
            problems.extend(replace(problem, row=group[0].row, column=FIELD_COLUMNS.get(problem.column or "", problem.column))
                            for problem in error.problems)
        except VersionConflict as error:
            problems.append(Problem("changed_since_preview", row=group[0].row, column="jalon", value=group[0].kind,
                                    params={"current": error.current_version, "expected": error.expected}))
    if problems:
        raise InvalidChange(problems)
