"""Re-planning keeps the past and plans the rest: slipped schools move on, deploying ones stay.

Every re-plan is checked by the outside checker against the new scenario, so a re-plan that
handed out capacity twice or trained someone in the past would fail here.
"""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, reject, settings
from hypothesis import strategies as st

from planner.checker import check_plan, plan_objective
from planner.cli import replan_command
from planner.progress import ProgressError, parse_progress
from planner.replan import PlanInputError, replan, replan_scenario
from planner.scenario import validate_scenario
from planner.solve import solve
from tiny_scenarios import make_plan, make_scenario, tiny_scenarios

A, B, C = "0930001W", "0930002X", "0930003Y"
SOLVE = {"time_limit": 10.0, "workers": 1}


def scenario() -> dict[str, Any]:
    """The hand-made scenario with a fourth wave and a vendor available in every wave.

    Its plan (`make_plan`, still optimal): A in W1 (AT-1), B and C in W2 (AT-2, trained by
    V-1 in W1, for B; AT-1 for C); leadership of A and C in W1, of B in W2.
    """
    data = make_scenario()
    data["waves"].append({"id": "W4", "start": "2027-09-06", "end": "2027-10-15", "max_schools": None, "max_pupils": None})
    data["trainers"][0]["capacity_by_wave"] = {}
    return data


def progress(as_of: str, schools: list[dict[str, Any]], trained: list[str] | None = None) -> dict[str, Any]:
    return {"format": "rollout-progress/1", "as_of": as_of, "schools": schools, "trainers_trained": trained or []}


def waves_of(plan: dict[str, Any]) -> dict[str, str]:
    return {a["uai"]: a["wave"] for a in plan["assignments"]}


def assert_valid_for(new_scenario: dict[str, Any], plan: dict[str, Any]) -> None:
    assert check_plan(copy.deepcopy(new_scenario), plan) == []
    assert plan["objective"] == pytest.approx(plan_objective(new_scenario, plan))


SLIPPED = progress(
    "2027-03-15",
    [{"uai": A, "state": "live", "wave": "W1"}, {"uai": B, "state": "in_progress", "wave": "W2"},
     {"uai": C, "state": "not_started", "wave": "W2"}],
    ["AT-2"],
)


def test_a_slipped_school_moves_to_a_wave_that_has_not_begun_and_deploying_ones_stay() -> None:
    new = replan_scenario(scenario(), make_plan(), SLIPPED)
    result = replan(scenario(), make_plan(), SLIPPED, **SOLVE).to_json()

    assert result["status"] == "OPTIMAL"
    assert waves_of(result) == {A: "W1", B: "W2", C: "W3"}
    assert result["objective"] == 400 * 1 + 2 * 300 * 2
    assert result["bound"] == result["objective"]
    assert_valid_for(new, result)


def test_the_past_keeps_its_sessions_and_its_capacity_is_not_given_again() -> None:
    new = replan_scenario(scenario(), make_plan(), SLIPPED)
    result = replan(scenario(), make_plan(), SLIPPED, **SOLVE).to_json()

    trainers = {t["id"]: t for t in new["trainers"]}
    assert trainers["AT-1"]["capacity_by_wave"] == {"W1": 2, "W2": 0}
    assert trainers["AT-2"]["capacity_by_wave"] == {"W1": 0, "W2": 2}
    assert trainers["V-1"]["capacity_by_wave"] == {"W1": 1, "W2": 1}
    assert trainers["AT-2"]["trained"] is True
    past = [s for s in result["teacher_sessions"] if s["wave"] in ("W1", "W2")]
    assert past == [
        {"trainer": "AT-1", "uai": A, "wave": "W1", "sessions": 2},
        {"trainer": "AT-2", "uai": B, "wave": "W2", "sessions": 2},
    ]
    assert {"vendor": "V-1", "wave": "W1", "schools": [A]} in result["leadership_training"]
    assert [s["wave"] for s in result["leadership_training"] if C in s["schools"]] == ["W3"]
    assert result["trainer_training"] == []


def test_the_new_scenario_pins_the_past_and_opens_only_waves_that_have_not_begun() -> None:
    new = replan_scenario(scenario(), make_plan(), SLIPPED)

    validate_scenario(new)
    schools = {s["uai"]: s for s in new["schools"]}
    assert (schools[A]["pinned_wave"], schools[B]["pinned_wave"]) == ("W1", "W2")
    assert schools[B]["earliest_wave"] is None
    assert (schools[C]["pinned_wave"], schools[C]["earliest_wave"], schools[C]["latest_wave"]) == (None, "W3", "W3")
    assert new["replanning"]["begun_waves"] == ["W1", "W2"]
    assert any(C in note and "planned again" in note for note in new["replanning"]["notes"])


