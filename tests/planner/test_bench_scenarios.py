"""The benchmark scenarios are valid contract documents of the sizes the issue names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.planner_scale import run  # noqa: E402
from bench.scenarios import SPECS, build_scenario  # noqa: E402
from planner.scenario import validate_scenario  # noqa: E402
from rollout.colleges.national_file import public_colleges  # noqa: E402

EXPECTED_SCHOOLS = {"093": 130, "creteil": 362, "idf": 902, "france": 5287}
EXPECTED_WAVES = {"093": 6, "creteil": 8, "idf": 8, "france": 10}
# Proven optimal once by CP-SAT and the best plan of every run (docs/benchmarks.md): a plan
# below it would mean the model lets an invalid plan through.
SEINE_SAINT_DENIS_OPTIMUM = 174_366.0


@pytest.mark.parametrize("key", list(SPECS))
def test_benchmark_scenario_is_valid_and_full_size(key: str) -> None:
    scenario = build_scenario(key)
    validated = validate_scenario(scenario)
    assert len(validated.schools) == EXPECTED_SCHOOLS[key]
    assert len(validated.waves) == EXPECTED_WAVES[key]


def test_benchmark_scenarios_are_deterministic() -> None:
    assert build_scenario("093") == build_scenario("093")


def test_france_basins_are_the_departements() -> None:
    scenario = build_scenario("france")
    assert {school["basin"] for school in scenario["schools"]} == {c.department_code for c in public_colleges()}


@pytest.mark.parametrize("key", ["093", "idf"])
def test_each_basin_has_one_pilot_in_the_first_wave(key: str) -> None:
    scenario = build_scenario(key)
    pilots = [school for school in scenario["schools"] if school["pinned_wave"]]
    assert {school["pinned_wave"] for school in pilots} == {"W1"}
    assert sorted(school["basin"] for school in pilots) == sorted({school["basin"] for school in scenario["schools"]})


@pytest.mark.slow
def test_seine_saint_denis_benchmark_is_solved_to_optimality() -> None:
    """The issue's smallest benchmark, end to end: child process, checker, greedy baseline.

    The limit is generous (the issue's target is 5 s, reported by the benchmark itself) so that
    a loaded CI machine does not turn a speed target into a flaky failure.
    """
    result = run("093", time_limit=60.0)
    assert result.violations == 0
    assert result.objective >= SEINE_SAINT_DENIS_OPTIMUM - 1e-6
    assert result.greedy_objective is not None
    assert result.objective <= result.greedy_objective
    assert result.status == "OPTIMAL"
    assert result.objective == pytest.approx(SEINE_SAINT_DENIS_OPTIMUM, abs=1e-6)
