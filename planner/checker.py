"""An outside check of a `rollout-plan/1` document against its `rollout-scenario/1`.

The contract promises that a plan can be verified from the two files alone, by someone who
knows nothing of how it was computed. This module is that someone: it reads the contract's
six rules and nothing else, so it imports no OR-Tools and no other planner module. A bug in
the model therefore cannot hide behind the same bug in the checker; tests and the benchmark
run every plan the planner writes through `check_plan`.

Wave positions are 0-based, as in the contract. Messages name the school, trainer or wave
concerned, so that a failing test or a user reading a report knows where to look.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

PLANNED_STATUSES = ("OPTIMAL", "FEASIBLE")
NO_PLAN_STATUSES = ("INFEASIBLE", "UNKNOWN")
OBJECTIVE_TOLERANCE = 1e-6
LIST_FIELDS = ("assignments", "teacher_sessions", "trainer_training", "leadership_training")


@dataclass
class _Index:
    """The scenario's entities by id, and the plan's school-to-wave assignment once read."""

    wave_position: dict[str, int]
    schools: dict[str, dict[str, Any]]
    trainers: dict[str, dict[str, Any]]
    cascade: dict[str, Any]
    wave_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: dict[str, Any]) -> "_Index":
        return cls(
            wave_position={wave["id"]: i for i, wave in enumerate(scenario["waves"])},
            schools={school["uai"]: school for school in scenario["schools"]},
            trainers={trainer["id"]: trainer for trainer in scenario["trainers"]},
            cascade=scenario["cascade"],
        )

    def position(self, uai: str) -> int | None:
        wave = self.wave_of.get(uai)
        return self.wave_position.get(wave) if wave is not None else None

    def capacity(self, trainer_id: str, wave_id: str) -> int:
        trainer = self.trainers[trainer_id]
        by_wave = trainer.get("capacity_by_wave") or {}
        return int(by_wave.get(wave_id, trainer["capacity"]))

    def is_vendor(self, trainer_id: str) -> bool:
        return self.trainers[trainer_id]["tier"] == "vendor"


def priority_weight(scenario: dict[str, Any], priority: str) -> float:
    """The objective weight of a priority label; the contract says a missing weight is 1."""
    weights = (scenario.get("objective") or {}).get("priority_weights") or {}
    return float(weights.get(priority, 1))


def plan_objective(scenario: dict[str, Any], plan: dict[str, Any]) -> float:
    """Σ weight(priority) × pupils × position(wave) over the plan's assignments.

    Assignments to unknown schools or waves are skipped here; `check_plan` reports them.
    """
    positions = {wave["id"]: i for i, wave in enumerate(scenario["waves"])}
    schools = {school["uai"]: school for school in scenario["schools"]}
    total = 0.0
    for assignment in plan.get("assignments") or []:
        school = schools.get(assignment.get("uai"))
        position = positions.get(assignment.get("wave"))
        if school is not None and position is not None:
            total += priority_weight(scenario, school["priority"]) * school["pupils"] * position
    return total


def check_plan(scenario: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """Every way in which `plan` breaks the contract for `scenario`; empty when it is valid."""
    if plan.get("format") != "rollout-plan/1":
        return [f"plan format is {plan.get('format')!r}, expected 'rollout-plan/1'"]
    status = plan.get("status")
    if status in NO_PLAN_STATUSES:
        return _check_no_plan(plan)
    if status not in PLANNED_STATUSES:
        return [f"unknown plan status {status!r}"]
    shape = _check_shape(plan)
    if shape:
        return shape
    index = _Index.of(scenario)
    problems = _check_assignments(index, plan)
    problems += _check_wave_caps(scenario, index)
    problems += _check_teacher_sessions(index, plan)
    trained_in, training_problems = _check_trainer_training(index, plan)
    problems += training_problems
    problems += _check_qualification(index, plan, trained_in)
    problems += _check_leadership(index, plan)
    problems += _check_capacity(index, plan)
    problems += _check_objective(scenario, plan, status)
    return problems


def _check_shape(plan: dict[str, Any]) -> list[str]:
    """The plan's lists hold objects; anything else would make every later message misleading."""
    problems = []
    for key in LIST_FIELDS:
        entries = plan.get(key)
        if entries is None:
            problems.append(f"plan has no {key} list")
        elif not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            problems.append(f"plan {key} must be a list of objects")
    return problems


def _check_no_plan(plan: dict[str, Any]) -> list[str]:
    """A plan that was not found must not claim an objective or carry assignments."""
    problems = [
        f"{plan['status']} plan has a non-null {key}"
        for key in ("objective", "bound")
        if plan.get(key) is not None
    ]
    problems += [
        f"{plan['status']} plan has {key}"
        for key in LIST_FIELDS
        if plan.get(key)
    ]
    return problems


