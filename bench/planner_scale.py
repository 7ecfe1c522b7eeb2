"""Planner benchmark of issue #3: how fast, how good and how big, from one département to France.

Run from the repository root:

    .venv/bin/python -m bench.planner_scale            # the issue's time limits, ~9 minutes
    .venv/bin/python -m bench.planner_scale --quick    # shorter limits, ~2 minutes
    .venv/bin/python -m bench.planner_scale --only 093 --only creteil

Each solve runs in its own child process, because CP-SAT allocates outside Python's heap:
only the child's peak resident set size (`ru_maxrss`) measures the memory a user needs. The
parent checks every plan with `planner.checker` (which shares no code with the model) and
runs the greedy baseline on the same scenario, so the table shows what optimisation buys.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.scenarios import SPECS, build_scenario
from planner.checker import check_plan
from planner.greedy import greedy_plan

QUICK_LIMITS = {"093": 5.0, "creteil": 15.0, "idf": 15.0, "france": 60.0}
WORKERS = 2


@dataclass
class Run:
    """One benchmark row: the solve measured in the child, the checks made in the parent."""

    key: str
    schools: int
    time_limit: float
    status: str
    objective: float | None
    bound: float | None
    first_plan_s: float | None
    best_plan_s: float | None
    wall_s: float
    peak_mib: float
    greedy_objective: float | None
    violations: int

    @property
    def gap(self) -> float | None:
        """Relative distance to the proven bound, the quantity the issue's targets name."""
        if self.objective is None or self.bound is None or self.objective == 0:
            return None
        return (self.objective - self.bound) / self.objective

    @property
    def versus_greedy(self) -> float | None:
        if self.objective is None or not self.greedy_objective:
            return None
        return self.objective / self.greedy_objective


def solve_in_child(key: str, time_limit: float, plan_path: Path) -> dict[str, Any]:
    """The child's side: build, solve, write the plan, report timings and peak memory."""
    from planner import solve

    scenario = build_scenario(key)
    started = time.monotonic()
    arrivals: list[float] = []
    result = solve(
        scenario, time_limit=time_limit, workers=WORKERS,
        progress=lambda _progress: arrivals.append(time.monotonic() - started),
    )
    wall = time.monotonic() - started
    plan_path.write_text(json.dumps(result.to_json()), encoding="utf-8")
    return {
        "first_plan_s": arrivals[0] if arrivals else None,
        "best_plan_s": arrivals[-1] if arrivals else None,
        "wall_s": wall,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(key: str, time_limit: float) -> Run:
    """Solve benchmark `key` in a child process, then check its plan and run the greedy here."""
    with tempfile.TemporaryDirectory() as tmp:
        plan_path = Path(tmp) / "plan.json"
        child = subprocess.run(
            [sys.executable, "-m", "bench.planner_scale", "--child", key,
             "--time-limit", str(time_limit), "--plan", str(plan_path)],
            check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
        )
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
    scenario = build_scenario(key)
    violations = check_plan(scenario, plan)
    for violation in violations[:10]:
        print(f"  {key}: {violation}", file=sys.stderr)
    greedy = greedy_plan(scenario)
    return Run(
        key=key, schools=len(scenario["schools"]), time_limit=time_limit, status=plan["status"],
        objective=plan["objective"], bound=plan["bound"], greedy_objective=greedy and greedy["objective"],
        violations=len(violations), **measured,
    )


def table(runs: list[Run]) -> str:
    """The results as a Markdown table, the form `docs/benchmarks.md` quotes."""
    def number(value: float | None, template: str) -> str:
        return "–" if value is None else template.format(value)

    lines = [
        "| scenario | schools | limit s | status | first plan s | last improvement s | wall s "
        "| objective | bound | gap | greedy | planner/greedy | peak MiB | violations | target |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.key} | {r.schools} | {r.time_limit:g} | {r.status} | {number(r.first_plan_s, '{:.1f}')} "
            f"| {number(r.best_plan_s, '{:.1f}')} | {r.wall_s:.1f} | {number(r.objective, '{:,.1f}')} "
            f"| {number(r.bound, '{:,.1f}')} | {number(r.gap, '{:.3%}')} | {number(r.greedy_objective, '{:,.1f}')} "
            f"| {number(r.versus_greedy, '{:.3f}')} | {r.peak_mib:,.0f} | {r.violations} | {SPECS[r.key].target} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter time limits, for a smoke run")
    parser.add_argument("--only", action="append", choices=list(SPECS), help="run only these scenarios")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this file")
    parser.add_argument("--child", choices=list(SPECS), help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(solve_in_child(args.child, args.time_limit, args.plan)))
        return 0
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs", flush=True)
    runs = []
    for key in args.only or list(SPECS):
        limit = QUICK_LIMITS[key] if args.quick else SPECS[key].time_limit
        print(f"{key}: solving with {WORKERS} workers, limit {limit:g} s …", flush=True)
        runs.append(run(key, limit))
    print(table(runs))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2), encoding="utf-8")
    return 1 if any(r.violations for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
