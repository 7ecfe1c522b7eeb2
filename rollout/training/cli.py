"""`rollout training import FILE [--kind …] [--dry-run]`: the training contract's files through
the import pipeline (`rollout.training.record_imports.import_training_file`), all rows or none,
exit 0 with counts (and the import batch written), 2 with every problem and nothing written.

The kinds are those of `rollout.training.record_imports.RECORD_IMPORTERS`; without `--kind`, the
kind is detected from the file's header (`detect_kind`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from rollout.cli_support import choose_programme, command_session, exit_invalid, terminal_actor
from rollout.core.author import Author
from rollout.imports.tabular import TableError
from rollout.training.record_imports import RECORD_IMPORTERS, detect_kind, import_training_file

KINDS = RECORD_IMPORTERS


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
            preview, batch = import_training_file(
                session, importer=RECORD_IMPORTERS[kind](), programme=programme, data=data, filename=file.name,
                author=Author(actor=terminal_actor(), channel="cli"), today=date.today(), dry_run=dry_run)
        except TableError as error:
            session.rollback()
            exit_invalid(file.name, error.problems, nothing="imported")
        if batch is None:
            session.rollback()
        else:
            session.commit()
    for note in preview.notes:
        click.echo(note)
    if preview.ignored_columns:
        click.echo("columns ignored: " + ", ".join(preview.ignored_columns))
    counts = preview.counts if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced,
                                                   "unchanged": batch.rows_unchanged}
    rows = sum(counts.values())
    line = (f"{file.name} ({kind}): {'would import' if dry_run else 'imported'} {rows} row{'' if rows == 1 else 's'}: "
            f"{counts['new']} new, {counts['changed']} replaced, {counts['unchanged']} unchanged")
    if batch is not None:
        line += f" (import batch {batch.id})"
    elif not counts["new"] and not counts["changed"]:
        line += " (nothing changed: every row is already stored, nothing written)"
    click.echo(line)