def _check_assignments(index: _Index, plan: dict[str, Any]) -> list[str]:
    """Rule 1, and records each school's wave in `index` for the other rules."""
    problems: list[str] = []
    for assignment in plan.get("assignments") or []:
        uai, wave = assignment.get("uai"), assignment.get("wave")
        if uai not in index.schools:
            problems.append(f"assignment to unknown school {uai!r}")
        elif wave not in index.wave_position:
            problems.append(f"school {uai} assigned to unknown wave {wave!r}")
        elif uai in index.wave_of:
            problems.append(f"school {uai} is assigned twice ({index.wave_of[uai]} and {wave})")
        else:
            index.wave_of[uai] = wave
    for uai, school in index.schools.items():
        position = index.position(uai)
        if position is None:
            if not any(a.get("uai") == uai for a in plan.get("assignments") or []):
                problems.append(f"school {uai} is not assigned to any wave")
            continue
        wave = index.wave_of[uai]
        earliest, latest, pinned = (school.get(k) for k in ("earliest_wave", "latest_wave", "pinned_wave"))
        if earliest is not None and position < index.wave_position[earliest]:
            problems.append(f"school {uai} is in {wave}, before its earliest wave {earliest}")
        if latest is not None and position > index.wave_position[latest]:
            problems.append(f"school {uai} is in {wave}, after its latest wave {latest}")
        if pinned is not None and wave != pinned:
            problems.append(f"school {uai} is in {wave}, but pinned to {pinned}")
    return problems


def _check_wave_caps(scenario: dict[str, Any], index: _Index) -> list[str]:
    """Rule 2: at most max_schools schools and max_pupils pupils per wave (null = no cap)."""
    schools: Counter[str] = Counter(index.wave_of.values())
    pupils: Counter[str] = Counter()
    for uai, wave in index.wave_of.items():
        pupils[wave] += index.schools[uai]["pupils"]
    problems = []
    for wave in scenario["waves"]:
        wid = wave["id"]
        if wave.get("max_schools") is not None and schools[wid] > wave["max_schools"]:
            problems.append(f"wave {wid} holds {schools[wid]} schools, more than max_schools {wave['max_schools']}")
        if wave.get("max_pupils") is not None and pupils[wid] > wave["max_pupils"]:
            problems.append(f"wave {wid} holds {pupils[wid]} pupils, more than max_pupils {wave['max_pupils']}")
    return problems


def _check_teacher_sessions(index: _Index, plan: dict[str, Any]) -> list[str]:
    """Rule 3 except qualification: who runs the sessions, where, when, and how many."""
    problems: list[str] = []
    given: Counter[str] = Counter()
    for entry in plan.get("teacher_sessions") or []:
        trainer, uai, wave, sessions = (entry.get(k) for k in ("trainer", "uai", "wave", "sessions"))
        where = f"teacher sessions of trainer {trainer!r} for school {uai!r} in wave {wave!r}"
        if trainer not in index.trainers:
            problems.append(f"{where}: unknown trainer")
            continue
        if uai not in index.schools:
            problems.append(f"{where}: unknown school")
            continue
        if not isinstance(sessions, int) or isinstance(sessions, bool) or sessions < 1:
            problems.append(f"{where}: sessions must be a positive integer, got {sessions!r}")
            continue
        given[uai] += sessions
        if index.is_vendor(trainer):
            problems.append(f"{where}: {trainer} is a vendor trainer; teacher sessions need an academic trainer")
        basins = index.trainers[trainer].get("basins")
        if basins is not None and index.schools[uai]["basin"] not in basins:
            problems.append(f"{where}: {trainer} does not serve basin {index.schools[uai]['basin']!r}")
        if wave != index.wave_of.get(uai):
            problems.append(f"{where}: the school is in wave {index.wave_of.get(uai)!r}")
    per_session = index.cascade["teachers_per_session"]
    for uai, school in index.schools.items():
        needed = math.ceil(school["teachers"] / per_session)
        if given[uai] != needed:
            problems.append(
                f"school {uai} has {given[uai]} teacher sessions, needs {needed} "
                f"({school['teachers']} teachers, {per_session} per session)"
            )
    return problems


