"""Scenarios shared by the planner tests: one hand-made pair, and random tiny scenarios.

The hand-made scenario is small enough to solve by hand (its optimal plan is spelled out in
`make_plan`); the tiny ones are small enough for `exhaustive.brute_force_optimum`.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from planner.uai import check_letter


def make_scenario() -> dict[str, Any]:
    """Three schools, three waves, one vendor and two academic trainers (one to be trained)."""
    return {
        "format": "rollout-scenario/1",
        "name": "checker",
        "waves": [
            {"id": "W1", "start": "2027-01-04", "end": "2027-02-12", "max_schools": 2, "max_pupils": 1000},
            {"id": "W2", "start": "2027-03-01", "end": "2027-04-09", "max_schools": None, "max_pupils": None},
            {"id": "W3", "start": "2027-05-03", "end": "2027-06-11", "max_schools": None, "max_pupils": None},
        ],
        "schools": [
            {"uai": "0930001W", "name": "A", "basin": "Nord", "pupils": 500, "teachers": 30,
             "priority": "REP+", "earliest_wave": None, "latest_wave": None, "pinned_wave": "W1"},
            {"uai": "0930002X", "name": "B", "basin": "Sud", "pupils": 400, "teachers": 20,
             "priority": "none", "earliest_wave": "W2", "latest_wave": None, "pinned_wave": None},
            {"uai": "0930003Y", "name": "C", "basin": "Nord", "pupils": 300, "teachers": 10,
             "priority": "REP", "earliest_wave": None, "latest_wave": "W3", "pinned_wave": None},
        ],
        "trainers": [
            {"id": "V-1", "name": "Vendor", "tier": "vendor", "basins": None, "capacity": 2,
             "capacity_by_wave": {"W3": 0}, "trained": True},
            {"id": "AT-1", "name": "North", "tier": "academic", "basins": ["Nord"], "capacity": 2,
             "capacity_by_wave": {}, "trained": True},
            {"id": "AT-2", "name": "South", "tier": "academic", "basins": ["Sud"], "capacity": 3,
             "capacity_by_wave": {}, "trained": False},
        ],
        "cascade": {"teachers_per_session": 15, "trainers_per_session": 2,
                    "schools_per_leadership_session": 2, "trainer_lag": 1},
        "objective": {"priority_weights": {"none": 1, "REP": 2, "REP+": 3}},
    }


def make_plan() -> dict[str, Any]:
    """The optimal plan of `make_scenario`: objective 400×1 + 2×300×1 = 1000."""
    return {
        "format": "rollout-plan/1",
        "scenario": "checker",
        "status": "OPTIMAL",
        "objective": 1000,
        "bound": 1000,
        "assignments": [
            {"uai": "0930001W", "wave": "W1"},
            {"uai": "0930002X", "wave": "W2"},
            {"uai": "0930003Y", "wave": "W2"},
        ],
        "teacher_sessions": [
            {"trainer": "AT-1", "uai": "0930001W", "wave": "W1", "sessions": 2},
            {"trainer": "AT-2", "uai": "0930002X", "wave": "W2", "sessions": 2},
            {"trainer": "AT-1", "uai": "0930003Y", "wave": "W2", "sessions": 1},
        ],
        "trainer_training": [{"vendor": "V-1", "wave": "W1", "trainers": ["AT-2"]}],
        "leadership_training": [
            {"vendor": "V-1", "wave": "W1", "schools": ["0930001W", "0930003Y"]},
            {"vendor": "V-1", "wave": "W2", "schools": ["0930002X"]},
        ],
        "conflicts": [],
    }


BASINS = ("Nord", "Sud")
PRIORITIES = ("none", "REP", "REP+")


@st.composite
def windows(draw: st.DrawFn, wave_ids: list[str]) -> dict[str, str | None]:
    """Earliest ≤ pinned ≤ latest, each possibly null."""
    low, high = sorted(draw(st.lists(st.integers(0, len(wave_ids) - 1), min_size=2, max_size=2)))
    earliest = wave_ids[low] if draw(st.booleans()) else None
    latest = wave_ids[high] if draw(st.booleans()) else None
    pinned = wave_ids[draw(st.integers(low, high))] if draw(st.integers(0, 4)) == 0 else None
    return {"earliest_wave": earliest, "latest_wave": latest, "pinned_wave": pinned}


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid `rollout-scenario/1` with 1–6 schools, 1–3 waves and 2–3 trainers.

    One vendor and one academic trainer are always there: without either, every scenario is
    infeasible and the draws would rarely test the optimum.
    """
    wave_ids = [f"W{i + 1}" for i in range(draw(st.integers(1, 3)))]
    waves = [
        {
            "id": wid,
            "start": f"2027-0{2 * i + 1}-04",
            "end": f"2027-0{2 * i + 2}-12",
            "max_schools": draw(st.none() | st.integers(1, 6)),
            "max_pupils": draw(st.none() | st.integers(500, 3000)),
        }
        for i, wid in enumerate(wave_ids)
    ]
    schools = []
    for i in range(draw(st.integers(1, 6))):
        digits = f"09300{i + 1:02d}"
        schools.append({
            "uai": digits + check_letter(digits),
            "name": f"Collège {i + 1}",
            "basin": draw(st.sampled_from(BASINS)),
            "pupils": draw(st.integers(0, 900)),
            "teachers": draw(st.integers(1, 35)),
            "priority": draw(st.sampled_from(PRIORITIES)),
            **draw(windows(wave_ids)),
        })
    tiers = ["vendor", "academic", *draw(st.lists(st.sampled_from(["vendor", "academic"]), max_size=1))]
    trainers = [
        {
            "id": f"T-{i + 1}",
            "name": f"Trainer {i + 1}",
            "tier": tier,
            "basins": draw(st.none() | st.lists(st.sampled_from(BASINS), min_size=1, max_size=2, unique=True)),
            "capacity": draw(st.integers(2, 8)),
            "capacity_by_wave": draw(st.dictionaries(st.sampled_from(wave_ids), st.integers(0, 6), max_size=1)),
            "trained": tier == "vendor" or draw(st.integers(0, 2)) > 0,
        }
        for i, tier in enumerate(tiers)
    ]
    weights = draw(st.dictionaries(st.sampled_from(PRIORITIES), st.sampled_from([1, 2, 3, 1.5]), max_size=3))
    return {
        "format": "rollout-scenario/1",
        "name": "tiny",
        "waves": waves,
        "schools": schools,
        "trainers": trainers,
        "cascade": {
            "teachers_per_session": draw(st.integers(10, 30)),
            "trainers_per_session": draw(st.integers(1, 3)),
            "schools_per_leadership_session": draw(st.integers(1, 4)),
            "trainer_lag": draw(st.integers(0, 2)),
        },
        "objective": {"priority_weights": weights},
    }
