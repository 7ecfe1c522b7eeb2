"""Importing usage statistics (shared/contracts/usage.md): the import pipeline's `UsageTable`.

The whole file is validated first and every invalid row is reported in one pass; only a file
without any problem is written, in the caller's transaction, so one import is one transaction.
Rows are compared with what the database holds under the same key (school, period start,
service, profile): a new key is inserted, a key whose values differ is replaced, an identical
row is left alone, which makes importing the same file twice a no-op that says so. Existing
keys are read in one query and rows written in bulk (COPY on PostgreSQL), because the demo's
three years are about 250,000 rows: rows stay plain tuples, never one object each.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select

from rollout.bulk import insert_rows
from flask_babel import lazy_gettext as _l

from rollout.core.author import Author
from rollout.core.messages import Message
from rollout.core.problems import InvalidChange, InvalidValue, Problem, uai_refusal
from rollout.imports.pipeline import Change, Importer, Preview
from rollout.imports import cells as cells_parser
from rollout.imports.tabular import Column, Table
from rollout.models import ImportBatch, Programme, School, UsageRecord
from rollout.usage import summary, taxonomy
from rollout.usage.overlaps import LONGEST_PERIOD, Overlap, find_overlaps, period_end
from rollout.usage.periods import PeriodError, parse_date, parse_period, period_of
from rollout.usage.profiles import audience_of, canonical_profile

COLUMNS = (
    Column("date", ("jour", "mois", "period_start")),
    Column("uai", ("code_uai", "numero_uai", "etablissement_uai")),
    Column("service", ("outil",)),
    Column("profile", ("profil",)),
    Column("visits", ("visites",)),
    Column("visitors", ("visiteurs", "visiteurs_uniques"), required=False),
    Column("page_views", ("pages_vues",), required=False),
    Column("period", ("periode", "granularite", "periodicite"), required=False),
)
SERVICE_MAX = 200  # the length of usagerecord.service
DELETE_CHUNK = 5_000
INSERT_CHUNK = 20_000
REPLACEMENTS_SHOWN = 100


# Plain tuples rather than NamedTuples: building 250,000 NamedTuples costs seconds.
Key = tuple[int, date, str, str]
"""The usage key (school_id, period_start, service, profile): a row with an existing key replaces it."""
KEY_COLUMNS = ("school_id", "period_start", "service", "profile")
Values = tuple[str, str, int, "int | None", "int | None"]
"""What a row says about its key (period, audience, visits, visitors, page_views); equal values
mean the row is unchanged."""
VALUE_COLUMNS = ("period", "audience", "visits", "visitors", "page_views")


class _RowReader:
    """Turns the cells of one row into a key and values, or into the problems it has.

    Dates, profiles and UAIs repeat across thousands of rows, so each distinct text is read once.
    """

    def __init__(self, schools: dict[str, int]) -> None:
        self.schools = schools
        self.dates: dict[str, tuple[date, bool] | InvalidValue] = {}
        self.periods: dict[str, str | InvalidValue] = {}
        self.profiles: dict[str, tuple[str, str] | None] = {}

    def read(self, number: int, cells: dict[str, str]) -> tuple[Key | None, Values | None, list[Problem]]:
        """The row's key (None when a key cell is invalid), its values (None when any cell is),
        and its problems: a row with a bad count still has a key a later row may repeat."""
        problems: list[Problem] = []

        def problem(column: str, code: str, **params: Any) -> None:
            problems.append(Problem(code, row=number, column=column, value=cells.get(column, ""), params=params))

        school_id = self.schools.get(cells["uai"].upper())
        if school_id is None:
            unknown = self._unknown_uai(cells["uai"])
            problem("uai", unknown.code, **unknown.params)
        start = self._date(cells["date"], problem)
        stated = self._stated_period(cells.get("period", ""), problem)
        period = None
        if start is not None and stated is not False:
            try:
                period = period_of(start[0], written_as_month=start[1], stated=stated)
            except PeriodError as error:
                problem("date", error.code, **error.params)
        service = cells["service"]
        if not service:
            problem("service", "required")
        elif len(service) > SERVICE_MAX:
            problem("service", "too_long", max_length=SERVICE_MAX)
        profile, audience = self._profile(cells["profile"], problem)
        visits = cells_parser.read_count(cells, "visits", problem, required=True)
        visitors = cells_parser.read_count(cells, "visitors", problem)
        if visits is not None and visitors is not None and visitors > visits:
            problem("visitors", "more_visitors_than_visits", visits=visits)
        page_views = cells_parser.read_count(cells, "page_views", problem)
        key_known = school_id is not None and start is not None and service and audience is not None
        key = (school_id, start[0], service, profile) if key_known else None
        if problems:
            return key, None, problems
        return key, (period, audience, visits, visitors, page_views), problems

    def _unknown_uai(self, text: str) -> InvalidValue:
        """Why a UAI matches no school: empty, malformed (wrong check letter…), or elsewhere."""
        if not text:
            return InvalidValue("required")
        return uai_refusal(text.upper()) or InvalidValue("unknown_uai")

    def _date(self, text: str, problem: Any) -> tuple[date, bool] | None:
        known = self.dates.get(text)
        if known is None:
            try:
                known = parse_date(text)
            except PeriodError as error:
                known = InvalidValue("required") if not text else error.with_traceback(None)  # cached: no frames kept
            self.dates[text] = known
        if isinstance(known, InvalidValue):
            problem("date", known.code, **known.params)
            return None
        return known

    def _stated_period(self, text: str, problem: Any) -> str | None | bool:
        """The `period` cell's period, None when empty, False when unreadable."""
        if not text:
            return None
        if text not in self.periods:
            try:
                self.periods[text] = parse_period(text)
            except PeriodError as error:
                self.periods[text] = error.with_traceback(None)
        period = self.periods[text]
        if isinstance(period, InvalidValue):
            problem("period", period.code, **period.params)
            return False
        return period

    def _profile(self, text: str, problem: Any) -> tuple[str | None, str | None]:
        """The profile as stored (canonical spelling) and its audience."""
        if text not in self.profiles:
            try:
                self.profiles[text] = (canonical_profile(text), audience_of(text))
            except ValueError:
                self.profiles[text] = None
        known = self.profiles[text]
        if known is None:
            problem("profile", "unknown_profile" if text else "required")
            return None, None
        return known


