"""Re-plan a rollout under way: keep what has happened, plan again what has not.

A plan goes wrong as soon as it meets the field: a school's devices arrive late, a trainer
falls ill. Given the scenario, the plan being followed and a `rollout-progress/1` document,
the re-plan keeps the past as it is and gives the planner only the future, in two scenarios:

* the **new scenario** (`replan_scenario`, `--scenario-out`) describes the whole rollout as it
  now stands. Every wave is kept, so positions, the objective and `trainer_lag` keep their
  meaning. A school deploying (live or in progress) is pinned to the wave it is really in; a
  school not started may only go to a wave that has not begun (`earliest_wave` moves up to the
  first wave starting on or after `as_of`; a pin or deadline in a begun wave can no longer be
  met and is lifted, with a note). Trainers whose training is complete become `trained`. In
  each begun wave, every trainer's `capacity_by_wave` becomes exactly the sessions the kept
  past uses, so nothing consumed can be handed out again. The new plan is valid for it.
* the **future scenario** is what the solver sees: the new scenario without the deploying
  schools and with no capacity at all in begun waves. The solver cannot then put new work in
  the past, not even in a seat left free in a past session, which a capacity count alone
  could not prevent (a vendor session of the past with room for one more school's leadership).

The past (the deploying schools' waves, their teacher sessions and leadership sessions) comes
from the plan. Where the plan has nothing to say, because a school is deploying in another
wave than planned, its teacher sessions go to trained trainers of its basin with capacity left
in that wave, and its leadership to a vendor with capacity left in a begun wave up to its own;
if none is left the re-plan stops and says so rather than invent capacity. The new plan is
that past plus the solver's plan of the future; its objective is the contract's objective on
the new scenario, and its bound the future's bound plus the past's fixed share.
`docs/replanning.md` explains each rule and its reasons.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from planner.plan import PLANNED, PlanResult
from planner.progress import ProgressError, RolloutProgress, parse_progress
from planner.replan_past import KeptPast, kept_past, school_label
from planner.scenario import Scenario, validate_scenario
from planner.solve import exact_objective, solve


class PlanInputError(ValueError):
    """A plan that cannot be followed into a re-plan; `problems` lists each with its path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Replanning:
    """The two scenarios of a re-plan and the kept past; `combine` joins the future's plan to it."""

    scenario: dict[str, Any]
    future: dict[str, Any]
    past: KeptPast
    notes: list[str]

    def combine(self, future: PlanResult) -> PlanResult:
        """The plan of the whole rollout: the kept past and the solver's plan of the future."""
        name = self.scenario.get("name", "")
        stats = dict(future.stats, frozen_schools=len(self.past.assignments))
        if future.status not in PLANNED:
            return PlanResult(scenario=name, status=future.status, conflicts=future.conflicts, stats=stats)
        typed = validate_scenario(self.scenario)
        merged = self.past.assignments | future.assignments
        assignments = {school.uai: merged[school.uai] for school in typed.schools}
        objective = exact_objective(typed, assignments)
        return PlanResult(
            scenario=name,
            status=future.status,
            objective=objective,
            bound=future.bound + (objective - future.objective),
            assignments=assignments,
            teacher_sessions=self.past.teacher_sessions + future.teacher_sessions,
            trainer_training=future.trainer_training,
            leadership_training=self.past.leadership_training + future.leadership_training,
            stats=stats,
        )