def test_unlisted_schools_follow_the_plan_and_a_school_deploying_late_gets_capacity_left_in_its_wave() -> None:
    late = progress("2027-05-10", [{"uai": C, "state": "in_progress", "wave": "W3"}])

    new = replan_scenario(scenario(), make_plan(), late)
    result = replan(scenario(), make_plan(), late, **SOLVE).to_json()

    assert waves_of(result) == {A: "W1", B: "W2", C: "W3"}
    assert {"trainer": "AT-1", "uai": C, "wave": "W3", "sessions": 1} in result["teacher_sessions"]
    assert {"vendor": "V-1", "wave": "W1", "schools": [A, C]} in result["leadership_training"]
    assert {t["id"]: t["trained"] for t in new["trainers"]}["AT-2"] is True
    assert_valid_for(new, result)


def test_a_pin_or_deadline_the_past_made_impossible_is_lifted_with_a_note() -> None:
    data = scenario()
    data["schools"][2]["latest_wave"] = "W2"
    plan = make_plan()
    late = progress("2027-05-10", [{"uai": C, "state": "not_started"}])

    new = replan_scenario(data, plan, late)
    result = replan(data, plan, late, **SOLVE).to_json()

    school = next(s for s in new["schools"] if s["uai"] == C)
    assert (school["latest_wave"], school["earliest_wave"]) == (None, "W4")
    assert any("deadline W2" in note for note in new["replanning"]["notes"])
    assert waves_of(result)[C] == "W4"
    assert_valid_for(new, result)


def test_schools_deploying_early_get_leadership_from_vendor_capacity_left_and_the_wave_caps_follow_reality() -> None:
    data = scenario()
    data["trainers"][1]["capacity_by_wave"] = {"W1": 3}
    early = progress(
        "2027-03-15",
        [{"uai": B, "state": "in_progress", "wave": "W1"}, {"uai": C, "state": "in_progress", "wave": "W1"}],
        ["AT-2"],
    )

    new = replan_scenario(data, make_plan(), early)
    result = replan(data, make_plan(), early, **SOLVE).to_json()

    assert waves_of(result) == {A: "W1", B: "W1", C: "W1"}
    assert (new["waves"][0]["max_schools"], new["waves"][0]["max_pupils"]) == (3, 1200)
    assert {"vendor": "V-1", "wave": "W1", "schools": [B]} in result["leadership_training"]
    assert {"trainer": "AT-2", "uai": B, "wave": "W1", "sessions": 2} in result["teacher_sessions"]
    assert result["objective"] == 0
    assert_valid_for(new, result)


def test_no_capacity_left_for_a_school_deploying_off_plan_is_an_input_error() -> None:
    early = progress("2027-03-15", [{"uai": C, "state": "in_progress", "wave": "W1"}])

    with pytest.raises(ProgressError, match=r"0930003Y \(C\) is deploying in W1, but the trained trainers of basin Nord"):
        replan_scenario(scenario(), make_plan(), early)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (progress("2027-03-15", [{"uai": C, "state": "live", "wave": "W3"}]),
         "schools[0].wave: W3 starts on 2027-05-03, not before as_of 2027-03-15"),
        (progress("2027-03-15", [{"uai": "0930009E", "state": "live", "wave": "W1"}]),
         "schools[0].uai: '0930009E' is not a school of the scenario"),
        (progress("2027-03-15", [], ["V-1"]), "trainers_trained[0]: 'V-1' is a vendor trainer"),
        (progress("2027-03-15", [], ["AT-9"]), "trainers_trained[0]: 'AT-9' is not a trainer of the scenario"),
        (progress("2027-12-01", [{"uai": C, "state": "not_started"}]), "as_of: every wave has begun by 2027-12-01"),
    ],
)
def test_progress_that_contradicts_the_scenario_is_refused_with_its_path(document, message) -> None:
    with pytest.raises(ProgressError) as raised:
        replan_scenario(scenario(), make_plan(), document)

    assert any(message in problem for problem in raised.value.problems)


def test_progress_documents_are_checked_on_their_own_and_every_problem_is_listed() -> None:
    document = {
        "format": "rollout-progress/0",
        "as_of": "2027-15-01",
        "schools": [{"uai": "0930001A", "state": "live"}, {"uai": C, "state": "done"}, {"uai": C, "state": "live"}],
        "trainers_trained": ["AT-1", "AT-1", 3],
    }

    with pytest.raises(ProgressError) as raised:
        parse_progress(document)

    assert raised.value.problems == [
        "format: 'rollout-progress/0' is not 'rollout-progress/1'",
        "as_of: '2027-15-01' is not an ISO date (YYYY-MM-DD)",
        "schools[0].uai: '0930001A' has a wrong check letter (expected W)",
        "schools[0].wave: missing (a live school must say which wave it is in)",
        "schools[1].state: 'done' is not one of live, in_progress, not_started",
        "schools[2].wave: missing (a live school must say which wave it is in)",
        "trainers_trained[1]: 'AT-1' is listed twice",
        "trainers_trained[2]: 3 is not a trainer id",
    ]


