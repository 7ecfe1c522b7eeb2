"""Scenario builders for the planner's tests, and the outside check every plan goes through.

A plain module (not conftest) so tests import the builders by name; tests/planner has no
__init__.py, hence the distinctive module name.
"""

from __future__ import annotations

import copy
from typing import Any

from planner.checker import check_plan, plan_objective
from planner.uai import check_letter

WAVE_DATES = [
    ("2026-09-07", "2026-10-16"),
    ("2026-11-02", "2026-12-18"),
    ("2027-01-04", "2027-02-12"),
    ("2027-03-01", "2027-04-09"),
    ("2027-04-26", "2027-06-04"),
    ("2027-06-07", "2027-07-02"),
    ("2027-09-06", "2027-10-15"),
    ("2027-11-02", "2027-12-17"),
]


def uai(number: int) -> str:
    """A valid UAI in Seine-Saint-Denis (093xxxx) for a small test number."""
    digits = f"093{number:04d}"
    return digits + check_letter(digits)


def wave(number: int, **fields: Any) -> dict[str, Any]:
    start, end = WAVE_DATES[number - 1]
    return {"id": f"W{number}", "start": start, "end": end, "max_schools": None, "max_pupils": None} | fields


def school(number: int, **fields: Any) -> dict[str, Any]:
    """A school of basin Nord with 500 pupils and 12 teachers (one session), no window."""
    return {
        "uai": uai(number),
        "name": f"Collège {number}",
        "basin": "Nord",
        "pupils": 500,
        "teachers": 12,
        "priority": "none",
        "earliest_wave": None,
        "latest_wave": None,
        "pinned_wave": None,
    } | fields


def trainer(trainer_id: str, **fields: Any) -> dict[str, Any]:
    """An academic trainer of basin Nord, trained, 2 sessions per wave."""
    return {
        "id": trainer_id,
        "name": trainer_id,
        "tier": "academic",
        "basins": ["Nord"],
        "capacity": 2,
        "capacity_by_wave": {},
        "trained": True,
    } | fields


def vendor(trainer_id: str = "V-1", **fields: Any) -> dict[str, Any]:
    return trainer(trainer_id, tier="vendor", basins=None, capacity=4) | fields


def scenario(
    *,
    waves: int = 3,
    schools: list[dict] | None = None,
    trainers: list[dict] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A small valid scenario: `waves` uncapped waves, 2 schools, one trainer and one vendor."""
    return {
        "format": "rollout-scenario/1",
        "name": "test",
        "waves": [wave(n + 1) for n in range(waves)],
        "schools": schools if schools is not None else [school(1), school(2)],
        "trainers": trainers if trainers is not None else [trainer("AT-1"), vendor()],
        "cascade": {
            "teachers_per_session": 12,
            "trainers_per_session": 4,
            "schools_per_leadership_session": 5,
            "trainer_lag": 1,
        },
        "objective": {"priority_weights": {"none": 1, "REP": 2, "REP+": 3}},
    } | fields


def assert_valid(scenario_data: dict[str, Any], plan: dict[str, Any]) -> None:
    """The outside checker finds no violation and agrees with the planner's objective."""
    problems = check_plan(copy.deepcopy(scenario_data), plan)
    assert problems == []
    if plan["status"] in ("OPTIMAL", "FEASIBLE"):
        assert abs(plan_objective(scenario_data, plan) - plan["objective"]) <= 1e-6 * max(1.0, plan["objective"])


def seine_saint_denis(*, waves: int = 6, basins: int = 8) -> dict[str, Any]:
    """The 130 public collèges of Seine-Saint-Denis with a realistic cascade.

    Basins group communes by code; each basin has four academic trainers of whom one is trained
    at the start; two vendors run 6 sessions a wave; a wave takes at most a quarter of the schools.
    """
    from rollout.colleges.national_file import public_colleges

    colleges = public_colleges(departments=["093"])
    communes = sorted({c.commune_code for c in colleges})
    basin_of = {code: f"B{n * basins // len(communes) + 1}" for n, code in enumerate(communes)}
    return {
        "format": "rollout-scenario/1",
        "name": "Seine-Saint-Denis",
        "waves": [wave(n + 1, max_schools=-(-len(colleges) // 4)) for n in range(waves)],
        "schools": [
            {
                "uai": c.uai,
                "name": c.name,
                "basin": basin_of[c.commune_code],
                "pupils": c.pupils,
                "teachers": max(1, c.pupils // 15),
                "priority": c.priority,
                "earliest_wave": None,
                "latest_wave": None,
                "pinned_wave": None,
            }
            for c in colleges
        ],
        "trainers": [
            trainer(f"AT-{b}-{n}", basins=[f"B{b}"], capacity=4, trained=n == 1)
            for b in range(1, basins + 1)
            for n in range(1, 5)
        ]
        + [vendor("V-1", capacity=6), vendor("V-2", capacity=6)],
        "cascade": {
            "teachers_per_session": 15,
            "trainers_per_session": 6,
            "schools_per_leadership_session": 8,
            "trainer_lag": 1,
        },
        "objective": {"priority_weights": {"none": 1, "REP": 1.5, "REP+": 2}},
    }
