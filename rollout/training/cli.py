"""`rollout training import FILE [--kind …] [--dry-run]`: the training contract's files through
the import pipeline, reported as every `… import` command reports (`rollout.cli_support.run_import`):
all rows or none, exit 0 with counts (and the import batch written; nothing written for a file
that changes nothing), 2 with every problem and nothing written.

The kinds are those of `rollout.training.record_imports.RECORD_IMPORTERS`; without `--kind`, the
kind is detected from the file's header (`importer_from_header`) and named in the report.
"""

from __future__ import annotations

from pathlib import Path

import click

from rollout.cli_support import programme_option, run_import
from rollout.training.record_imports import RECORD_IMPORTERS, importer_from_header

KINDS = RECORD_IMPORTERS


@click.group("training")
def training_cli() -> None:
    """Training delivery: import sessions, M@gistère exports and Pix+ Édu certifications."""


@training_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None,
              help="The file's kind (detected from its header when left out).")
@click.option("--dry-run", is_flag=True, help="Preview and count, write nothing.")
@programme_option
def import_command(file: Path, kind: str | None, dry_run: bool, programme_id: int | None) -> None:
    """Import a training file (CSV or XLSX, see docs/training.md): all rows or none."""
    run_import(KINDS[kind]() if kind else importer_from_header, file, programme_id=programme_id, dry_run=dry_run)
