"""`rollout schools import-national` and `rollout schools import`: thin wrappers over the
preview and confirm functions, so a district's schools can be loaded without the web pages.

Exit codes: 0 imported (or previewed, with --dry-run), 2 when the file is invalid (every
problem on stderr, nothing written).
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click
from sqlmodel import Session

from rollout.cli_support import EXIT_INVALID, choose_programme, command_session
from rollout.imports.tabular import Problem, TableError
from rollout.models import PendingImport, Programme
from rollout.imports.reference import Preview, confirm_import, preview_import
from rollout.core.problems import InvalidChange
from rollout.schools.national import SCHOOLS_PER_BASIN, national_preview
from rollout.schools.table import SchoolTable
from rollout.core.author import Author


@contextmanager
def _programme_session(programme_id: int) -> Iterator[tuple[Session, Programme]]:
    with command_session() as session:
        yield session, choose_programme(session, programme_id)


def _author() -> Author:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return Author(actor=f"command line ({who})", channel="cli")


def _refuse(filename: str, problems: list[Problem]) -> None:
    click.echo(f"Error: {filename}: {len(problems)} problem(s), nothing imported:", err=True)
    for problem in problems:
        click.echo(f"  {problem.describe(filename)}", err=True)
    raise SystemExit(EXIT_INVALID)


def _finish(session: Session, programme: Programme, preview: Preview, dry_run: bool) -> None:
    """Print the preview; unless a dry run, apply it and commit (all or nothing)."""
    for note in preview.notes:
        click.echo(note)
    if preview.invalid:
        session.rollback()
        _refuse(preview.filename, preview.invalid)
    counts = f"{preview.count('new')} new, {preview.count('changed')} changed, {preview.count('unchanged')} unchanged"
    if dry_run or preview.pending_id is None:
        session.rollback()
        click.echo(f"{preview.filename}: {counts}" + (" (dry run: nothing written)" if dry_run else ""))
        return
    try:
        batch = confirm_import(session, programme=programme, pending=session.get(PendingImport, preview.pending_id),
                               table=SchoolTable(), author=_author())
    except InvalidChange as error:
        session.rollback()
        _refuse(preview.filename, error.problems)
    session.commit()
    click.echo(f"{preview.filename}: {counts} (import batch {batch.id})")


@click.group("schools")
def schools_cli() -> None:
    """Schools of a programme: import them from a spreadsheet or the national collège file."""


@schools_cli.command("import-national")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--department", "departments", multiple=True, required=True, help="Département code, e.g. 093 (repeatable).")
@click.option("--programme", "programme_id", type=int, required=True, help="Programme id.")
@click.option("--include-private", is_flag=True, help="Also import private collèges (public only by default).")
@click.option("--schools-per-basin", type=click.IntRange(min=1), default=SCHOOLS_PER_BASIN, show_default=True,
              help="Size of the basins created by clustering communes.")
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
def import_national(file: Path, departments: tuple[str, ...], programme_id: int, include_private: bool,
                    schools_per_basin: int, dry_run: bool) -> None:
    """Import the collèges of some départements from the national file (docs/reference-data.md)."""
    with _programme_session(programme_id) as (session, programme):
        try:
            preview = national_preview(session, programme=programme, data=file.read_bytes(), filename=file.name,
                                       departments=departments, include_private=include_private,
                                       schools_per_basin=schools_per_basin, user_id=None)
        except TableError as error:
            _refuse(file.name, error.problems)
        _finish(session, programme, preview, dry_run)


@schools_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "programme_id", type=int, required=True, help="Programme id.")
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
def import_schools(file: Path, programme_id: int, dry_run: bool) -> None:
    """Import schools from a CSV or XLSX file keyed on UAI (columns in docs/reference-data.md)."""
    with _programme_session(programme_id) as (session, programme):
        try:
            preview = preview_import(session, programme=programme, table=SchoolTable(), data=file.read_bytes(),
                                     filename=file.name, user_id=None)
        except TableError as error:
            _refuse(file.name, error.problems)
        _finish(session, programme, preview, dry_run)