def prepare_replanning(
    scenario: dict[str, Any], plan: dict[str, Any], progress: RolloutProgress | dict[str, Any]
) -> Replanning:
    """Build the new and future scenarios and the kept past; raise on input that cannot be used.

    Raises ScenarioError (scenario), PlanInputError (plan) or ProgressError (progress, checked
    on its own and against the scenario), each listing every problem with its path.
    """
    typed = validate_scenario(scenario)
    if not isinstance(progress, RolloutProgress):
        progress = parse_progress(progress)
    planned = _planned_waves(typed, plan)
    begun = [wave.id for wave in takewhile(lambda wave: wave.start < progress.as_of, typed.waves)]
    _check_progress(typed, progress, begun)
    notes: list[str] = []
    frozen = _deploying(typed, progress, planned, begun, notes)
    first_open = typed.waves[len(begun)].id if len(begun) < len(typed.waves) else None
    waiting = [school.uai for school in typed.schools if school.uai not in frozen]
    if waiting and first_open is None:
        raise ProgressError(
            [f"as_of: every wave has begun by {progress.as_of}, yet {len(waiting)} school(s) have not "
             "started: add a wave to the scenario to re-plan them"]
        )
    trained = {t.id for t in typed.academics if t.trained} | set(progress.trainers_trained)
    past = kept_past(typed, plan, frozen, trained, begun, notes)
    trained |= set(past.relied_on)
    new = _new_scenario(scenario, typed, frozen, trained, past, begun, first_open, notes)
    new["replanning"] = {"as_of": progress.as_of.isoformat(), "begun_waves": begun, "notes": notes}
    future = copy.deepcopy(new)
    future["schools"] = [school for school in future["schools"] if school["uai"] not in frozen]
    for trainer in future["trainers"]:
        trainer["capacity_by_wave"].update({wave_id: 0 for wave_id in begun})
    return Replanning(scenario=new, future=future, past=past, notes=notes)


def replan_scenario(
    scenario: dict[str, Any], plan: dict[str, Any], progress: RolloutProgress | dict[str, Any]
) -> dict[str, Any]:
    """The scenario of the rollout as it stands at `progress.as_of` (see the module docstring).

    It is a valid `rollout-scenario/1` with an extra `replanning` field (as_of, begun waves and
    notes on every requirement the past made impossible and that was therefore lifted).
    """
    return prepare_replanning(scenario, plan, progress).scenario


def replan(
    scenario: dict[str, Any],
    plan: dict[str, Any],
    progress: RolloutProgress | dict[str, Any],
    **solve_options: Any,
) -> PlanResult:
    """Re-plan: solve the future scenario with `planner.solve` and join the kept past to it."""
    replanning = prepare_replanning(scenario, plan, progress)
    return replanning.combine(solve(replanning.future, **solve_options))


def _planned_waves(typed: Scenario, plan: Any) -> dict[str, str]:
    """The plan's wave of each school still in the scenario, after checking its shape."""
    if not isinstance(plan, dict) or plan.get("format") != "rollout-plan/1":
        raise PlanInputError(["format: not a rollout-plan/1 document"])
    if plan.get("status") not in PLANNED:
        raise PlanInputError(
            [f"status: {plan.get('status')!r}: this plan places no school, so there is nothing to follow; "
             "plan the scenario afresh instead"]
        )
    problems = []
    planned: dict[str, str] = {}
    for index, entry in enumerate(plan.get("assignments") or []):
        wave = entry.get("wave") if isinstance(entry, dict) else None
        if wave not in typed.wave_index:
            problems.append(f"assignments[{index}].wave: {wave!r} is not a wave of the scenario")
        else:
            planned[entry.get("uai")] = wave
    shapes = {"teacher_sessions": {"trainer": str, "uai": str, "wave": str, "sessions": int},
              "leadership_training": {"vendor": str, "wave": str, "schools": list}}
    for key, shape in shapes.items():
        for index, entry in enumerate(plan.get(key) or []):
            if not isinstance(entry, dict) or any(not isinstance(entry.get(f), kind) for f, kind in shape.items()):
                problems.append(f"{key}[{index}]: expected an object with {', '.join(shape)}")
            elif entry["wave"] not in typed.wave_index:
                problems.append(f"{key}[{index}].wave: {entry['wave']!r} is not a wave of the scenario")
    if problems:
        raise PlanInputError(problems)
    return planned


