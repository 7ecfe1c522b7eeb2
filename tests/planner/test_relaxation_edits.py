"""The cheapest relaxation of an infeasible scenario, as what-if edits: applying the edits of its
conflicts makes the scenario feasible, whichever rule had to give."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from planner import solve, validate_scenario
from planner.relaxation_edits import Lifted, RelaxationEdits, Witness, merge_edits
from planner.whatif import apply_edits
from scenario_builders import assert_valid, scenario, school, trainer, uai, vendor
from tiny_scenarios import tiny_scenarios


def _relaxed(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The conflicts of an infeasible scenario and all their edits; the edited scenario has a valid plan."""
    plan = solve(data, time_limit=10, workers=1).to_json()
    assert plan["status"] == "INFEASIBLE"
    edits = merge_edits([edit for conflict in plan["conflicts"] for edit in conflict.get("edits", [])])
    assert edits, "an infeasible scenario comes with the edits that relax it"
    edited = apply_edits(data, edits)
    relaxed = solve(edited, time_limit=10, workers=1).to_json()
    assert relaxed["status"] in ("OPTIMAL", "FEASIBLE"), relaxed["conflicts"]
    assert_valid(edited, relaxed)
    return plan["conflicts"], edits


def test_a_school_cap_too_low_for_the_only_wave_is_raised() -> None:
    data = scenario(waves=1, schools=[school(n) for n in (1, 2, 3)], trainers=[trainer("AT-1", capacity=5), vendor()])
    data["waves"][0]["max_schools"] = 2
    data["waves"][0]["max_pupils"] = 9000
    conflicts, edits = _relaxed(data)
    assert edits == [{"kind": "wave_caps", "wave": "W1", "max_schools": 3, "max_pupils": 9000}]
    assert conflicts[0]["rule"] == "max_schools" and conflicts[0]["edits"] == edits


def test_a_pupil_cap_too_low_for_the_only_wave_is_raised_and_the_school_cap_kept() -> None:
    data = scenario(waves=1, schools=[school(n) for n in (1, 2, 3)], trainers=[trainer("AT-1", capacity=5), vendor()])
    data["waves"][0].update(max_schools=None, max_pupils=1000)
    _, edits = _relaxed(data)
    assert edits == [{"kind": "wave_caps", "wave": "W1", "max_schools": None, "max_pupils": 1500}]


def test_a_school_pinned_to_a_closed_wave_is_unpinned() -> None:
    """Moving a school costs no capacity: the relaxation prefers it to raising W1's cap."""
    data = scenario(waves=2, schools=[school(1, pinned_wave="W1"), school(2)])
    data["waves"][0]["max_schools"] = 0
    _, edits = _relaxed(data)
    assert edits == [{"kind": "school_pin", "uai": uai(1), "wave": None}]


def test_a_school_ready_only_for_a_closed_wave_gets_ready_earlier() -> None:
    data = scenario(waves=2, schools=[school(1, earliest_wave="W2"), school(2)])
    data["waves"][1]["max_schools"] = 0
    _, edits = _relaxed(data)
    assert edits == [{"kind": "school_earliest", "uai": uai(1), "wave": "W1"}]


def test_a_deadline_on_a_closed_wave_moves_later() -> None:
    data = scenario(waves=2, schools=[school(1, latest_wave="W1"), school(2)])
    data["waves"][0]["max_schools"] = 0
    _, edits = _relaxed(data)
    assert edits == [{"kind": "school_latest", "uai": uai(1), "wave": "W2"}]


def test_a_trainer_short_of_sessions_over_the_whole_rollout_gets_more() -> None:
    """Three schools of 60 teachers need 15 sessions; one trainer runs 3 a wave over 3 waves."""
    data = scenario(schools=[school(n, teachers=60) for n in (1, 2, 3)], trainers=[trainer("AT-1", capacity=3), vendor()])
    _, edits = _relaxed(data)
    assert {edit["kind"] for edit in edits} == {"trainer_capacity"}
    assert {edit["trainer"] for edit in edits} == {"AT-1"}
    extra = sum(edit["capacity"] - 3 for edit in edits)
    assert extra == 6, "exactly the six missing sessions"


def test_a_basin_no_trainer_serves_gets_a_trained_trainer() -> None:
    data = scenario(schools=[school(1), school(2, basin="Sud")])
    _, edits = _relaxed(data)
    assert [edit["kind"] for edit in edits] == ["trainer_add"]
    added = edits[0]["trainer"]
    assert added["tier"] == "academic" and added["basins"] == ["Sud"] and added["trained"] is True
    assert added["capacity"] == 1 and added["capacity_by_wave"] == {}


