"""Importing usage statistics (shared/contracts/usage.md): the import pipeline's `UsageTable`.

A district's daily file is a million rows, so the file is never held as rows: each row is read,
checked and written at once to a temporary table of the transaction (`usage_staging`, by
executemany on SQLite and COPY on PostgreSQL), and what needs every row at once is asked of the
database: repeated keys, the comparison with the stored rows, the write (one INSERT … SELECT …
ON CONFLICT) and the monthly summaries. Python keeps only what repeats across rows (dates,
profiles, the programme's schools, service labels), whatever the file's length; rows stay
plain tuples, never one object each.

Every invalid row is reported in one pass (row, column, value, reason), and only a file without
any problem is written, in the caller's transaction: one import is one transaction. A row is
compared with the stored row of the same key (school, period start, service, profile): a new
key is inserted, a key whose values differ is replaced, an identical row is left alone, which
makes importing the same file twice a no-op that says so. The preview and the write are one
code: `import_file` (the API, the command line) writes what its preview staged in the same
transaction; a preview kept for a page keeps its file (compressed, `UsageTable.dump`), drops its
staged rows, and is read, staged and checked again from that file when confirmed.

Rows of different lengths covering the same days (`rollout.usage.overlaps`) are looked for only
when the file and the stored rows around its dates hold more than one length, which a daily,
weekly or monthly export never does alone: those rows are then compared in memory.
"""

from __future__ import annotations

import base64
import os
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.core.messages import Message
from rollout.core.problems import InvalidChange, InvalidValue, Problem, uai_refusal
from rollout.imports import cells as cells_parser
from rollout.imports.pipeline import Change, Importer, Preview
from rollout.imports.tabular import Column, Table, TableError, stream_table
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
REPLACEMENTS_SHOWN = 100
SQLITE_CACHE_MB = 64
"""SQLite's page cache while an import stages, checks and writes, in MiB (SQLite's default is
2 MiB): the sorts of the repeated keys and of the summaries, and the usage key's index the rows
go into, spill to disk less (a million daily rows import in about 12 s instead of 18–20).
Bounded, whatever the file; the connection's own cache is given back after each step.
`ROLLOUT_SQLITE_IMPORT_CACHE_MB` changes it, for a machine short of memory."""


# Plain tuples rather than NamedTuples: building a million NamedTuples costs seconds.
Key = tuple[int, date, str, str]
"""The usage key (school_id, period_start, service, profile): a row with an existing key replaces it."""
KEY_COLUMNS = ("school_id", "period_start", "service", "profile")
Values = tuple[str, str, int, "int | None", "int | None"]
"""What a row says about its key (period, audience, visits, visitors, page_views); equal values
mean the row is unchanged."""
VALUE_COLUMNS = ("period", "audience", "visits", "visitors", "page_views")

