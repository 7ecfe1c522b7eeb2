"""Plan comparison on hand-written plans whose figures are worked out by hand below."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from planner.checker import check_plan
from planner.cli import compare_command
from planner.compare import Usage, compare_plans
from tiny_scenarios import make_plan, make_scenario


def later_plan() -> dict[str, Any]:
    """A worse valid plan: B waits until W3. Objective 400×2 + 2×300×1 = 1400, bound 1000."""
    plan = make_plan()
    plan.update(status="FEASIBLE", objective=1400, bound=1000)
    plan["assignments"][1]["wave"] = "W3"
    plan["teacher_sessions"][1]["wave"] = "W3"
    return plan


def no_plan() -> dict[str, Any]:
    return {
        "format": "rollout-plan/1", "scenario": "checker", "status": "INFEASIBLE", "objective": None,
        "bound": None, "assignments": [], "teacher_sessions": [], "trainer_training": [],
        "leadership_training": [], "conflicts": [{"rule": "capacity", "message": "too few trainers"}],
    }


def table(comparison) -> dict[str, list[Any]]:
    return dict(comparison.rows())


def test_hand_written_plans_are_valid() -> None:
    assert check_plan(copy.deepcopy(make_scenario()), later_plan()) == []


def test_the_figures_of_each_plan_are_right() -> None:
    rows = table(compare_plans(make_scenario(), [make_plan(), later_plan(), no_plan()], names=["a", "b", "c"]))

    assert rows["status"] == ["OPTIMAL", "FEASIBLE", "INFEASIBLE"]
    assert rows["objective"] == [1000, 1400, None]
    assert rows["gap"] == [0.0, 400 / 1400, None]
    assert [rows[f"schools in W{n}"] for n in (1, 2, 3)] == [[1, 1, 0], [2, 1, 0], [0, 1, 0]]
    assert [rows[f"pupils live after W{n}"] for n in (1, 2, 3)] == [[500, 500, 0], [1200, 800, 0], [1200, 1200, 0]]
    # Capacity over the three waves: AT-1 2×3 + AT-2 3×3 = 15 academic; V-1 2+2+0 = 4 vendor.
    assert rows["trainer utilisation (academic)"] == [Usage(5, 15), Usage(5, 15), Usage(0, 15)]
    assert rows["trainer utilisation (vendor)"] == [Usage(3, 4), Usage(3, 4), Usage(0, 4)]
    assert rows["trainer utilisation (all)"] == [Usage(8, 19), Usage(8, 19), Usage(0, 19)]
    assert rows["vendor sessions: trainer training"] == [1, 1, 0]
    assert rows["vendor sessions: leadership"] == [2, 2, 0]


def test_without_a_scenario_only_the_plans_own_figures_are_compared() -> None:
    rows = table(compare_plans(None, [make_plan(), later_plan()]))

    assert rows["schools in W3"] == [0, 1]
    assert not any(label.startswith(("pupils", "trainer utilisation")) for label in rows)


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def run(tmp_path: Path, *options: str, plans: dict[str, Any] | None = None) -> Any:
    plans = plans or {"fast.json": make_plan(), "slow.json": later_plan()}
    paths = [write(tmp_path, name, plan) for name, plan in plans.items()]
    scenario = ["--scenario", write(tmp_path, "scenario.json", make_scenario())]
    return CliRunner().invoke(compare_command, [*paths, *scenario, *options])


def test_text_output_has_a_column_per_plan_named_by_its_file(tmp_path: Path) -> None:
    result = run(tmp_path)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["fast", "slow"]
    assert next(line for line in lines if line.startswith("pupils live after W2")).split()[-2:] == ["1,200", "800"]
    assert next(line for line in lines if line.startswith("gap")).split()[-2:] == ["0.00%", "28.57%"]
    assert next(line for line in lines if "utilisation (vendor)" in line).endswith("3/4 (75%)")


def test_csv_output_reads_back_with_raw_numbers(tmp_path: Path) -> None:
    result = run(tmp_path, "--format", "csv")

    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["metric", "fast", "slow"]
    assert ["objective", "1000", "1400"] in rows
    assert ["pupils live after W2", "1200", "800"] in rows


def test_json_output_gives_structured_figures(tmp_path: Path) -> None:
    document = json.loads(run(tmp_path, "--format", "json").output)

    slow = document["plans"][1]
    assert document["waves"] == ["W1", "W2", "W3"]
    assert (slow["name"], slow["objective"], slow["pupils_live_after"]["W2"]) == ("slow", 1400, 800)
    assert slow["utilisation"]["academic"] == {"sessions": 5, "capacity": 15}
    assert slow["vendor_sessions"] == {"trainer_training": 1, "leadership": 2}


def test_a_plan_that_does_not_fit_the_scenario_is_refused(tmp_path: Path) -> None:
    broken = later_plan()
    broken["assignments"][1]["wave"] = "W1"

    result = run(tmp_path, plans={"fast.json": make_plan(), "broken.json": broken})

    assert result.exit_code == 2
    assert "broken.json: does not fit the scenario" in result.output
    assert "Traceback" not in result.output


def test_a_plan_of_another_scenario_name_is_pointed_out(tmp_path: Path) -> None:
    renamed = make_plan() | {"scenario": "old name"}

    result = run(tmp_path, plans={"fast.json": renamed, "slow.json": later_plan()})

    assert result.exit_code == 0
    assert "made for scenario 'old name', not 'checker'" in result.output