def test_no_vendor_session_in_the_only_wave_raises_a_vendor_capacity() -> None:
    data = scenario(waves=1, trainers=[trainer("AT-1"), vendor(capacity=0)])
    _, edits = _relaxed(data)
    assert edits == [{"kind": "trainer_capacity", "trainer": "V-1", "wave": "W1", "capacity": 1}]


def test_without_any_vendor_one_is_added_for_the_leadership_sessions() -> None:
    data = scenario(waves=1, trainers=[trainer("AT-1")])
    _, edits = _relaxed(data)
    assert [edit["kind"] for edit in edits] == ["trainer_add"]
    assert edits[0]["trainer"]["tier"] == "vendor" and edits[0]["trainer"]["capacity"] == 1


def test_pilot_schools_pinned_before_any_trainer_is_qualified_are_relaxed() -> None:
    data = scenario(
        schools=[school(n, pinned_wave="W1", teachers=40) for n in (1, 2, 3)],
        trainers=[trainer("AT-1", trained=False), trainer("AT-2", trained=False), vendor()],
    )
    _relaxed(data)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tiny_scenarios())
def test_the_edits_relax_any_infeasible_tiny_scenario(data: dict[str, Any]) -> None:
    assume(solve(data, time_limit=5, workers=1, deterministic=True).status == "INFEASIBLE")
    _relaxed(data)


# -- the edits from a relaxed plan, without solving -----------------------------------------


def _two_trainers() -> RelaxationEdits:
    """Basin Nord served by AT-1 (3 a wave, runs 3 in W1) and AT-2 (4 a wave, runs 2 in W1)."""
    data = scenario(waves=2, trainers=[trainer("AT-1", capacity=3), trainer("AT-2", capacity=4), vendor()])
    witness = Witness(
        load={("AT-1", 0): 3, ("AT-2", 0): 2},
        qualified={(t, w): True for t in ("AT-1", "AT-2") for w in (0, 1)},
    )
    return RelaxationEdits(validate_scenario(data), witness)


def test_missing_sessions_go_first_to_the_trainer_with_the_most_room() -> None:
    """AT-2 has 2 sessions of room in W1: 5 missing sessions raise its capacity by 3, to 7."""
    edits = _two_trainers().for_requirement("teacher_supply", "Nord", 0, Lifted(overshoot={0: 5}))
    assert edits == [{"kind": "trainer_capacity", "trainer": "AT-2", "wave": "W1", "capacity": 7}]


def test_room_is_spent_once() -> None:
    """AT-2's room covers the first 2 missing sessions; with no room left anywhere, the next one
    raises the first trainer's capacity."""
    relaxation = _two_trainers()
    assert relaxation.for_requirement("teacher_supply", "Nord", 0, Lifted(overshoot={0: 2})) == []
    assert relaxation.for_requirement("teacher_supply", "Nord", 0, Lifted(overshoot={0: 1})) == [
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": "W1", "capacity": 4}
    ]


def test_an_unqualified_basin_gets_a_trainer_whose_id_is_free() -> None:
    data = scenario(waves=2, trainers=[trainer("RELAX-Nord", trained=False), vendor()])
    witness = Witness(load={}, qualified={("RELAX-Nord", 0): False, ("RELAX-Nord", 1): False})
    relaxation = RelaxationEdits(validate_scenario(data), witness)
    (added,) = relaxation.for_requirement("teacher_supply", "Nord", 0, Lifted(overshoot={0: 2}))
    assert added["trainer"]["id"] == "RELAX-Nord-2" and added["trainer"]["capacity"] == 2
    (later,) = relaxation.for_requirement("teacher_supply", "Nord", 1, Lifted(overshoot={1: 3}))
    (merged,) = merge_edits([added, later])
    assert merged["trainer"]["id"] == "RELAX-Nord-2" and merged["trainer"]["capacity"] == 3, "the worst wave's need"


def test_merged_edits_keep_the_loosest_value_of_each_thing_edited() -> None:
    edits = merge_edits([
        {"kind": "wave_caps", "wave": "W1", "max_schools": 5, "max_pupils": 1000},
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": "W2", "capacity": 4},
        {"kind": "wave_caps", "wave": "W1", "max_schools": 3, "max_pupils": 1800},
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": "W2", "capacity": 6},
        {"kind": "wave_caps", "wave": "W2", "max_schools": None, "max_pupils": 10},
        {"kind": "wave_caps", "wave": "W2", "max_schools": 4, "max_pupils": 10},
    ])
    assert edits == [
        {"kind": "wave_caps", "wave": "W1", "max_schools": 5, "max_pupils": 1800},
        {"kind": "trainer_capacity", "trainer": "AT-1", "wave": "W2", "capacity": 6},
        {"kind": "wave_caps", "wave": "W2", "max_schools": None, "max_pupils": 10},
    ]