STAGING = sa.Table(
    "usage_staging", sa.MetaData(),
    sa.Column("row_number", sa.Integer),
    sa.Column("school_id", sa.Integer), sa.Column("period_start", sa.Date), sa.Column("service", sa.String(SERVICE_MAX)),
    sa.Column("profile", sa.String(32)), sa.Column("period", sa.String(8)), sa.Column("audience", sa.String(8)),
    sa.Column("visits", sa.Integer), sa.Column("visitors", sa.Integer), sa.Column("page_views", sa.Integer),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
"""The rows of the file being imported, in the transaction only: its row number, key and values
(NULL values for a row whose key is readable but a value is not: it still counts as a key the
file repeats)."""
STAGED = tuple(column.name for column in STAGING.c)


class _RowReader:
    """Turns the cells of one row into a key and values, or into the problems it has.

    Dates, profiles and UAIs repeat across thousands of rows, so each distinct text is read once;
    `scan` reads the rows whose texts were already read valid without a call or an object per
    row, and the others with `read`.
    """

    def __init__(self, schools: dict[str, int], *, dates_as_text: bool) -> None:
        self.schools = schools
        self.dates: dict[str, tuple[date, bool] | InvalidValue] = {}
        self.periods: dict[str, str | InvalidValue] = {}
        self.profiles: dict[str, tuple[str, str] | None] = {}
        # What texts already read valid give (`scan`'s look-ups): the UAI's school, the date and
        # period cells' start and period (and the start as the driver takes it: ISO text on
        # SQLite, whose dates are text), the profile's spelling and audience.
        self.known_schools = dict(schools)
        self.known_starts: dict[tuple[str, str], tuple[date, str, date | str]] = {}
        self.known_profiles: dict[str, tuple[str, str]] = {}
        self.dates_as_text = dates_as_text

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
        self.known_schools[cells["uai"]] = school_id
        self.known_starts[cells["date"], cells.get("period", "")] = (start[0], period, self._driver_date(start[0]))
        self.known_profiles[cells["profile"]] = (profile, audience)
        return key, (period, audience, visits, visitors, page_views), problems

    def _driver_date(self, day: date) -> date | str:
        return day.isoformat() if self.dates_as_text else day

    def scan(self, rows: Iterable[tuple[int, dict[str, str]]], seen: _Seen) -> Iterator[tuple[Any, ...]]:
        """Each row of `rows` with a readable key as a `STAGED` tuple (its values NULL when a cell
        is invalid), every row's problems and what the valid rows cover gathered in `seen`."""
        schools, starts, profiles = self.known_schools, self.known_starts, self.known_profiles
        school_ids, services = seen.school_ids, seen.services
        for number, cells in rows:
            seen.rows += 1
            try:
                school_id = schools[cells["uai"]]
                _, period, start = starts[cells["date"], cells.get("period", "")]
                profile, audience = profiles[cells["profile"]]
            except KeyError:
                yield from self._scan_slowly(number, cells, seen)
                continue
            service, visits = cells["service"], cells["visits"]
            visitors, page_views = cells.get("visitors", ""), cells.get("page_views", "")
            if (service and len(service) <= SERVICE_MAX and visits.isdigit() and visits.isascii()
                    and (not visitors or (visitors.isdigit() and visitors.isascii() and int(visitors) <= int(visits)))
                    and (not page_views or (page_views.isdigit() and page_views.isascii()))):
                school_ids.add(school_id)
                services.add(service)
                yield (number, school_id, start, service, profile, period, audience, int(visits),
                       int(visitors) if visitors else None, int(page_views) if page_views else None)
            else:
                yield from self._scan_slowly(number, cells, seen)

    def _scan_slowly(self, number: int, cells: dict[str, str], seen: _Seen) -> Iterator[tuple[Any, ...]]:
        """A row `scan` could not read from what it knew: read in full, its problems noted."""
        key, values, problems = self.read(number, cells)
        seen.problems.extend(problems)
        if key is None:
            return
        if values is None:
            yield (number, key[0], self._driver_date(key[1]), key[2], key[3], None, None, None, None, None)
            return
        seen.school_ids.add(key[0])
        seen.services.add(key[2])
        yield (number, key[0], self._driver_date(key[1]), key[2], key[3], *values)

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


@dataclass
class _Seen:
    """What a scan of the file found besides its rows: every row's problems, and what its valid
    rows cover (the schools, the service labels; the starts and periods are `_RowReader`'s
    `known_starts`). Bounded by the programme and the calendar, not by the file's length."""

    problems: list[Problem] = field(default_factory=list)
    school_ids: set[int] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    rows: int = 0


class FileRows(NamedTuple):
    """Staged valid rows by usage key, and each key's row number."""

    rows: dict[Key, Values]
    numbers: dict[Key, int]


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
                             uais: dict[int, str], numbers: dict[Key, int]) -> list[Problem]:
    """File rows that cover days stored rows of another length cover (stored rows the file
    replaces excepted), each named by its row number and its key."""
    return [
        Problem("usage_periods_overlap_stored", row=numbers[overlap.key], params={
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


def _stored_near(programme_id: int, first: date, last: date) -> list[sa.ColumnElement[bool]]:
    """The programme's stored rows starting from a month before `first` to a month after `last`:
    the rows that rows starting between them may overlap. Through the usage key's index (school
    first, then start), not a scan of every programme's rows."""
    record = UsageRecord.__table__.c
    return [record.school_id.in_(sa.select(School.__table__.c.id).where(School.__table__.c.programme_id == programme_id)),
            record.period_start.between(first - LONGEST_PERIOD, last + LONGEST_PERIOD)]


def stored_rows(
    session: Session, *, programme_id: int, first: date, last: date
) -> dict[Key, tuple[int, Values]]:
    """The programme's stored rows that rows starting between `first` and `last` may overlap,
    by key, in one query."""
    record = UsageRecord.__table__.c
    statement = sa.select(record.id, *(record[name] for name in KEY_COLUMNS + VALUE_COLUMNS)).where(
        *_stored_near(programme_id, first, last))
    return {tuple(row[1:5]): (row[0], tuple(row[5:])) for row in session.execute(statement).all()}


def _staged_rows(session: Session) -> FileRows:
    """The staged valid rows by key, with their row numbers (the first row of a repeated key):
    for the overlap checks, when more than one length of period is involved."""
    staged = STAGING.c
    rows: dict[Key, Values] = {}
    numbers: dict[Key, int] = {}
    for row in session.execute(sa.select(*staged).order_by(staged.row_number)):
        key = (row.school_id, row.period_start, row.service, row.profile)
        if key not in numbers:
            numbers[key] = row.row_number
            if row.period is not None:
                rows[key] = tuple(row[5:])
    return FileRows(rows, numbers)


def _stage(session: Session, rows: Iterable[tuple[Any, ...]]) -> None:
    """A new `usage_staging` holding `rows` (`STAGED` tuples), written as they come: executemany
    on SQLite, whose temporary tables are the connection's (dropped first, an earlier import on
    the connection may have left one), COPY on PostgreSQL (dropped at commit)."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TABLE IF EXISTS pg_temp.usage_staging")
        STAGING.create(connection)
        with driver.cursor() as cursor, cursor.copy(f"COPY usage_staging ({', '.join(STAGED)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.exec_driver_sql("DROP TABLE IF EXISTS temp.usage_staging")
    STAGING.create(connection)
    driver.executemany(f"INSERT INTO temp.usage_staging VALUES ({', '.join('?' * len(STAGED))})", rows)


def _drop_staging(session: Session) -> None:
    connection = session.connection()
    schema = "pg_temp" if connection.dialect.name == "postgresql" else "temp"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.usage_staging")


@contextmanager
def _sqlite_cache(session: Session) -> Iterator[None]:
    """SQLite's page cache at SQLITE_CACHE_MB (or its setting) for the block, the connection's own given back
    after, however the block ends (the connection goes back to the pool)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    megabytes = int(os.environ.get("ROLLOUT_SQLITE_IMPORT_CACHE_MB") or SQLITE_CACHE_MB)
    connection.exec_driver_sql(f"PRAGMA cache_size = {-1024 * megabytes}")  # negative: in KiB
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


def _repeated_keys(session: Session) -> list[Problem]:
    """A problem for each staged row whose key an earlier row of the file has."""
    staged = STAGING.c
    keys = [staged[name] for name in KEY_COLUMNS]
    firsts = sa.select(*keys, sa.func.min(staged.row_number).label("first")).group_by(*keys).having(
        sa.func.count() > 1).subquery("firsts")
    later = STAGING.alias("later")
    statement = (
        sa.select(later.c.row_number, firsts.c.first)
        .join_from(later, firsts, sa.and_(*(later.c[name] == firsts.c[name] for name in KEY_COLUMNS)))
        .where(later.c.row_number > firsts.c.first)
        .order_by(later.c.row_number)
    )
    return [Problem("usage_key_repeated", row=number, params={"first": first})
            for number, first in session.execute(statement)]


def _stored_joined() -> tuple[sa.FromClause, sa.ColumnElement[bool]]:
    """The staged rows joined to the stored rows of their keys (outer), and whether a stored
    row's values differ from its staged row's."""
    staged, record = STAGING.c, UsageRecord.__table__.c
    joined = STAGING.outerjoin(UsageRecord.__table__, sa.and_(*(record[name] == staged[name] for name in KEY_COLUMNS)))
    differ = sa.or_(*(record[name].is_distinct_from(staged[name]) for name in VALUE_COLUMNS))
    return joined, differ


def _counts(session: Session, *, stored: bool) -> dict[str, int]:
    """New, changed and unchanged staged rows; without `stored` rows near them, all are new."""
    if not stored:
        total = session.execute(sa.select(sa.func.count()).select_from(STAGING)).scalar_one()
        return {"new": total, "changed": 0, "unchanged": 0}
    joined, differ = _stored_joined()
    record_id = UsageRecord.__table__.c.id
    total, found, changed = session.execute(sa.select(
        sa.func.count(), sa.func.count(record_id), sa.func.coalesce(sa.func.sum(sa.case((sa.and_(record_id.is_not(None), differ), 1), else_=0)), 0),
    ).select_from(joined)).one()
    return {"new": total - found, "changed": changed, "unchanged": found - changed}


def _replacements(session: Session, uais: dict[int, str]) -> list[Change]:
    """The first stored rows the file replaces, in the file's order, as the preview shows them."""
    joined, differ = _stored_joined()
    staged, record = STAGING.c, UsageRecord.__table__.c
    statement = (
        sa.select(*(staged[name] for name in KEY_COLUMNS + VALUE_COLUMNS), *(record[name] for name in VALUE_COLUMNS))
        .select_from(joined).where(record.id.is_not(None), differ).order_by(staged.row_number).limit(REPLACEMENTS_SHOWN)
    )
    changes = []
    for row in session.execute(statement):
        key, after, before = tuple(row[:4]), tuple(row[4:9]), tuple(row[9:])
        changes.append(Change(
            row=None, key=f"{uais[key[0]]} · {key[1]:%d/%m/%Y} · {key[2]} · {key[3]}", action="changed",
            changes={name: [old, new] for name, old, new in zip(VALUE_COLUMNS, before, after) if old != new},
        ))
    return changes


def _stored_periods(session: Session, *, programme_id: int, first: date, last: date) -> set[str]:
    """The lengths of the stored rows that rows starting between `first` and `last` may overlap
    (none: every row of the file is new)."""
    record = UsageRecord.__table__.c
    return set(session.execute(sa.select(record.period).where(*_stored_near(programme_id, first, last)).distinct()).scalars())


def _overlap_problems(session: Session, *, programme_id: int, periods: set[str], first: date, last: date,
                      uais: dict[int, str]) -> tuple[list[Problem], bool]:
    """Staged rows that cover days stored rows of another length cover (see
    `_stored_overlap_problems`), and whether any row is stored near the file's. Compared in
    memory only when more than one length is involved."""
    stored_periods = _stored_periods(session, programme_id=programme_id, first=first, last=last)
    if len(periods | stored_periods) < 2:
        return [], bool(stored_periods)
    rows, numbers = _staged_rows(session)
    stored = stored_rows(session, programme_id=programme_id, first=first, last=last)
    return _stored_overlap_problems(rows, stored, uais=uais, numbers=numbers), True


def _write(session: Session, *, batch_id: int, all_new: bool) -> None:
    """The staged rows that are new inserted, those whose values differ replacing the stored
    ones (in place), in one statement; a plain INSERT when `all_new` (no stored row has the
    key of a staged one), which spares PostgreSQL a speculative insertion per row."""
    staged = STAGING.c
    record = UsageRecord.__table__
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    columns = list(KEY_COLUMNS + VALUE_COLUMNS)
    rows = sa.select(*(staged[name] for name in columns), sa.literal(batch_id, sa.Integer)).where(sa.true())
    statement = dialect.insert(record).from_select([*columns, "import_batch_id"], rows)
    if all_new:
        session.execute(statement)
        return
    changed = {name: statement.excluded[name] for name in [*VALUE_COLUMNS, "import_batch_id"]}
    session.execute(statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS), set_=changed,
        where=sa.or_(*(record.c[name].is_distinct_from(statement.excluded[name]) for name in VALUE_COLUMNS)),
    ))


@dataclass
class StagedFile:
    """The payload of a usage preview: the file (what a page's preview keeps, `UsageTable.dump`),
    the programme's schools it was read against, and what its valid rows cover. Its rows are
    in `usage_staging` while `transaction` lasts (the preview's own), unless it was kept
    (`UsageTable.release`): a kept preview is confirmed from its file."""

    data: bytes
    filename: str
    schools: dict[str, int]
    school_ids: set[int]
    services: set[str]
    months: set[str]
    first: date
    last: date
    counts: dict[str, int]
    transaction: Any


@dataclass
class KeptFile:
    """The payload of a kept usage preview (`UsageTable.load`): its file, None for a preview
    kept in an older format."""

    data: bytes | None
    filename: str


KEPT_FORMAT = "usage-file/1"
"""The first item of a kept usage preview's rows: its file follows, compressed (`UsageTable.dump`)."""


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
    streams = True

    def header(self) -> tuple[Column, ...]:
        return COLUMNS

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        with _sqlite_cache(session):
            preview = self._preview(session, programme=programme, table=table)
        if not preview.confirmable:
            _drop_staging(session)
        return preview

    def _preview(self, session: Session, *, programme: Programme, table: Table) -> Preview:
        """Stage and check the file's rows (see the module); the staged rows stay for `apply`."""
        staged = self._stage_file(session, programme=programme, table=table)
        if isinstance(staged, list):
            return Preview(kind=self.kind, filename=table.filename, problems=staged)
        counts, first, last = staged.counts, staged.first, staged.last
        rows = counts["new"] + counts["changed"] + counts["unchanged"]
        labels = taxonomy.classify(staged.services, programme_overrides=taxonomy.overrides(session, programme_id=programme.id))
        unknown = sorted(label for label, found in labels.items() if found.source == "unknown")
        notes = [Message("usage_rows", {"first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}", "rows": rows})]
        if unknown:
            notes.append(Message("unknown_services", {"labels": ", ".join(unknown)}))
        uais = {school_id: uai for uai, school_id in staged.schools.items()}
        return Preview(
            kind=self.kind, filename=table.filename, counts=dict(counts),
            changes=_replacements(session, uais) if counts["changed"] else [],
            payload=staged, notes=notes,
            facts={"rows": rows, "first_date": first.isoformat(), "last_date": last.isoformat(), "unknown_labels": unknown},
        )

    def _stage_file(self, session: Session, *, programme: Programme, table: Table) -> StagedFile | list[Problem]:
        """The file's rows staged, checked and compared with the stored rows, or every problem
        they have (by row number): what the preview shows and a kept preview's confirmation
        does again (`apply`)."""
        schools = programme_schools(session, programme_id=programme.id)
        reader = _RowReader(schools, dates_as_text=session.connection().dialect.name != "postgresql")
        seen = _Seen()
        _stage(session, reader.scan(table.rows, seen))
        if not seen.rows:
            raise TableError(table.filename, [Problem("no_data_rows")])
        problems = seen.problems + _repeated_keys(session)
        periods = {period for _, period, _ in reader.known_starts.values()}
        if len(periods) > 1:
            rows, numbers = _staged_rows(session)
            problems += [_overlap_problem(overlap, numbers) for overlap in find_overlaps(rows, {})]
        if problems:
            return problems
        starts = [start for start, _, _ in reader.known_starts.values()]
        first, last = min(starts), max(starts)
        uais = {school_id: uai for uai, school_id in schools.items()}
        problems, stored = _overlap_problems(session, programme_id=programme.id, periods=periods, first=first,
                                             last=last, uais=uais)
        if problems:
            return problems
        return StagedFile(
            data=table.data, filename=table.filename, schools=schools, school_ids=seen.school_ids,
            services=seen.services, months={summary.month_of(start) for start in starts}, first=first, last=last,
            counts=_counts(session, stored=stored), transaction=session.get_transaction(),
        )

    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> dict[str, int]:
        """Write what the preview staged in this transaction; a kept preview's file is read,
        staged and checked again against what is stored now (InvalidChange names its rows that
        no longer apply: of a school deleted since, of another length stored since)."""
        payload = preview.payload
        with _sqlite_cache(session):
            if isinstance(payload, StagedFile) and payload.transaction is session.get_transaction():
                staged: StagedFile | list[Problem] = payload
            elif payload.data is None:
                raise InvalidChange([Problem("kept_preview_outdated")])
            else:
                staged = self._stage_file(session, programme=programme,
                                          table=stream_table(payload.data, payload.filename, COLUMNS))
            if isinstance(staged, list):
                raise InvalidChange(staged)
            counts = staged.counts
            if counts["new"] or counts["changed"]:
                _write(session, batch_id=batch.id, all_new=not counts["changed"] and not counts["unchanged"])
                summary.refresh(session, staged.school_ids, staged.months,
                                mapping=lambda: taxonomy.category_mapping(session, programme_id=programme.id))
        _drop_staging(session)
        author.for_batch(batch.id).record(
            session, programme=programme, entity="import_batch", entity_id=batch.id, action="create",
            changes={
                "kind": [None, "usage"], "source": [None, batch.source], "via": [None, author.channel],
                "first_date": [None, staged.first], "last_date": [None, staged.last], "rows_new": [None, counts["new"]],
                "rows_replaced": [None, counts["changed"]], "rows_unchanged": [None, counts["unchanged"]],
            },
        )
        return counts

    def dump(self, payload: StagedFile) -> list[str]:
        """What a kept preview keeps: its file, compressed. A preview that can be confirmed has
        no invalid row, so its rows are exactly its file's: keeping the file keeps them in a
        seventh of their size as JSON rows (a million daily rows: 11.5 against 77 MiB), without
        holding them all in memory to write them, and confirming reads it again through the
        code that previewed it, against what is stored then."""
        return [KEPT_FORMAT, payload.filename, base64.b64encode(zlib.compress(payload.data, 1)).decode("ascii")]

    def release(self, session: Session) -> None:
        """Drop the staged rows once a preview's rows are kept: on SQLite the staging table is
        the connection's, not the transaction's, and would stay on the pooled connection (up to
        a million rows of temporary storage) until another import there drops it."""
        _drop_staging(session)

    def load(self, rows: list[Any]) -> KeptFile:
        """The kept file back; a preview kept by an earlier version (its rows, for at most
        PREVIEW_LIFETIME after an upgrade) has none, and confirming it asks for the file again."""
        if len(rows) != 3 or rows[0] != KEPT_FORMAT:
            return KeptFile(data=None, filename="")
        return KeptFile(data=zlib.decompress(base64.b64decode(rows[2])), filename=rows[1])
