"""`rollout plan`: the planner's command line, a thin layer over the plain functions it runs.

`rollout plan SCENARIO.json --out PLAN.json` solves, as the contract's command line says;
`rollout plan compare|export|replan ...` run the other plan tools (`planner.compare`,
`planner.export`, `planner.replan`). The group dispatches to its default `solve` command whenever
the first argument is not a subcommand name, so the contract's short form keeps working as
tools are added.

Every command fails the same way on bad input: one line per problem naming the file, exit
code 2, nothing written. `solve` and `replan` exit with 3 when there is no plan (INFEASIBLE:
the plan with its conflicts is written; UNKNOWN: the time ran out first).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from planner.compare import compare_plans
from planner.documents import InputError, load_plan, load_scenario, read_json, read_plan, write_json
from planner.export import calendar_file_name, plan_to_csv, plan_to_icalendar
from planner.plan import PLANNED, PlanResult, Progress, relative_gap
from planner.progress import ProgressError
from planner.replan import PlanInputError, prepare_replanning
from planner.scenario import ScenarioError, validate_scenario
from planner.solve import solve

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
        _fail(str(error))
    result = solve(
        scenario,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=_print_progress,
    )
    try:
        write_json(out_path, result.to_json())
    except OSError as error:
        click.echo(f"{out_path}: cannot write the plan ({error.strerror or error})", err=True)
        raise SystemExit(1) from None
    click.echo(_summary(result, out_path))
    _print_conflicts(result)
    if result.status not in PLANNED:
        raise SystemExit(EXIT_NO_PLAN)


@plan_cli.command("compare")
@click.argument("plan_paths", metavar="PLAN.json...", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The scenario of the plans: adds pupils live per wave and trainer utilisation.",
)
@click.option("--format", "output_format", type=click.Choice(("text", "json", "csv")), default="text", show_default=True)
def compare_command(plan_paths: tuple[Path, ...], scenario_path: Path | None, output_format: str) -> None:
    """Compare plans side by side, one column per plan, named by its file name."""
    try:
        scenario = load_scenario(scenario_path) if scenario_path else None
        plans = [load_plan(path, scenario) if scenario else read_plan(path) for path in plan_paths]
    except InputError as error:
        _fail(str(error))
    if scenario is not None:
        for path, plan in zip(plan_paths, plans):
            if plan.get("scenario") != scenario.get("name"):
                click.echo(
                    f"note: {path} was made for scenario {plan.get('scenario')!r}, "
                    f"not {scenario.get('name')!r}; it fits it all the same",
                    err=True,
                )
    comparison = compare_plans(scenario, plans, names=_column_names(plan_paths))
    if output_format == "json":
        click.echo(json.dumps(comparison.to_json(), ensure_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(comparison.to_csv(), nl=False)
    else:
        click.echo(comparison.to_text(), nl=False)
        if scenario is None:
            click.echo("(pupils live and trainer utilisation need --scenario SCENARIO.json)")


@plan_cli.command("export")
@click.argument("scenario_path", metavar="SCENARIO.json", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("plan_path", metavar="PLAN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the school table here.")
@click.option("--excel", is_flag=True, help="CSV for French Excel: UTF-8 with BOM and ';' separators.")
@click.option(
    "--ical-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one TRAINER.ics calendar per trainer in this directory (created if needed).",
)
def export_command(
    scenario_path: Path, plan_path: Path, csv_path: Path | None, excel: bool, ical_dir: Path | None
) -> None:
    """Export a plan as a CSV table of schools and/or one iCalendar file per trainer."""
    if csv_path is None and ical_dir is None:
        _fail("nothing to export: give --csv OUT.csv and/or --ical-dir DIR")
    try:
        scenario = load_scenario(scenario_path)
        plan = load_plan(plan_path, scenario)
    except InputError as error:
        _fail(str(error))
    if plan["status"] not in PLANNED:
        _fail(f"{plan_path}: has no plan to export (status {plan['status']})")
    files = {calendar_file_name(trainer["id"]): trainer["id"] for trainer in scenario["trainers"]}
    if ical_dir is not None and len(files) < len(scenario["trainers"]):
        _fail(f"{scenario_path}: two trainer ids give the same calendar file name; rename one of them")
    if csv_path is not None:
        csv_path.write_bytes(plan_to_csv(scenario, plan, excel=excel).encode("utf-8"))
    if ical_dir is not None:
        ical_dir.mkdir(parents=True, exist_ok=True)
        for file_name, trainer_id in files.items():
            (ical_dir / file_name).write_bytes(plan_to_icalendar(scenario, plan, trainer_id).encode("utf-8"))


@plan_cli.command("replan")
@click.argument("scenario_path", metavar="SCENARIO.json", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("plan_path", metavar="PLAN.json", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("progress_path", metavar="PROGRESS.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="New plan.")
@click.option(
    "--scenario-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the new scenario (what the new plan is valid for).",
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--deterministic", is_flag=True, help="Same inputs, seed and workers give the same plan, byte for byte.")
def replan_command(
    scenario_path: Path,
    plan_path: Path,
    progress_path: Path,
    out_path: Path,
    scenario_out: Path | None,
    time_limit: float,
    workers: int,
    seed: int,
    deterministic: bool,
) -> None:
    """Re-plan from PROGRESS.json (rollout-progress/1): keep what has happened, plan the rest.

    Exit 0: plan written; 2: invalid input, nothing written; 3: no plan (INFEASIBLE, with its
    conflicts, or UNKNOWN), the plan file is written all the same.
    """
    try:
        scenario = load_scenario(scenario_path)
        replanning = prepare_replanning(scenario, read_json(plan_path), read_json(progress_path))
    except InputError as error:
        _fail(str(error))
    except PlanInputError as error:
        _fail("\n".join(f"{plan_path}: {problem}" for problem in error.problems))
    except ProgressError as error:
        _fail("\n".join(f"{progress_path}: {problem}" for problem in error.problems))
    for note in replanning.notes:
        click.echo(f"note: {note}", err=True)
    result = replanning.combine(
        solve(
            replanning.future, time_limit=time_limit, workers=workers, seed=seed, deterministic=deterministic
        )
    )
    write_json(out_path, result.to_json())
    if scenario_out is not None:
        write_json(scenario_out, replanning.scenario)
    if result.status not in PLANNED:
        _print_conflicts(result)
        _fail(f"{result.status}: no plan for what remains; {out_path} says why", EXIT_NO_PLAN)
    click.echo(f"{result.status}: objective {result.objective:,.1f}, bound {result.bound:,.1f}; plan written to {out_path}")


def _fail(message: str, exit_code: int = EXIT_INVALID) -> NoReturn:
    """End a command with a message on stderr and the contract's exit code, never a traceback."""
    click.echo(message, err=True)
    raise click.exceptions.Exit(exit_code)


