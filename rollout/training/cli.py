"""`rollout training import FILE [--kind …] [--dry-run]`: the training contract's files, all
rows or none, exit 0 with counts, 2 with every problem and nothing written.

The kinds are those of `rollout.training.record_imports.RECORD_IMPORTERS` (an import registered
there is offered and detected here). Without `--kind`, the kind is the one whose required
columns a header row among the first rows has: the contract's files differ enough for one to
match.
"""

from __future__ import annotations

from datetime import date
from itertools import islice
from pathlib import Path

import click

from rollout.cli_support import choose_programme, command_session, exit_invalid, terminal_actor
from rollout.core.author import Author
from rollout.core.problems import Problem
from rollout.imports.tabular import HEADER_SEARCH_ROWS, TableError, raw_rows
from rollout.training.record_imports import RECORD_IMPORTERS, run_import

KINDS = RECORD_IMPORTERS


def detect_kind(data: bytes, filename: str) -> str:
    """The kind whose required columns are all in one of the file's first rows; TableError
    (asking for `--kind`) when none or several are."""
    headers = {kind: [column for column in importer().header() if column.required] for kind, importer in KINDS.items()}
    every_column = [column for importer in KINDS.values() for column in importer().header()]
    filled = (row for _, row in raw_rows(data, filename, every_column) if any(map(str.strip, row)))
    rows = list(islice(filled, HEADER_SEARCH_ROWS))
    found = [kind for kind, required in headers.items()
             if any(all(any(column.matches(cell) for cell in row) for column in required) for row in rows)]
    if len(found) == 1:
        return found[0]
    raise TableError(filename, [Problem("training_kind_unknown", params={"kinds": ", ".join(found or sorted(KINDS))})])


@click.group("training")
def training_cli() -> None:
    """Training delivery: import sessions, M@gistère exports and Pix+ Édu certifications."""


@training_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None,
              help="The file's kind (detected from its header when left out).")
@click.option("--dry-run", is_flag=True, help="Preview and count, write nothing.")
@click.option("--programme", "programme_id", type=int, default=None, help="Programme id (optional with one programme).")
def import_command(file: Path, kind: str | None, dry_run: bool, programme_id: int | None) -> None:
    """Import a training file (CSV or XLSX, see docs/training.md): all rows or none."""
    data = file.read_bytes()
    try:
        kind = kind or detect_kind(data, file.name)
    except TableError as error:
        exit_invalid(file.name, error.problems, nothing="imported")
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        try:
            preview, written = run_import(session, kind=kind, programme=programme, data=data, filename=file.name,
                                          author=Author(actor=terminal_actor(), channel="cli"), today=date.today(),
                                          dry_run=dry_run)
        except TableError as error:
            session.rollback()
            exit_invalid(file.name, error.problems, nothing="imported")
        if written is None:
            session.rollback()
        else:
            session.commit()
    for note in preview.notes:
        click.echo(note)
    if preview.ignored_columns:
        click.echo("columns ignored: " + ", ".join(preview.ignored_columns))
    counts = written or preview.counts
    rows = sum(counts.values())
    verb = "imported" if written is not None else "would import"
    line = (f"{file.name} ({kind}): {verb} {rows} row{'' if rows == 1 else 's'}: {counts['new']} new, "
            f"{counts['changed']} replaced, {counts['unchanged']} unchanged")
    if not counts["new"] and not counts["changed"]:
        line += " (nothing changed: every row is already stored)"
    click.echo(line)