class FileRows(NamedTuple):
    """A file's valid rows by usage key, every problem of every row, and each key's row number."""

    rows: dict[Key, Values]
    problems: list[Problem]
    numbers: dict[Key, int]


def read_rows(table: Table, *, schools: dict[str, int]) -> FileRows:
    """Every valid row of `table` keyed on the usage key, and every problem of every row,
    including rows of different lengths that cover the same days (they would add up)."""
    reader = _RowReader(schools)
    rows: dict[Key, Values] = {}
    first_row: dict[Key, int] = {}
    problems: list[Problem] = []
    for number, cells in table.rows:
        key, values, row_problems = reader.read(number, cells)
        problems.extend(row_problems)
        if key is None:
            continue
        if key in first_row:
            problems.append(Problem("usage_key_repeated", row=number, params={"first": first_row[key]}))
            continue
        first_row[key] = number
        if values is not None:
            rows[key] = values
    problems.extend(_overlap_problem(overlap, first_row) for overlap in find_overlaps(rows, {}))
    return FileRows(rows, problems, first_row)


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _overlap_problem(overlap: Overlap, numbers: dict[Key, int]) -> Problem:
    """A file row that covers days another row of the file covers with another length."""
    return Problem("usage_periods_overlap", row=numbers[overlap.key], params={
        "start": _day(overlap.key[1]), "end": _day(period_end(overlap.key[1], overlap.period)),
        "count": overlap.count, "other": numbers[overlap.first], "other_start": _day(overlap.first[1]),
        "other_end": _day(period_end(overlap.first[1], overlap.first_period)),
    })


def _stored_overlap_problems(rows: dict[Key, Values], stored: dict[Key, tuple[int, Values]], *,
                             uais: dict[int, str], numbers: dict[Key, int] | None = None) -> list[Problem]:
    """File rows that cover days stored rows of another length cover (stored rows the file
    replaces excepted), each named by its row number when known and always by its key."""
    return [
        Problem("usage_periods_overlap_stored", row=numbers[overlap.key] if numbers else None, params={
            "uai": uais[overlap.key[0]], "service": overlap.key[2], "profile": overlap.key[3],
            "start": _day(overlap.key[1]), "end": _day(period_end(overlap.key[1], overlap.period)),
            "count": overlap.count, "other_start": _day(overlap.first[1]),
            "other_end": _day(period_end(overlap.first[1], overlap.first_period)),
        })
        for overlap in find_overlaps(rows, stored) if overlap.stored
    ]