def _read_scenario(path: Path) -> Any:
    """The JSON of a scenario file; unreadable or malformed files are invalid scenarios (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"{path}: cannot be read ({error.__class__.__name__}: {error})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        _fail(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})")


def _print_progress(progress: Progress) -> None:
    gap = relative_gap(progress.objective, progress.bound)
    click.echo(
        f"plan: objective {progress.objective:,.1f}, bound {progress.bound:,.1f} "
        f"(gap {gap:.2%}) after {progress.elapsed:.1f} s",
        err=True,
    )


def _print_conflicts(result: PlanResult) -> None:
    """Each conflict of a plan that could not be found, and how to relax it when known."""
    for conflict in result.conflicts:
        click.echo(f"  conflict ({conflict.rule}): {conflict.message}", err=True)
        if conflict.relax:
            click.echo(f"    to relax: {conflict.relax}", err=True)


def _summary(result: PlanResult, out_path: Path) -> str:
    if result.objective is None:
        return f"{result.status}: no plan ({len(result.conflicts)} conflict(s)); written to {out_path}"
    return (
        f"{result.status}: objective {result.objective:,.1f}, bound {result.bound:,.1f}, "
        f"{len(result.assignments)} schools planned; written to {out_path}"
    )


def _column_names(paths: tuple[Path, ...]) -> list[str]:
    """File stems, or the paths themselves when two files share a stem (a/plan.json, b/plan.json)."""
    stems = [path.stem for path in paths]
    return stems if len(set(stems)) == len(stems) else [str(path) for path in paths]
