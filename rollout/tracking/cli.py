"""`rollout progress import` and `rollout progress baseline`: thin wrappers over the upload and
schedule functions, for scripted updates and for plans adopted outside the web pages.

`import` exits 0 when the file is applied (or would be, with --dry-run) and 2 when it is
invalid, with every invalid row on stderr and nothing written, like `rollout usage import`.
"""

from __future__ import annotations


import click

from rollout.cli_support import choose_programme, command_session, import_command, programme_option, terminal_actor
from rollout.core.author import Author
from rollout.tracking.schedule import apply_baseline, baseline
from rollout.tracking.table import ProgressTable


def _author() -> Author:
    return Author(actor=terminal_actor(), channel="cli")


@click.group("progress")
def progress_cli() -> None:
    """Progress per school: bulk updates and planned dates from the baseline."""


progress_cli.add_command(import_command(
    ProgressTable, "Apply a progress file (CSV or XLSX, see docs/tracking.md): all rows or none."))


@progress_cli.command("baseline")
@programme_option
def baseline_command(programme_id: int | None) -> None:
    """Set every milestone's planned date from the adopted plan (creating missing milestones)."""
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        plan = baseline(session, programme)
        if plan is None:
            raise click.ClickException(f"programme {programme.name!r} has no adopted plan")
        changed = apply_baseline(session, programme=programme, plan=plan, author=_author())
        session.commit()
    click.echo(f"{changed} milestone(s) created or re-planned from {plan.name!r}")
