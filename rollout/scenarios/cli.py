"""`rollout scenario list|create|add-edit|export|solve`: named what-ifs from the command line,
through the same domain functions (and audit trail, channel "cli") as the pages and the API.

A refused change exits 1 with one line per problem, naming the edit (`edits[2].wave`); nothing
is written. `export` writes the `rollout-scenario/1` file that `rollout plan` reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from sqlmodel import Session

from planner.documents import write_json
from rollout.models.base import INT32_MAX
from rollout.cli_support import choose_programme, command_session, programme_option, queue_or_solve, terminal_actor
from rollout.core.author import Author
from rollout.core.problems import InvalidChange
from rollout.models import Programme, Scenario
from rollout.planning.plans import PlanningError
from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT
from rollout.scenarios.records import add_edit, create_scenario, programme_scenarios, queue_scenario_plan, scenario_document


def _author() -> Author:
    return Author(actor=terminal_actor(), channel="cli")


def _scenario(session: Session, scenario_id: int) -> tuple[Programme, Scenario]:
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise click.ClickException(f"no scenario with id {scenario_id}")
    return session.get(Programme, scenario.programme_id), scenario


def _refused(session: Session, refused: InvalidChange | PlanningError) -> click.ClickException:
    session.rollback()
    return click.ClickException(str(refused))


def _json_value(text: str, what: str) -> Any:
    """A JSON value given inline, or read from a file when written `@FILE`."""
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise click.BadParameter(f"{text[1:]}: cannot be read ({error.strerror or error})", param_hint=what) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})", param_hint=what) from None


@click.group("scenario")
def scenario_cli() -> None:
    """A programme's named what-if scenarios: the programme's data with edits that never
    change it (docs/planning.md, "Scenarios and what-if")."""


@scenario_cli.command("list")
@programme_option
def list_command(programme_id: int | None) -> None:
    """The programme's scenarios: id, version, number of edits, name."""
    with command_session() as session:
        for scenario in programme_scenarios(session, choose_programme(session, programme_id)):
            click.echo(f"{scenario.id}\tv{scenario.version}\t{len(scenario.edits)} edits\t{scenario.name}")


@scenario_cli.command("create")
@programme_option
@click.option("--name", required=True, help="Name, unique in the programme.")
@click.option("--description", default=None)
@click.option("--edits", "edits_text", default="[]", show_default=True,
              help="The edits as a JSON list, or @FILE to read them from a file.")
def create_command(programme_id: int | None, name: str, description: str | None, edits_text: str) -> None:
    """Save a scenario: the programme's current data with EDITS applied."""
    edits = _json_value(edits_text, "--edits")
    if not isinstance(edits, list):
        raise click.BadParameter("expected a JSON list of edits", param_hint="--edits")
    with command_session() as session:
        programme = choose_programme(session, programme_id)
        try:
            scenario = create_scenario(session, programme=programme, name=name, edits=edits, author=_author(),
                                       description=description)
            session.commit()
        except InvalidChange as refused:
            raise _refused(session, refused) from None
        click.echo(f"scenario {scenario.id} created ({len(scenario.edits)} edits)")


@scenario_cli.command("add-edit")
@click.argument("scenario_id", type=int)
@click.argument("edit_text", metavar="EDIT")
@click.option("--version", type=click.IntRange(1, INT32_MAX), default=None,
              help="The version you read (`list`): refused if someone changed the scenario since. Default: the current one.")
def add_edit_command(scenario_id: int, edit_text: str, version: int | None) -> None:
    """Add EDIT (a JSON object such as '{"kind": "cascade", "trainer_lag": 0}', or @FILE) after
    the scenario's other edits."""
    edit = _json_value(edit_text, "EDIT")
    with command_session() as session:
        programme, scenario = _scenario(session, scenario_id)
        try:
            add_edit(session, programme=programme, scenario=scenario, version=scenario.version if version is None else version,
                     author=_author(), edit=edit)
            session.commit()
        except InvalidChange as refused:
            raise _refused(session, refused) from None
        click.echo(f"scenario {scenario.id}: {len(scenario.edits)} edits (version {scenario.version})")


@scenario_cli.command("export")
@click.argument("scenario_id", type=int)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The rollout-scenario/1 file to write (`rollout plan` reads it).")
def export_command(scenario_id: int, out_path: Path) -> None:
    """Write the scenario as rollout-scenario/1: the programme's current data with its edits."""
    with command_session() as session:
        programme, scenario = _scenario(session, scenario_id)
        try:
            document = scenario_document(session, programme, scenario)
        except InvalidChange as refused:
            raise _refused(session, refused) from None
    write_json(out_path, document)
    click.echo(f"{out_path}: scenario {scenario_id} ({len(document['schools'])} schools, {len(document['waves'])} waves)")


@scenario_cli.command("solve")
@click.argument("scenario_id", type=int)
@click.option("--name", required=True, help="The plan's name.")
@click.option("--time-limit", default=60.0, show_default=True, type=click.FloatRange(MIN_TIME_LIMIT, MAX_TIME_LIMIT),
              help="Seconds of solving.")
@click.option("--wait", is_flag=True, help="Solve here and now instead of handing the plan to `rollout worker`.")
def solve_command(scenario_id: int, name: str, time_limit: float, wait: bool) -> None:
    """Queue the solve of the scenario as it is now; the plan is kept with the programme's plans."""
    with command_session() as session:
        programme, scenario = _scenario(session, scenario_id)
        try:
            plan = queue_scenario_plan(session, programme=programme, scenario=scenario, name=name, time_limit=time_limit,
                                       author=_author())
            session.commit()
        except (InvalidChange, PlanningError) as refused:
            raise _refused(session, refused) from None
        queue_or_solve(session, plan, wait=wait, label="plan")
