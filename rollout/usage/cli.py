"""`rollout usage import` and `rollout usage report`: thin wrappers over the import and report functions.

Exit codes follow the usage contract: 0 when the file is imported (or would be, with
--dry-run), 2 when it is invalid, with every problem listed on stderr and nothing written.
"""

from __future__ import annotations


import click

from rollout.cli_support import choose_programme, command_session, import_command, programme_option
from rollout.usage.table import UsageTable
from rollout.usage.report import FORMATS, GROUPINGS, parse_bound, report_csv, report_json, usage_report


@click.group("usage")
def usage_cli() -> None:
    """Usage statistics: import exports of the platform, report pedagogical use and adoption."""


usage_cli.add_command(import_command(
    UsageTable, "Import a usage file (CSV or XLSX, see docs/usage.md): all rows or none."))


@usage_cli.command("report")
@click.option("--by", type=click.Choice(GROUPINGS), default="school", show_default=True)
@click.option("--from", "start", default=None, help="First day (YYYY-MM-DD, or YYYY-MM for its first day).")
@click.option("--to", "end", default=None, help="Last day (YYYY-MM-DD, or YYYY-MM for its last day).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), required=True)
@programme_option
def report_command(by: str, start: str | None, end: str | None, output_format: str, programme_id: int | None) -> None:
    """Print visits, pedagogical share and adoption per school, month or category."""
    try:
        first = parse_bound(start, end=False) if start else None
        last = parse_bound(end, end=True) if end else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        rows = usage_report(session, programme_id=programme.id, by=by, start=first, end=last)
    render = report_csv if output_format == "csv" else report_json
    click.echo(render(rows, by=by), nl=output_format == "json")