def _check_trainer_training(index: _Index, plan: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    """Rule 4; returns the wave position in which each academic trainer was trained."""
    problems: list[str] = []
    trained_in: dict[str, int] = {}
    per_session = index.cascade["trainers_per_session"]
    for entry in plan.get("trainer_training") or []:
        vendor, wave, trainees = entry.get("vendor"), entry.get("wave"), entry.get("trainers") or []
        where = f"trainer training by {vendor!r} in wave {wave!r}"
        if vendor not in index.trainers or not index.is_vendor(vendor):
            problems.append(f"{where}: {vendor!r} is not a vendor trainer")
        if wave not in index.wave_position:
            problems.append(f"{where}: unknown wave")
            continue
        if len(trainees) > per_session:
            problems.append(f"{where}: trains {len(trainees)} trainers, more than trainers_per_session {per_session}")
        for trainee in trainees:
            if trainee not in index.trainers or index.is_vendor(trainee):
                problems.append(f"{where}: {trainee!r} is not an academic trainer")
            elif index.trainers[trainee].get("trained"):
                problems.append(f"{where}: trainer {trainee} was already trained at the start")
            elif trainee in trained_in:
                problems.append(f"{where}: trainer {trainee} is trained a second time")
            else:
                trained_in[trainee] = index.wave_position[wave]
    return trained_in, problems


def _check_qualification(index: _Index, plan: dict[str, Any], trained_in: dict[str, int]) -> list[str]:
    """Rule 3's qualification: trained at the start, or trained in k with k + lag ≤ the wave."""
    lag = index.cascade["trainer_lag"]
    problems = []
    for entry in plan.get("teacher_sessions") or []:
        trainer, uai, wave = entry.get("trainer"), entry.get("uai"), entry.get("wave")
        if trainer not in index.trainers or index.is_vendor(trainer) or index.trainers[trainer].get("trained"):
            continue
        position = index.wave_position.get(wave)
        if position is None:
            continue
        if trainer not in trained_in:
            problems.append(f"trainer {trainer} runs teacher sessions for school {uai} in {wave} but is never trained")
        elif trained_in[trainer] + lag > position:
            problems.append(
                f"trainer {trainer} runs teacher sessions for school {uai} in {wave} but is trained "
                f"in wave position {trained_in[trainer]} with lag {lag}, so qualified only from position "
                f"{trained_in[trainer] + lag}"
            )
    return problems


def _check_leadership(index: _Index, plan: dict[str, Any]) -> list[str]:
    """Rule 5: each school's leadership once, by a vendor, in its wave or earlier."""
    problems: list[str] = []
    per_session = index.cascade["schools_per_leadership_session"]
    covered: Counter[str] = Counter()
    for entry in plan.get("leadership_training") or []:
        vendor, wave, schools = entry.get("vendor"), entry.get("wave"), entry.get("schools") or []
        where = f"leadership training by {vendor!r} in wave {wave!r}"
        if vendor not in index.trainers or not index.is_vendor(vendor):
            problems.append(f"{where}: {vendor!r} is not a vendor trainer")
        if wave not in index.wave_position:
            problems.append(f"{where}: unknown wave")
            continue
        if len(schools) > per_session:
            problems.append(
                f"{where}: covers {len(schools)} schools, more than schools_per_leadership_session {per_session}"
            )
        for uai in schools:
            if uai not in index.schools:
                problems.append(f"{where}: unknown school {uai!r}")
                continue
            covered[uai] += 1
            position = index.position(uai)
            if position is not None and index.wave_position[wave] > position:
                problems.append(f"{where}: school {uai} goes live earlier, in {index.wave_of[uai]}")
    for uai in index.schools:
        if covered[uai] != 1:
            problems.append(f"school {uai} has its leadership trained {covered[uai]} times, expected once")
    return problems


def trainer_load(plan: dict[str, Any]) -> dict[tuple[str, str], int]:
    """Sessions each trainer runs in each wave of a `rollout-plan/1` document, as rule 6 counts
    them: teacher sessions for académie trainers, one per trainer-training or leadership session
    for vendors. Shared with the trainers dashboard, so it shows the load the checker checks."""
    load: defaultdict[tuple[str, str], int] = defaultdict(int)
    for entry in plan.get("teacher_sessions") or []:
        if isinstance(entry.get("trainer"), str) and isinstance(entry.get("sessions"), int):
            load[entry["trainer"], entry.get("wave")] += entry["sessions"]
    for key in ("trainer_training", "leadership_training"):
        for entry in plan.get(key) or []:
            if isinstance(entry.get("vendor"), str):
                load[entry["vendor"], entry.get("wave")] += 1
    return dict(load)


def _check_capacity(index: _Index, plan: dict[str, Any]) -> list[str]:
    """Rule 6: sessions per trainer and wave, vendors counting both kinds of session."""
    load = {key: sessions for key, sessions in trainer_load(plan).items() if key[0] in index.trainers}
    problems = []
    for (trainer, wave), sessions in sorted(load.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        if wave not in index.wave_position:
            continue
        capacity = index.capacity(trainer, wave)
        if sessions > capacity:
            problems.append(f"trainer {trainer} runs {sessions} sessions in wave {wave}, capacity {capacity}")
    return problems


def _check_objective(scenario: dict[str, Any], plan: dict[str, Any], status: str) -> list[str]:
    """The reported objective is this plan's, and the bound is a lower bound (equal if OPTIMAL)."""
    objective, bound = plan.get("objective"), plan.get("bound")
    if not isinstance(objective, (int, float)) or not isinstance(bound, (int, float)):
        return [f"{status} plan needs numeric objective and bound, got {objective!r} and {bound!r}"]
    expected = plan_objective(scenario, plan)
    tolerance = OBJECTIVE_TOLERANCE * max(1.0, abs(expected))
    problems = []
    if abs(objective - expected) > tolerance:
        problems.append(f"plan objective {objective} differs from the recomputed objective {expected}")
    if bound > objective + tolerance:
        problems.append(f"plan bound {bound} exceeds its objective {objective}")
    if status == "OPTIMAL" and abs(bound - objective) > tolerance:
        problems.append(f"OPTIMAL plan has bound {bound} different from objective {objective}")
    return problems
