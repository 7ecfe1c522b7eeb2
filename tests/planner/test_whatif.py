"""What-if edits: each kind changes exactly what it says on a copy, and each bad edit is named
`edits[i].field` with the value at fault, nothing applied."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from planner import solve, validate_scenario
from planner.whatif import WhatIfError, apply_edits
from scenario_builders import assert_valid, scenario, school, trainer, uai, vendor


def _problems(data: dict[str, Any], edits: list[Any]) -> list[str]:
    before = copy.deepcopy(data)
    with pytest.raises(WhatIfError) as raised:
        apply_edits(data, edits)
    assert data == before, "a refused edit leaves the scenario as it was"
    return raised.value.problems


def _applied(data: dict[str, Any], edits: list[dict[str, Any]]) -> dict[str, Any]:
    before = copy.deepcopy(data)
    edited = apply_edits(data, edits)
    assert data == before, "the input scenario is never modified"
    validate_scenario(edited)
    return edited


def test_no_edit_gives_an_equal_copy_that_shares_nothing() -> None:
    data = scenario()
    edited = apply_edits(data, [])
    assert edited == data
    edited["waves"][0]["max_schools"] = 1
    edited["trainers"][0]["capacity_by_wave"]["W1"] = 0
    assert data["waves"][0]["max_schools"] is None and data["trainers"][0]["capacity_by_wave"] == {}


def test_wave_caps_sets_both_caps_and_null_lifts_one() -> None:
    data = scenario()
    data["waves"][1].update(max_schools=5, max_pupils=2000)
    edited = _applied(data, [{"kind": "wave_caps", "wave": "W2", "max_schools": 1, "max_pupils": None}])
    assert (edited["waves"][1]["max_schools"], edited["waves"][1]["max_pupils"]) == (1, None)
    assert edited["waves"][0] == data["waves"][0]


def test_wave_caps_errors_name_the_edit_and_the_value() -> None:
    problems = _problems(scenario(), [
        {"kind": "wave_caps", "wave": "W9", "max_schools": 1, "max_pupils": None},
        {"kind": "wave_caps", "wave": "W1", "max_schools": -1, "max_pupils": "many"},
        {"kind": "wave_caps", "wave": "W1", "max_schools": True, "max_pupils": None},
        {"kind": "wave_caps", "wave": "W1", "max_schools": 3},
    ])
    assert problems == [
        "edits[0].wave: 'W9' is not a wave id",
        "edits[1].max_schools: -1 is less than 0",
        "edits[1].max_pupils: 'many' is not an integer or null",
        "edits[2].max_schools: True is not an integer or null",
        "edits[3].max_pupils: missing",
    ]


def test_trainer_capacity_sets_the_base_or_one_wave() -> None:
    edited = _applied(scenario(), [
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": None, "capacity": 7},
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": "W2", "capacity": 0},
    ])
    (at1,) = [t for t in edited["trainers"] if t["id"] == "AT-1"]
    assert at1["capacity"] == 7 and at1["capacity_by_wave"] == {"W2": 0}


def test_a_trainer_unavailable_in_the_only_wave_makes_the_scenario_infeasible() -> None:
    """Capacity 0 in a wave means what the contract says: no session there."""
    data = scenario(waves=1, schools=[school(1)], trainers=[trainer("AT-1"), vendor()])
    assert solve(data, time_limit=10, workers=1).to_json()["status"] == "OPTIMAL"
    edited = _applied(data, [{"kind": "trainer_capacity", "trainer": "AT-1", "wave": "W1", "capacity": 0}])
    assert solve(edited, time_limit=10, workers=1).to_json()["status"] == "INFEASIBLE"


def test_trainer_capacity_errors() -> None:
    problems = _problems(scenario(), [
        {"kind": "trainer_capacity", "trainer": "AT-9", "wave": None, "capacity": 1},
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": "W7", "capacity": -2},
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": None, "capacity": 1.5},
    ])
    assert problems == [
        "edits[0].trainer: 'AT-9' is not a trainer id",
        "edits[1].wave: 'W7' is not a wave id",
        "edits[1].capacity: -2 is less than 0",
        "edits[2].capacity: 1.5 is not an integer",
    ]


NEW_TRAINER = {"id": "AT-2", "name": "Ada", "tier": "academic", "basins": ["Nord"], "capacity": 3,
               "capacity_by_wave": {"W3": 0}, "trained": False}


def test_trainer_add_appends_the_trainer_which_later_edits_can_name() -> None:
    edited = _applied(scenario(), [
        {"kind": "trainer_add", "trainer": NEW_TRAINER},
        {"kind": "trainer_capacity", "trainer": "AT-2", "wave": "W1", "capacity": 1},
    ])
    assert edited["trainers"][-1] == NEW_TRAINER | {"capacity_by_wave": {"W3": 0, "W1": 1}}
    assert NEW_TRAINER["capacity_by_wave"] == {"W3": 0}, "the edit's own trainer object is not modified"


def test_trainer_add_errors_name_the_field_of_the_new_trainer() -> None:
    problems = _problems(scenario(), [
        {"kind": "trainer_add", "trainer": NEW_TRAINER | {"id": "AT-1"}},
        {"kind": "trainer_add", "trainer": NEW_TRAINER | {"basins": ["Sud"]}},
        {"kind": "trainer_add", "trainer": NEW_TRAINER | {"id": "AT-3", "tier": "guru", "capacity_by_wave": {"W8": 1}}},
        {"kind": "trainer_add", "trainer": "AT-4"},
        {"kind": "trainer_add", "trainer": {"name": "no id"}},
    ])
    assert problems == [
        "edits[0].trainer.id: 'AT-1' is already a trainer of the scenario",
        "edits[1].trainer.basins[0]: 'Sud' is not a basin of the scenario's schools",
        "edits[3].trainer: expected a trainer object, got str",
        "edits[4].trainer.id: None is not a trainer id (a non-empty string)",
    ]
    # The contract's own checks of the added trainer, once the edits above are right.
    problems = _problems(scenario(), [
        {"kind": "trainer_add", "trainer": NEW_TRAINER | {"tier": "guru", "capacity_by_wave": {"W8": 1}}},
    ])
    assert problems == [
        "edits[0].trainer.tier: 'guru' is not one of 'vendor' or 'academic'",
        "edits[0].trainer.capacity_by_wave.W8: 'W8' is not a wave id",
    ]


def test_trainer_remove_drops_the_trainer() -> None:
    edited = _applied(scenario(), [{"kind": "trainer_remove", "trainer": "AT-1"}])
    assert [t["id"] for t in edited["trainers"]] == ["V-1"]


def test_trainer_remove_errors_including_a_trainer_removed_twice() -> None:
    problems = _problems(scenario(), [
        {"kind": "trainer_remove", "trainer": "AT-1"},
        {"kind": "trainer_remove", "trainer": "AT-1"},
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": None, "capacity": 1},
    ])
    assert problems == [
        "edits[1].trainer: 'AT-1' is not a trainer id",
        "edits[2].trainer: 'AT-1' is not a trainer id",
    ]


def test_cascade_changes_only_the_settings_given() -> None:
    edited = _applied(scenario(), [{"kind": "cascade", "trainer_lag": 0, "teachers_per_session": 20}])
    assert edited["cascade"] == {"teachers_per_session": 20, "trainers_per_session": 4,
                                 "schools_per_leadership_session": 5, "trainer_lag": 0}


def test_cascade_errors() -> None:
    problems = _problems(scenario(), [
        {"kind": "cascade"},
        {"kind": "cascade", "trainer_lag": -1, "trainers_per_session": 0},
        {"kind": "cascade", "teachers_per_sesion": 20},
    ])
    assert problems == [
        "edits[0]: changes nothing (give any of teachers_per_session, trainers_per_session, "
        "schools_per_leadership_session, trainer_lag)",
        "edits[1].trainer_lag: -1 is less than 0",
        "edits[1].trainers_per_session: 0 is less than 1",
        "edits[2].teachers_per_sesion: not a field of a cascade edit",
    ]


def test_priority_weights_replace_all_three_weights() -> None:
    edited = _applied(scenario(), [{"kind": "priority_weights", "REP+": 5, "REP": 2.5, "none": 1}])
    assert edited["objective"]["priority_weights"] == {"none": 1.0, "REP": 2.5, "REP+": 5.0}


def test_priority_weights_change_the_objective_as_the_contract_defines_it() -> None:
    data = scenario(waves=2, schools=[school(1, pinned_wave="W2", priority="REP+")])
    base = solve(data, time_limit=10, workers=1).to_json()["objective"]
    edited = _applied(data, [{"kind": "priority_weights", "REP+": 10, "REP": 1, "none": 1}])
    plan = solve(edited, time_limit=10, workers=1).to_json()
    assert (base, plan["objective"]) == (1500, 5000)
    assert_valid(edited, plan)


def test_priority_weights_errors() -> None:
    problems = _problems(scenario(), [
        {"kind": "priority_weights", "REP+": -1, "REP": float("inf"), "none": "1"},
        {"kind": "priority_weights", "REP+": 1, "REP": 1},
    ])
    assert problems == [
        "edits[0].none: '1' is not a finite non-negative number",
        "edits[0].REP: inf is not a finite non-negative number",
        "edits[0].REP+: -1 is not a finite non-negative number",
        "edits[1].none: missing",
    ]


def test_school_pin_earliest_and_latest_set_and_clear_the_window() -> None:
    data = scenario(schools=[school(1, pinned_wave="W1"), school(2)])
    edited = _applied(data, [
        {"kind": "school_pin", "uai": uai(1), "wave": None},
        {"kind": "school_earliest", "uai": uai(2), "wave": "W2"},
        {"kind": "school_latest", "uai": uai(2), "wave": "W3"},
        {"kind": "school_earliest", "uai": uai(1), "wave": "W3"},
    ])
    first, second = edited["schools"]
    assert (first["pinned_wave"], first["earliest_wave"]) == (None, "W3")
    assert (second["earliest_wave"], second["latest_wave"]) == ("W2", "W3")


def test_equipment_late_moves_the_school_to_a_later_wave() -> None:
    data = scenario(waves=2, schools=[school(1)])
    edited = _applied(data, [{"kind": "school_earliest", "uai": uai(1), "wave": "W2"}])
    plan = solve(edited, time_limit=10, workers=1).to_json()
    assert plan["assignments"] == [{"uai": uai(1), "wave": "W2"}]


def test_school_edit_errors_including_a_window_left_inconsistent() -> None:
    problems = _problems(scenario(schools=[school(1, earliest_wave="W2"), school(2)]), [
        {"kind": "school_pin", "uai": "0930099Z", "wave": "W1"},
        {"kind": "school_latest", "uai": uai(2), "wave": "W0"},
        {"kind": "school_pin", "uai": uai(1), "wave": "W1"},
    ])
    assert problems == [
        "edits[0].uai: '0930099Z' is not a school of the scenario",
        "edits[1].wave: 'W0' is not a wave id",
    ]
    problems = _problems(scenario(schools=[school(1, earliest_wave="W2"), school(2)]), [
        {"kind": "school_pin", "uai": uai(1), "wave": "W1"},
    ])
    assert problems == [f"edits[0].wave: school {uai(1)}: pinned_wave 'W1' is before earliest_wave 'W2'"]


def test_a_window_is_checked_once_all_edits_are_applied() -> None:
    """A relaxation may move the earliest wave before unpinning: the order does not matter."""
    data = scenario(schools=[school(1, pinned_wave="W3")])
    edited = _applied(data, [
        {"kind": "school_latest", "uai": uai(1), "wave": "W2"},
        {"kind": "school_pin", "uai": uai(1), "wave": None},
    ])
    assert (edited["schools"][0]["pinned_wave"], edited["schools"][0]["latest_wave"]) == (None, "W2")


NEW_WAVE = {"id": "W4", "label": "Vague 4", "start": "2027-03-01", "end": "2027-04-09", "max_schools": 2, "max_pupils": None}


def test_wave_add_appends_a_wave_that_later_edits_can_name() -> None:
    edited = _applied(scenario(), [
        {"kind": "wave_add", "wave": NEW_WAVE},
        {"kind": "school_pin", "uai": uai(1), "wave": "W4"},
    ])
    assert edited["waves"][-1] == NEW_WAVE and len(edited["waves"]) == 4
    assert edited["schools"][0]["pinned_wave"] == "W4"


def test_wave_add_errors() -> None:
    problems = _problems(scenario(), [
        {"kind": "wave_add", "wave": NEW_WAVE | {"id": "W2"}},
        {"kind": "wave_add", "wave": NEW_WAVE | {"start": "2027-02-12"}},
        {"kind": "wave_add", "wave": ["W4"]},
        {"kind": "wave_add", "wave": {"start": "2027-03-01"}},
    ])
    assert problems == [
        "edits[0].wave.id: 'W2' is already a wave of the scenario",
        "edits[1].wave.start: '2027-02-12' is not after the end of the last wave 'W3' (2027-02-12)",
        "edits[2].wave: expected a wave object, got list",
        "edits[3].wave.id: None is not a wave id (a non-empty string)",
    ]
    problems = _problems(scenario(), [{"kind": "wave_add", "wave": NEW_WAVE | {"end": "2027-02-30", "max_schools": -1}}])
    assert problems == [
        "edits[0].wave.end: '2027-02-30' is not an ISO date (YYYY-MM-DD)",
        "edits[0].wave.max_schools: -1 is negative",
    ]


def test_malformed_edits_are_each_named() -> None:
    problems = _problems(scenario(), [
        "wave_caps",
        {"kind": "wave_delete", "wave": "W1"},
        {"wave": "W1"},
        {"kind": "trainer_remove", "trainer": "AT-1", "reason": "ill"},
    ])
    kinds = ("wave_caps, trainer_capacity, trainer_add, trainer_remove, cascade, priority_weights, "
             "school_pin, school_earliest, school_latest, wave_add")
    assert problems == [
        "edits[0]: expected an object, got str",
        f"edits[1].kind: 'wave_delete' is not an edit kind (one of {kinds})",
        f"edits[2].kind: None is not an edit kind (one of {kinds})",
        "edits[3].reason: not a field of a trainer_remove edit",
    ]
    assert _problems(scenario(), {"kind": "cascade"}) == ["edits: expected a list, got dict"]
