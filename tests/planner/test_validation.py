"""Scenario validation: every problem reported at once, each with the path of the entry at fault."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from planner import ScenarioError, validate_scenario
from planner.uai import uai_problem
from scenario_builders import scenario, school, trainer, uai, vendor


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, source="district.json")
    return caught.value.problems


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """Mutation that sets a dotted path (list indices as numbers) in a scenario."""

    def mutate(data: dict) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str) -> Callable[[dict], None]:
    def mutate(data: dict) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


CASES = [
    (_set("schools.1.uai", "0931234Q"), "schools[1].uai: '0931234Q' has a wrong check letter (expected L)"),
    (_set("schools.1.uai", "93-1234"), f"schools[1].uai: {uai_problem('93-1234')}"),
    (_set("schools.1.uai", uai(1)), f"schools[1].uai: '{uai(1)}' is a duplicate (also schools[0])"),
    (_set("trainers.1.id", "AT-1"), "trainers[1].id: 'AT-1' is a duplicate (also trainers[0])"),
    (_set("waves.1.id", "W1"), "waves[1].id: 'W1' is a duplicate (also waves[0])"),
    (_set("trainers.0.capacity", -2), "trainers[0].capacity: -2 is negative"),
    (_set("schools.0.pupils", -1), "schools[0].pupils: -1 is negative"),
    (_set("schools.0.pupils", 12.5), "schools[0].pupils: 12.5 is not an integer"),
    (_set("schools.0.teachers", 0), "schools[0].teachers: 0 is less than 1"),
    (_set("schools.0.priority", "rep"), "schools[0].priority: 'rep' is not one of 'none', 'REP' or 'REP+'"),
    (_set("trainers.0.tier", "intern"), "trainers[0].tier: 'intern' is not one of 'vendor' or 'academic'"),
    (_set("schools.0.pinned_wave", "W9"), "schools[0].pinned_wave: 'W9' is not a wave id"),
    (_set("schools.0.earliest_wave", "W0"), "schools[0].earliest_wave: 'W0' is not a wave id"),
    (_set("schools.0.latest_wave", 2), "schools[0].latest_wave: 2 is not a string"),
    (_set("trainers.0.capacity_by_wave", {"W7": 1}), "trainers[0].capacity_by_wave.W7: 'W7' is not a wave id"),
    (_set("trainers.0.capacity_by_wave", {"W2": -1}), "trainers[0].capacity_by_wave.W2: -1 is negative"),
    (_set("waves.0.start", "2026-13-01"), "waves[0].start: '2026-13-01' is not an ISO date (YYYY-MM-DD)"),
    (_set("waves.0.end", "2026-09-01"), "waves[0].end: 2026-09-01 is before start 2026-09-07"),
    (_set("waves.0.max_pupils", -5), "waves[0].max_pupils: -5 is negative"),
    (_set("format", "rollout-scenario/2"), "format: 'rollout-scenario/2' is not 'rollout-scenario/1'"),
    (_delete("format"), "format: missing (expected 'rollout-scenario/1')"),
    (_delete("cascade"), "cascade: missing"),
    (_delete("schools.0.basin"), "schools[0].basin: missing"),
    (_delete("trainers.0.capacity"), "trainers[0].capacity: missing"),
    (_set("cascade.trainer_lag", -1), "cascade.trainer_lag: -1 is negative"),
    (_set("cascade.teachers_per_session", 0), "cascade.teachers_per_session: 0 is less than 1"),
    (_set("cascade.schools_per_leadership_session", -3), "cascade.schools_per_leadership_session: -3 is less than 1"),
    (_set("objective.priority_weights", {"urgent": 2}), "objective.priority_weights.urgent: 'urgent' is not a priority (one of none, REP, REP+)"),
    (_set("objective.priority_weights", {"REP": -1}), "objective.priority_weights.REP: -1 is not a finite non-negative number"),
    (_set("waves", []), "waves: the list is empty (at least one wave is needed)"),
    (_set("schools", {}), "schools: expected a list, got an object"),
    (_set("schools.0", "0930001W"), "schools[0]: expected an object, got a string"),
]


@pytest.mark.parametrize("mutate, expected", CASES, ids=[expected.split(":")[0] + " " + expected.split(": ")[1][:30] for _, expected in CASES])
def test_each_problem_is_reported_with_its_path(mutate: Callable[[dict], None], expected: str) -> None:
    data = scenario()
    mutate(data)
    assert expected in _problems(data)


@pytest.mark.parametrize(
    "window, expected",
    [
        ({"earliest_wave": "W3", "latest_wave": "W2"}, "schools[0].earliest_wave: 'W3' is after latest_wave 'W2'"),
        ({"earliest_wave": "W2", "pinned_wave": "W1"}, "schools[0].pinned_wave: 'W1' is before earliest_wave 'W2'"),
        ({"latest_wave": "W2", "pinned_wave": "W3"}, "schools[0].pinned_wave: 'W3' is after latest_wave 'W2'"),
    ],
)
def test_inconsistent_school_windows_are_reported(window: dict, expected: str) -> None:
    data = scenario(schools=[school(1, **window)])
    assert _problems(data) == [expected]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    data = scenario(
        schools=[school(1, uai="0931234Q"), school(2, pupils=-4), school(3, teachers=0, pinned_wave="W7")],
        trainers=[trainer("AT-1", capacity=-2), vendor()],
    )
    assert _problems(data) == [
        "schools[0].uai: '0931234Q' has a wrong check letter (expected L)",
        "schools[1].pupils: -4 is negative",
        "schools[2].teachers: 0 is less than 1",
        "schools[2].pinned_wave: 'W7' is not a wave id",
        "trainers[0].capacity: -2 is negative",
    ]


def test_a_wave_with_a_bad_date_still_defines_its_id() -> None:
    data = scenario(schools=[school(1, pinned_wave="W2")])
    data["waves"][1]["start"] = "next monday"
    assert _problems(data) == ["waves[1].start: 'next monday' is not an ISO date (YYYY-MM-DD)"]


def test_the_error_text_names_the_source_file_on_every_line() -> None:
    data = scenario(schools=[school(1, uai="0931234Q"), school(2, pupils=-4)])
    with pytest.raises(ScenarioError) as caught:
        validate_scenario(data, source="district.json")
    assert str(caught.value).splitlines() == [
        "district.json: schools[0].uai: '0931234Q' has a wrong check letter (expected L)",
        "district.json: schools[1].pupils: -4 is negative",
    ]


def test_a_valid_scenario_keeps_its_extra_fields_and_defaults() -> None:
    data = scenario(schools=[school(1, commune="Bobigny")])
    del data["objective"]
    valid = validate_scenario(data)
    assert valid.schools[0].model_extra == {"commune": "Bobigny"}
    assert valid.objective.weight("REP+") == 1.0
    assert valid.window(valid.schools[0]) == (0, 2)


def test_a_document_that_is_not_an_object_is_rejected() -> None:
    assert _problems([1, 2]) == ["(document): expected a JSON object, got a list"]  # type: ignore[arg-type]
