"""`rollout plan`: exit codes, messages and files as the contract's command line promises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planner.cli import plan_cli
from scenario_builders import assert_valid, scenario, school, seine_saint_denis, trainer, vendor


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(*args: str):
    return CliRunner().invoke(plan_cli, list(args))


def test_a_plan_is_written_and_the_exit_code_is_0(tmp_path: Path) -> None:
    data = scenario()
    out = tmp_path / "plan.json"
    result = _run(str(_write(tmp_path / "s.json", data)), "--out", str(out), "--time-limit", "5")
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["format"] == "rollout-plan/1" and plan["status"] == "OPTIMAL"
    assert_valid(data, plan)
    assert "OPTIMAL" in result.stdout
    assert "plan: objective" in result.stderr, "one progress line per improving plan"


def test_an_invalid_scenario_exits_2_naming_file_entry_and_field(tmp_path: Path) -> None:
    source = _write(tmp_path / "district.json", scenario(schools=[school(1), school(2, uai="0931234Q")]))
    out = tmp_path / "plan.json"
    result = _run(str(source), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{source}: schools[1].uai: '0931234Q' has a wrong check letter (expected L)"
    assert not out.exists()


@pytest.mark.parametrize(
    "content, expected",
    [("{\"format\": ", "not valid JSON (line 1, column 12"), ("[]", "expected a JSON object, got a list")],
)
def test_a_malformed_file_exits_2_without_a_traceback(tmp_path: Path, content: str, expected: str) -> None:
    source = tmp_path / "broken.json"
    source.write_text(content, encoding="utf-8")
    result = _run(str(source), "--out", str(tmp_path / "plan.json"))
    assert result.exit_code == 2
    assert expected in result.stderr and str(source) in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "plan.json").exists()


def test_a_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "nowhere.json"), "--out", str(tmp_path / "plan.json"))
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"{tmp_path / 'nowhere.json'}: cannot be read")


def test_an_infeasible_scenario_exits_3_and_writes_its_conflicts(tmp_path: Path) -> None:
    data = scenario(schools=[school(1), school(2, basin="Sud")], trainers=[trainer("AT-1"), vendor()])
    out = tmp_path / "plan.json"
    result = _run(str(_write(tmp_path / "s.json", data)), "--out", str(out), "--time-limit", "5")
    assert result.exit_code == 3
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["status"] == "INFEASIBLE" and plan["conflicts"]
    assert "no academic trainer serves basin Sud" in result.stderr


def test_an_unwritable_output_is_one_line_and_exit_1(tmp_path: Path) -> None:
    source = _write(tmp_path / "s.json", scenario())
    result = _run(str(source), "--out", str(tmp_path / "missing-dir" / "plan.json"), "--time-limit", "5")
    assert result.exit_code == 1
    assert "cannot write the plan" in result.stderr and "Traceback" not in result.output


def test_deterministic_runs_write_identical_files(tmp_path: Path) -> None:
    source = _write(tmp_path / "district.json", seine_saint_denis())
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"plan-{n}.json"
        args = (str(source), "--out", str(out), "--deterministic", "--time-limit", "5", "--workers", "2", "--seed", "7")
        assert _run(*args).exit_code == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_the_solve_command_can_also_be_named(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = _run("solve", str(_write(tmp_path / "s.json", scenario())), "--out", str(out), "--time-limit", "5")
    assert result.exit_code == 0 and out.exists()


def test_subcommands_are_dispatched_not_taken_for_scenarios() -> None:
    result = _run("export", "--help")
    assert result.exit_code == 0
    assert "SCENARIO.json PLAN.json" in result.output


def test_the_group_help_lists_the_commands() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    assert all(name in result.output for name in ("solve", "compare", "export", "replan"))