def programme_schools(session: Session, *, programme_id: int) -> dict[str, int]:
    """The programme's school ids by UAI."""
    statement = select(School.uai, School.id).where(School.programme_id == programme_id)
    return {uai: school_id for uai, school_id in session.exec(statement)}


def stored_rows(
    session: Session, *, programme_id: int, first: date, last: date
) -> dict[Key, tuple[int, Values]]:
    """The programme's stored rows starting from a month before `first` to a month after `last`
    (the rows that rows starting between them may overlap), by key, in one query."""
    first, last = first - LONGEST_PERIOD, last + LONGEST_PERIOD
    record = UsageRecord.__table__.c
    statement = (
        sa.select(record.id, *(record[name] for name in KEY_COLUMNS + VALUE_COLUMNS))
        .join(School.__table__, School.__table__.c.id == record.school_id)
        .where(School.__table__.c.programme_id == programme_id, record.period_start.between(first, last))
    )
    return {tuple(row[1:5]): (row[0], tuple(row[5:])) for row in session.execute(statement).all()}


class UsageTable(Importer):
    """Usage rows keyed on (school, period start, service, profile)."""

    kind = "usage"
    action = "import_usage"
    changed_word = "replaced"  # the usage contract's word: a row with a stored key replaces it
    listing = "usage.report_page"
    key_label = _l("Établissement, début de période, service, profil")
    field_names = {"period": _l("Période"), "audience": _l("Public"), "visits": _l("Visites"),
                   "visitors": _l("Visiteurs"), "page_views": _l("Pages vues")}
    title = _l("Importer des statistiques d'usage")
    intro = _l("Un export de la plateforme ou de l'outil de mesure d'audience, une ligne par établissement, période, service et profil. Une ligne déjà importée avec la même clé est remplacée.")

    def __init__(self) -> None:
        # The rows a preview compared and what was stored then: when `apply` follows in the same
        # transaction (import_file, for the API and the command line), it writes from that
        # comparison instead of reading 250,000 stored rows a second time.
        self._compared: tuple[dict[Key, Values], dict[Key, tuple[int, Values]]] | None = None

    def header(self) -> tuple[Column, ...]:
        return COLUMNS

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        schools = programme_schools(session, programme_id=programme.id)
        rows, problems, numbers = read_rows(table, schools=schools)
        if problems:
            return Preview(kind=self.kind, filename=table.filename, problems=problems)
        dates = [key[1] for key in rows]
        first, last = min(dates), max(dates)
        stored = stored_rows(session, programme_id=programme.id, first=first, last=last)
        uais = {school_id: uai for uai, school_id in schools.items()}
        problems = _stored_overlap_problems(rows, stored, uais=uais, numbers=numbers)
        if problems:
            return Preview(kind=self.kind, filename=table.filename, problems=problems)
        self._compared = (rows, stored)
        new = sum(1 for key in rows if key not in stored)
        replaced = [key for key in rows if key in stored and stored[key][1] != rows[key]]
        labels = taxonomy.classify({key[2] for key in rows}, programme_overrides=taxonomy.overrides(session, programme_id=programme.id))
        unknown = sorted(label for label, found in labels.items() if found.source == "unknown")
        notes = [Message("usage_rows", {"first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}", "rows": len(rows)})]
        if unknown:
            notes.append(Message("unknown_services", {"labels": ", ".join(unknown)}))
        return Preview(
            kind=self.kind, filename=table.filename,
            counts={"new": new, "changed": len(replaced), "unchanged": len(rows) - new - len(replaced)},
            changes=[_replacement(key, stored[key][1], rows[key], uais) for key in replaced[:REPLACEMENTS_SHOWN]],
            payload=rows, notes=notes,
            facts={"rows": len(rows), "first_date": first.isoformat(), "last_date": last.isoformat(), "unknown_labels": unknown},
        )

    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> dict[str, int]:
        rows: dict[Key, Values] = preview.payload
        schools = set(programme_schools(session, programme_id=programme.id).values())
        if any(key[0] not in schools for key in rows):
            raise InvalidChange([Problem("school_deleted_since_preview")])
        compared = self._compared[1] if self._compared is not None and self._compared[0] is rows else None
        return write_rows(session, programme=programme, rows=rows, batch=batch, author=author, stored=compared)

    def dump(self, payload: dict[Key, Values]) -> list[list[Any]]:
        return [[key[0], key[1].isoformat(), key[2], key[3], *values] for key, values in payload.items()]

    def load(self, rows: list[list[Any]]) -> dict[Key, Values]:
        return {(row[0], date.fromisoformat(row[1]), row[2], row[3]): tuple(row[4:]) for row in rows}