def _check_progress(typed: Scenario, progress: RolloutProgress, begun: list[str]) -> None:
    """The progress must speak of this scenario's schools, waves and trainers, and be possible."""
    schools = {school.uai for school in typed.schools}
    tiers = {trainer.id: trainer.tier for trainer in typed.trainers}
    starts = {wave.id: wave.start for wave in typed.waves}
    problems = []
    for index, report in enumerate(progress.schools):
        if report.uai not in schools:
            problems.append(f"schools[{index}].uai: {report.uai!r} is not a school of the scenario")
        if report.wave is not None and report.wave not in starts:
            problems.append(f"schools[{index}].wave: {report.wave!r} is not a wave of the scenario")
        elif report.started and report.wave not in begun:
            problems.append(
                f"schools[{index}].wave: {report.wave} starts on {starts[report.wave]}, not before as_of "
                f"{progress.as_of}: a school cannot be {report.state} in a wave that has not begun"
            )
    for index, trainer_id in enumerate(progress.trainers_trained):
        if trainer_id not in tiers:
            problems.append(f"trainers_trained[{index}]: {trainer_id!r} is not a trainer of the scenario")
        elif tiers[trainer_id] == "vendor":
            problems.append(f"trainers_trained[{index}]: {trainer_id!r} is a vendor trainer (always trained)")
    if problems:
        raise ProgressError(problems)


def _deploying(
    typed: Scenario, progress: RolloutProgress, planned: dict[str, str], begun: list[str], notes: list[str]
) -> dict[str, str]:
    """The wave of each school that is live or in progress: as reported, else as planned if begun."""
    reports = {report.uai: report for report in progress.schools}
    frozen: dict[str, str] = {}
    assumed = 0
    for school in typed.schools:
        report, wave = reports.get(school.uai), planned.get(school.uai)
        if report is not None and report.started:
            frozen[school.uai] = report.wave
        elif report is None and wave in begun:
            frozen[school.uai] = wave
            assumed += 1
        elif report is not None and wave in begun:
            notes.append(f"{school_label(school)} has not started although its wave {wave} has begun: planned again")
        elif wave is None:
            notes.append(f"{school_label(school)} is not in the plan: planned as a new school")
    if assumed:
        notes.append(f"{assumed} school(s) not in the progress file are taken as deploying in their planned wave")
    return frozen


def _new_scenario(
    scenario: dict[str, Any],
    typed: Scenario,
    frozen: dict[str, str],
    trained: set[str],
    past: KeptPast,
    begun: list[str],
    first_open: str | None,
    notes: list[str],
) -> dict[str, Any]:
    """The scenario as it stands: pins for the past, windows moved past it, its capacity used up."""
    new = copy.deepcopy(scenario)
    position = typed.wave_index
    pupils = {school.uai: school.pupils for school in typed.schools}
    for wave in new["waves"]:
        if wave["id"] in begun:
            there = [uai for uai, wave_id in frozen.items() if wave_id == wave["id"]]
            for cap, amount in (("max_schools", len(there)), ("max_pupils", sum(pupils[uai] for uai in there))):
                if wave.get(cap) is not None and amount > wave[cap]:
                    notes.append(f"wave {wave['id']}: {cap} raised from {wave[cap]} to {amount}, what really happened")
                    wave[cap] = amount
    for school in new["schools"]:
        if school["uai"] in frozen:
            school.update(pinned_wave=frozen[school["uai"]], earliest_wave=None, latest_wave=None)
            continue
        for key, what in (("pinned_wave", "pin"), ("latest_wave", "deadline")):
            if school.get(key) in begun:
                notes.append(f"{school['uai']}: its {what} {school[key]} has begun without it: lifted")
                school[key] = None
        earliest = school.get("earliest_wave")
        if earliest is None or position[earliest] < position[first_open]:
            school["earliest_wave"] = first_open
    usage: Counter[tuple[str, str]] = Counter()
    for entry in past.teacher_sessions:
        usage[entry.trainer, entry.wave] += entry.sessions
    for entry in past.leadership_training:
        usage[entry.vendor, entry.wave] += 1
    for trainer in new["trainers"]:
        if trainer["tier"] == "academic" and trainer["id"] in trained:
            trainer["trained"] = True
        trainer["capacity_by_wave"] = dict(trainer.get("capacity_by_wave") or {}) | {
            wave_id: usage[trainer["id"], wave_id] for wave_id in begun
        }
    return new
