"""`rollout plan`: solve a scenario file into a plan file, as the contract's command line says.

`rollout plan SCENARIO.json --out PLAN.json` solves; `rollout plan compare|export|replan ...` run
the other plan tools. The group dispatches to its default `solve` command whenever the first
argument is not a subcommand name, so the contract's short form keeps working as tools are added.

Exit codes: 0 a plan was written; 2 the scenario is invalid (nothing written); 3 no plan
(INFEASIBLE: the plan with its conflicts is written; UNKNOWN: the time ran out first).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click

from planner.compare import compare_command
from planner.export import export_command
from planner.plan import PLANNED, PlanResult, Progress
from planner.replan import replan_command
from planner.scenario import ScenarioError, validate_scenario
from planner.solve import solve

logger = logging.getLogger(__name__)

EXIT_INVALID = 2
EXIT_NO_PLAN = 3
DEFAULT_COMMAND = "solve"


class DefaultCommandGroup(click.Group):
    """A group that runs its default command when the first argument names no subcommand."""

    def __init__(self, *args: Any, default_command: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group("plan", cls=DefaultCommandGroup, default_command=DEFAULT_COMMAND)
def plan_cli() -> None:
    """Plan the rollout: `rollout plan SCENARIO.json --out PLAN.json`, or a subcommand below."""


@plan_cli.command(DEFAULT_COMMAND)
@click.argument("scenario_path", metavar="SCENARIO.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the plan (rollout-plan/1).")
@click.option("--time-limit", default=60.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds of search (work units with --deterministic).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1), help="Parallel search workers.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed of the search.")
@click.option("--deterministic", is_flag=True, help="Same scenario, seed and workers give the same plan, byte for byte.")
def solve_command(
    scenario_path: Path, out_path: Path, time_limit: float, workers: int, seed: int, deterministic: bool
) -> None:
    """Solve SCENARIO.json and write the plan to --out."""
    try:
        scenario = validate_scenario(_read_scenario(scenario_path), source=str(scenario_path))
    except ScenarioError as error:
        _invalid(str(error))
    result = solve(
        scenario,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=_print_progress,
    )
    try:
        _write_plan(out_path, result)
    except OSError as error:
        click.echo(f"{out_path}: cannot write the plan ({error.strerror or error})", err=True)
        raise SystemExit(1) from None
    click.echo(_summary(result, out_path))
    for conflict in result.conflicts:
        click.echo(f"  conflict ({conflict.rule}): {conflict.message}", err=True)
        if conflict.relax:
            click.echo(f"    to relax: {conflict.relax}", err=True)
    if result.status not in PLANNED:
        raise SystemExit(EXIT_NO_PLAN)


def _read_scenario(path: Path) -> Any:
    """The JSON of a scenario file; unreadable or malformed files are invalid scenarios (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _invalid(f"{path}: cannot be read ({error.__class__.__name__}: {error})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        _invalid(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})")


def _invalid(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(EXIT_INVALID)


def _print_progress(progress: Progress) -> None:
    gap = max(0.0, progress.objective - progress.bound) / max(1.0, abs(progress.objective))
    click.echo(
        f"plan: objective {progress.objective:,.1f}, bound {progress.bound:,.1f} "
        f"(gap {gap:.2%}) after {progress.elapsed:.1f} s",
        err=True,
    )


def _write_plan(path: Path, result: PlanResult) -> None:
    """Write the plan atomically, so that a crash never leaves half a plan behind."""
    text = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    directory = path.parent if str(path.parent) else Path(".")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, path)


def _summary(result: PlanResult, out_path: Path) -> str:
    if result.objective is None:
        return f"{result.status}: no plan ({len(result.conflicts)} conflict(s)); written to {out_path}"
    return (
        f"{result.status}: objective {result.objective:,.1f}, bound {result.bound:,.1f}, "
        f"{len(result.assignments)} schools planned; written to {out_path}"
    )


for _command in (compare_command, export_command, replan_command):
    plan_cli.add_command(_command)