def test_a_plan_without_assignments_cannot_be_followed() -> None:
    plan = make_plan() | {"status": "INFEASIBLE"}

    with pytest.raises(PlanInputError, match="plan the scenario afresh"):
        replan_scenario(scenario(), plan, SLIPPED)


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def invoke(tmp_path: Path, scenario_data: dict[str, Any], progress_data: Any) -> Any:
    arguments = [
        write(tmp_path, "scenario.json", scenario_data),
        write(tmp_path, "plan.json", make_plan()),
        write(tmp_path, "progress.json", progress_data),
        "--out", str(tmp_path / "new-plan.json"),
        "--scenario-out", str(tmp_path / "new-scenario.json"),
        "--time-limit", "10", "--workers", "1",
    ]
    return CliRunner().invoke(replan_command, arguments)


def test_replan_command_writes_the_plan_and_the_scenario_it_is_valid_for(tmp_path: Path) -> None:
    result = invoke(tmp_path, scenario(), SLIPPED)

    assert result.exit_code == 0, result.output
    new_plan = json.loads((tmp_path / "new-plan.json").read_text(encoding="utf-8"))
    new_scenario = json.loads((tmp_path / "new-scenario.json").read_text(encoding="utf-8"))
    assert waves_of(new_plan)[C] == "W3"
    assert_valid_for(new_scenario, new_plan)


def test_replan_command_refuses_bad_progress_with_its_file_and_path_and_writes_nothing(tmp_path: Path) -> None:
    result = invoke(tmp_path, scenario(), progress("2027-03-15", [{"uai": C, "state": "live", "wave": "W9"}]))

    assert result.exit_code == 2
    assert "progress.json: schools[0].wave: 'W9' is not a wave of the scenario" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "new-plan.json").exists() and not (tmp_path / "new-scenario.json").exists()


def test_replan_command_exits_3_and_writes_the_conflicts_when_the_rest_cannot_be_planned(tmp_path: Path) -> None:
    data = scenario()
    data["trainers"][0]["capacity_by_wave"] = {"W3": 0, "W4": 0}

    result = invoke(tmp_path, data, SLIPPED)

    assert result.exit_code == 3
    new_plan = json.loads((tmp_path / "new-plan.json").read_text(encoding="utf-8"))
    assert new_plan["status"] == "INFEASIBLE" and new_plan["conflicts"]


@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_re_plan_of_a_tiny_rollout_passes_the_outside_checker(data: st.DataObject) -> None:
    """Whatever happened, the new plan keeps the past and is valid for the new scenario."""
    original = data.draw(tiny_scenarios())
    first = solve(original, **SOLVE).to_json()
    assume(first["status"] == "OPTIMAL")
    starts = [datetime.date.fromisoformat(wave["start"]) for wave in original["waves"]]
    as_of = data.draw(st.sampled_from(starts)) + datetime.timedelta(days=data.draw(st.sampled_from([0, 1])))
    begun = [wave["id"] for wave, start in zip(original["waves"], starts) if start < as_of]
    reports = []
    for school in original["schools"]:
        choice = data.draw(st.sampled_from(["unlisted", "not_started", *(["deploying"] if begun else [])]))
        if choice == "not_started":
            reports.append({"uai": school["uai"], "state": "not_started"})
        elif choice == "deploying":
            reports.append({"uai": school["uai"], "state": "live", "wave": data.draw(st.sampled_from(begun))})
    academics = [t["id"] for t in original["trainers"] if t["tier"] == "academic"]
    trained = data.draw(st.lists(st.sampled_from(academics), unique=True)) if academics else []
    document = progress(as_of.isoformat(), reports, trained)

    try:
        new = replan_scenario(original, first, document)
    except ProgressError:
        event("refused: no capacity left in the past, or no wave left")
        reject()
    result = replan(original, first, document, **SOLVE).to_json()
    event(f"re-plan {result['status']}")

    if result["status"] in ("OPTIMAL", "FEASIBLE"):
        assert_valid_for(new, result)
        deploying = {s["uai"]: s["pinned_wave"] for s in new["schools"] if s["uai"] not in _waiting(new)}
        assert all(waves_of(result)[uai] == wave for uai, wave in deploying.items())
        assert all(waves_of(result)[uai] not in begun for uai in _waiting(new))


def _waiting(new_scenario: dict[str, Any]) -> set[str]:
    begun = set(new_scenario["replanning"]["begun_waves"])
    return {s["uai"] for s in new_scenario["schools"] if s["pinned_wave"] not in begun}
