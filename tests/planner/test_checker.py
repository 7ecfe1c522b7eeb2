"""The outside checker: a hand-made valid plan passes, and each broken rule is reported.

Every case starts from one valid scenario/plan pair and breaks exactly one thing, so a
checker that silently accepted that kind of violation fails its own case.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Callable

import pytest

from planner.checker import check_plan, plan_objective
from tiny_scenarios import make_plan, make_scenario

CHECKER_SOURCE = Path(__file__).resolve().parents[2] / "planner" / "checker.py"


Mutation = Callable[[dict[str, Any], dict[str, Any]], None]


def school(scenario: dict[str, Any], uai: str) -> dict[str, Any]:
    return next(s for s in scenario["schools"] if s["uai"] == uai)


def trainer(scenario: dict[str, Any], trainer_id: str) -> dict[str, Any]:
    return next(t for t in scenario["trainers"] if t["id"] == trainer_id)


def add_untrained_trainer(scenario: dict[str, Any], plan: dict[str, Any]) -> None:
    scenario["trainers"].append(dict(trainer(scenario, "AT-2"), id="AT-3"))
    scenario["cascade"]["trainers_per_session"] = 1
    plan["trainer_training"][0]["trainers"].append("AT-3")


def move_leadership_late(scenario: dict[str, Any], plan: dict[str, Any]) -> None:
    plan["leadership_training"][0]["schools"] = ["0930003Y"]
    plan["leadership_training"][1]["schools"].append("0930001W")


# (rule, mutation, a fragment the report must contain)
VIOLATIONS: dict[str, tuple[Mutation, str]] = {
    "school missing": (lambda sc, p: p["assignments"].pop(2), "0930003Y is not assigned"),
    "school twice": (lambda sc, p: p["assignments"].append({"uai": "0930003Y", "wave": "W3"}), "0930003Y is assigned twice"),
    "unknown school": (lambda sc, p: p["assignments"].append({"uai": "0930009D", "wave": "W3"}), "unknown school '0930009D'"),
    "unknown wave": (lambda sc, p: p["assignments"][2].update(wave="W9"), "0930003Y assigned to unknown wave 'W9'"),
    "pinned": (lambda sc, p: school(sc, "0930001W").update(pinned_wave="W2"), "0930001W is in W1, but pinned to W2"),
    "earliest": (lambda sc, p: school(sc, "0930003Y").update(earliest_wave="W3"), "0930003Y is in W2, before its earliest wave W3"),
    "latest": (lambda sc, p: school(sc, "0930002X").update(latest_wave="W1"), "0930002X is in W2, after its latest wave W1"),
    "max_schools": (lambda sc, p: sc["waves"][1].update(max_schools=1), "wave W2 holds 2 schools"),
    "max_pupils": (lambda sc, p: sc["waves"][1].update(max_pupils=600), "wave W2 holds 700 pupils"),
    "teacher session count": (lambda sc, p: p["teacher_sessions"][2].update(sessions=2), "0930003Y has 2 teacher sessions, needs 1"),
    "teacher session outside the school's wave": (
        lambda sc, p: p["teacher_sessions"][2].update(wave="W1"), "for school '0930003Y' in wave 'W1': the school is in wave 'W2'"),
    "trainer outside its basins": (lambda sc, p: trainer(sc, "AT-1").update(basins=["Sud"]), "AT-1 does not serve basin 'Nord'"),
    "vendor runs teacher sessions": (lambda sc, p: p["teacher_sessions"][2].update(trainer="V-1"), "V-1 is a vendor trainer"),
    "unknown trainer": (lambda sc, p: p["teacher_sessions"][2].update(trainer="AT-9"), "'AT-9' for school '0930003Y' in wave 'W2': unknown trainer"),
    "trainer never trained": (lambda sc, p: p["trainer_training"].clear(), "AT-2 runs teacher sessions for school 0930002X in W2 but is never trained"),
    "trainer not yet qualified": (lambda sc, p: sc["cascade"].update(trainer_lag=2), "qualified only from position 2"),
    "trainer trained at start": (lambda sc, p: trainer(sc, "AT-2").update(trained=True), "AT-2 was already trained at the start"),
    "trainer trained twice": (
        lambda sc, p: p["trainer_training"].append({"vendor": "V-1", "wave": "W2", "trainers": ["AT-2"]}), "AT-2 is trained a second time"),
    "trainers per session": (add_untrained_trainer, "trains 2 trainers, more than trainers_per_session 1"),
    "academic runs trainer training": (lambda sc, p: p["trainer_training"][0].update(vendor="AT-1"), "'AT-1' is not a vendor trainer"),
    "leadership missing": (lambda sc, p: p["leadership_training"].pop(1), "0930002X has its leadership trained 0 times"),
    "leadership twice": (
        lambda sc, p: p["leadership_training"][1]["schools"].append("0930003Y"), "0930003Y has its leadership trained 2 times"),
    "leadership after the school's wave": (move_leadership_late, "school 0930001W goes live earlier, in W1"),
    "schools per leadership session": (
        lambda sc, p: sc["cascade"].update(schools_per_leadership_session=1), "covers 2 schools, more than schools_per_leadership_session 1"),
    "academic capacity by wave": (
        lambda sc, p: trainer(sc, "AT-1").update(capacity_by_wave={"W1": 1}), "AT-1 runs 2 sessions in wave W1, capacity 1"),
    "vendor capacity counts both kinds": (lambda sc, p: trainer(sc, "V-1").update(capacity=1), "V-1 runs 2 sessions in wave W1, capacity 1"),
    "vendor unavailable in a wave": (
        lambda sc, p: trainer(sc, "V-1").update(capacity_by_wave={"W2": 0}), "V-1 runs 1 sessions in wave W2, capacity 0"),
    "objective misreported": (lambda sc, p: p.update(objective=999), "plan objective 999 differs from the recomputed objective 1000"),
    "bound above objective": (lambda sc, p: p.update(status="FEASIBLE", bound=1001), "plan bound 1001 exceeds its objective 1000"),
    "optimal without proof": (lambda sc, p: p.update(bound=900), "OPTIMAL plan has bound 900"),
    "malformed list": (lambda sc, p: p.update(assignments={"0930001W": "W1"}), "plan assignments must be a list of objects"),
    "missing list": (lambda sc, p: p.pop("leadership_training"), "plan has no leadership_training list"),
    "infeasible with an objective": (lambda sc, p: p.update(status="INFEASIBLE"), "INFEASIBLE plan has a non-null objective"),
}


def test_valid_plan_passes() -> None:
    assert check_plan(make_scenario(), make_plan()) == []


def test_feasible_plan_may_have_a_lower_bound() -> None:
    plan = make_plan()
    plan.update(status="FEASIBLE", bound=0)
    assert check_plan(make_scenario(), plan) == []


@pytest.mark.parametrize("status", ["INFEASIBLE", "UNKNOWN"])
def test_plan_without_solution_passes_with_null_objective(status: str) -> None:
    plan = {"format": "rollout-plan/1", "scenario": "checker", "status": status, "objective": None,
            "bound": None, "assignments": [], "teacher_sessions": [], "trainer_training": [],
            "leadership_training": [], "conflicts": []}
    assert check_plan(make_scenario(), plan) == []


@pytest.mark.parametrize("rule", list(VIOLATIONS))
def test_violation_is_reported(rule: str) -> None:
    mutate, fragment = VIOLATIONS[rule]
    scenario, plan = make_scenario(), make_plan()
    mutate(scenario, plan)
    problems = check_plan(scenario, plan)
    assert any(fragment in problem for problem in problems), problems


def test_objective_weights_default_to_one() -> None:
    scenario = make_scenario()
    del scenario["objective"]["priority_weights"]["REP"]
    assert plan_objective(scenario, make_plan()) == 400 + 300


def test_null_caps_do_not_limit_a_wave() -> None:
    scenario, plan = make_scenario(), make_plan()
    for assignment in plan["assignments"][1:]:
        assignment["wave"] = "W2"
    scenario["waves"][1]["max_pupils"] = None
    assert not [p for p in check_plan(scenario, plan) if "wave W2 holds" in p]


def test_checker_imports_neither_ortools_nor_the_model() -> None:
    """The checker must stay independent of what it checks."""
    tree = ast.parse(CHECKER_SOURCE.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.startswith("ortools")}
    assert not {name for name in imported if name.startswith("planner") and name != "planner.uai"}