def _replacement(key: Key, before: Values, after: Values, uais: dict[int, str]) -> Change:
    """A stored row the file replaces, as the preview shows it."""
    changes = {name: [old, new] for name, old, new in zip(VALUE_COLUMNS, before, after) if old != new}
    return Change(row=None, key=f"{uais[key[0]]} · {key[1]:%d/%m/%Y} · {key[2]} · {key[3]}", action="changed", changes=changes)


def write_rows(session: Session, *, programme: Programme, rows: dict[Key, Values], batch: ImportBatch,
               author: Author, stored: dict[Key, tuple[int, Values]] | None = None) -> dict[str, int]:
    """Compare valid rows with the stored ones (`stored`, when this transaction already read
    them) and write the difference under `batch`, with the batch's audit event (channel
    "import", `via` the channel the file came through) and the monthly summary of the
    school-months written recomputed. Returns the counts written. Does not commit. InvalidChange, naming the rows, when rows of another length stored since the
    preview cover the same days."""
    dates = [key[1] for key in rows]
    first, last = min(dates), max(dates)
    if stored is None:
        stored = stored_rows(session, programme_id=programme.id, first=first, last=last)
        uais = {school_id: uai for uai, school_id in programme_schools(session, programme_id=programme.id).items()}
        if problems := _stored_overlap_problems(rows, stored, uais=uais):
            raise InvalidChange(problems)
    new = [key for key in rows if key not in stored]
    replaced = [key for key in rows if key in stored and stored[key][1] != rows[key]]
    counts = {"new": len(new), "changed": len(replaced), "unchanged": len(rows) - len(new) - len(replaced)}
    _delete(session, [stored[key][0] for key in replaced])
    _insert(session, ((key, rows[key]) for key in new + replaced), batch_id=batch.id)
    summary.refresh(session, ((key[0], key[1]) for key in new + replaced),
                    mapping=lambda: taxonomy.category_mapping(session, programme_id=programme.id))
    author.for_batch(batch.id).record(
        session, programme=programme, entity="import_batch", entity_id=batch.id, action="create",
        changes={
            "kind": [None, "usage"], "source": [None, batch.source], "via": [None, author.channel],
            "first_date": [None, first], "last_date": [None, last], "rows_new": [None, counts["new"]],
            "rows_replaced": [None, counts["changed"]], "rows_unchanged": [None, counts["unchanged"]],
        },
    )
    return counts


def _delete(session: Session, ids: list[int]) -> None:
    """Delete replaced rows by id: one statement with an array on PostgreSQL, chunks of IN lists
    elsewhere (SQLite caps the number of parameters of a statement)."""
    record = UsageRecord.__table__
    if session.connection().dialect.name == "postgresql":
        if ids:
            session.execute(sa.delete(record).where(record.c.id == sa.func.any(sa.bindparam("ids", ids, type_=ARRAY(sa.Integer)))))
        return
    for start in range(0, len(ids), DELETE_CHUNK):
        session.execute(sa.delete(record).where(record.c.id.in_(ids[start:start + DELETE_CHUNK])))


def _insert(session: Session, rows: Iterable[tuple[Key, Values]], *, batch_id: int) -> None:
    """Insert rows in bulk, in chunks so memory stays flat."""
    chunk: list[dict[str, Any]] = []
    for key, values in rows:
        chunk.append(dict(zip(KEY_COLUMNS + VALUE_COLUMNS, key + values), import_batch_id=batch_id))
        if len(chunk) == INSERT_CHUNK:
            insert_rows(session, UsageRecord.__table__, chunk)
            chunk = []
    insert_rows(session, UsageRecord.__table__, chunk)
