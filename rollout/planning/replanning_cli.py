"""`rollout replan`: re-plan a programme's baseline from the tracker's records, as the plans
page's "re-plan from today" does. (`rollout plan replan` is the file-based tool: scenario,
plan and progress document in, plan out, no database.)"""

from __future__ import annotations

from datetime import date, datetime

import click

from rollout.cli_support import choose_programme, command_session, programme_option, queue_or_solve, terminal_actor
from rollout.core.author import Author
from rollout.planning.plans import PlanningError
from rollout.planning.replanning import queue_replan
from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT


@click.command("replan")
@programme_option
@click.option("--name", required=True, help="The re-plan's name.")
@click.option("--time-limit", default=60.0, show_default=True, type=click.FloatRange(MIN_TIME_LIMIT, MAX_TIME_LIMIT),
              help="Seconds of solving.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the records describe (default: today).")
@click.option("--wait", is_flag=True, help="Solve here and now instead of handing the re-plan to `rollout worker`.")
def replan_cli(programme_id: int | None, name: str, time_limit: float, as_of: datetime | None, wait: bool) -> None:
    """Re-plan the baseline from today's records: schools live or in progress and trainers
    already trained are kept, the waves not begun are planned again (docs/replanning.md)."""
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        try:
            plan = queue_replan(session, programme=programme, name=name, time_limit=time_limit,
                                author=Author(actor=terminal_actor(), channel="cli"),
                                as_of=as_of.date() if as_of else date.today())
        except PlanningError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
        for note in plan.scenario["replanning"]["notes"]:
            click.echo(f"note: {note}", err=True)
        queue_or_solve(session, plan, wait=wait, label="re-plan")
