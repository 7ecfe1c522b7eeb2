"""`rollout schools import-national` and `rollout schools import`: the import pipeline from
the command line, so a district's schools can be loaded without the web pages.

Exit codes: 0 imported (or previewed, with --dry-run), 2 when the file is invalid (every
problem on stderr, nothing written).
"""

from __future__ import annotations

from pathlib import Path

import click

from rollout.cli_support import import_command, run_import
from rollout.schools.national import SCHOOLS_PER_BASIN, NationalSchoolTable
from rollout.schools.table import SchoolTable


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
    importer = NationalSchoolTable(departments=departments, include_private=include_private,
                                   schools_per_basin=schools_per_basin)
    run_import(importer, file, programme_id=programme_id, dry_run=dry_run)


schools_cli.add_command(import_command(
    SchoolTable, "Import schools from a CSV or XLSX file keyed on UAI (columns in docs/reference-data.md)."))
