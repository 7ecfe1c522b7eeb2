"""Explain an infeasible scenario in its own terms, and find the cheapest way to relax it.

Every requirement a district leader can change (a school's pinned, earliest or latest wave, a
wave's caps, a basin's teacher-session supply in a wave, a trainer's capacity, the vendors'
sessions in a wave) is guarded by an assumption literal in the explain-mode model. CP-SAT's
`sufficient_assumptions_for_infeasibility()` gives a set of requirements that cannot all hold;
it is shrunk by deletion (drop one requirement, re-solve, keep it out while still infeasible)
so that each listed requirement matters. A second solve with the literals free finds the fewest
requirements to lift for a plan to exist (then the smallest overshoot of the lifted capacities),
which becomes the `relax` advice on the conflicts, and, from the relaxed plan found, the what-if
edits that apply it (`planner.relaxation_edits`).
"""

from __future__ import annotations

import logging
import time

from ortools.sat.python import cp_model

from planner.model import PlanModel, Requirement
from planner.plan import Conflict
from planner.relaxation_edits import Lifted, RelaxationEdits, Witness, merge_edits
from planner.scenario import Scenario

logger = logging.getLogger(__name__)

MAX_SHRINK_STEPS = 40


def explain_infeasibility(scenario: Scenario, *, time_limit: float, seed: int = 0) -> list[Conflict]:
    """Conflicts of an infeasible scenario: a small core, with relaxation advice where found."""
    deadline = time.monotonic() + time_limit
    built = PlanModel(scenario, explain=True)
    core = _core(built, list(built.literals), deadline, seed)
    if core is None:
        logger.warning("no conflict set found within the time limit")
        return []
    core = _shrink(built, core, deadline, seed)
    relaxation, witness = _relaxation(built, deadline, seed)
    edits = None if witness is None else RelaxationEdits(scenario, witness)
    phrasing = _Phrasing(scenario, built, core, edits)
    indices = [literal.index for literal in core]
    indices += [index for index in relaxation if index not in indices]
    return phrasing.conflicts([(built.requirements[index], relaxation.get(index)) for index in indices])


def _solver(deadline: float, seed: int) -> cp_model.CpSolver:
    """One worker: assumption cores are reported reliably only by the sequential search."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
    return solver


def _core(built: PlanModel, assumptions: list, deadline: float, seed: int) -> list | None:
    """Requirements among `assumptions` that cannot all hold, or None if not proven in time."""
    built.model.clear_assumptions()
    built.model.add_assumptions(assumptions)
    solver = _solver(deadline, seed)
    if solver.solve(built.model) != cp_model.INFEASIBLE:
        return None
    found = set(solver.sufficient_assumptions_for_infeasibility())
    return [literal for literal in assumptions if literal.index in found]


def _shrink(built: PlanModel, core: list, deadline: float, seed: int) -> list:
    """Drop requirements from the core while it stays infeasible, so each one left matters."""
    candidate = 0
    for _ in range(MAX_SHRINK_STEPS):
        if candidate >= len(core) or time.monotonic() >= deadline:
            break
        smaller = _core(built, core[:candidate] + core[candidate + 1 :], deadline, seed)
        if smaller is None:
            candidate += 1
        else:
            core = smaller
    built.model.clear_assumptions()
    return core


def _relaxation(built: PlanModel, deadline: float, seed: int) -> tuple[dict[int, Lifted], Witness | None]:
    """The fewest requirements to lift, then the least overshoot of capacities and school windows;
    with the relaxed plan's trainers, from which the edits that apply it are made."""
    model = built.model
    model.clear_assumptions()
    lifted = sum(1 - literal for literal in built.literals)
    model.minimize(lifted)
    halfway = time.monotonic() + (deadline - time.monotonic()) / 2
    solver = _solver(halfway, seed)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, None
    model.add(lifted <= round(solver.objective_value))
    overshoot = sum(slack for slacks in built.slacks.values() for _, slack in slacks)
    displacement = _displacement(built)
    model.minimize((1 + len(built.waves) * len(built.classes)) * overshoot + displacement)
    second = _solver(deadline, seed)
    if second.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver = second
    relaxed = {}
    for literal in built.literals:
        if not solver.boolean_value(literal):
            relaxed[literal.index] = Lifted(
                overshoot={w: solver.value(s) for w, s in built.slacks[literal.index] if solver.value(s)},
                school_wave=_school_wave(built, solver, built.requirements[literal.index]),
            )
    return relaxed, _witness(built, solver)


def _witness(built: PlanModel, solver: cp_model.CpSolver) -> Witness:
    """Teacher sessions each academic trainer runs, and whether it is qualified, in the relaxed plan
    (in explain mode each trainer is a group of its own)."""
    load: dict[tuple[str, int], int] = {}
    for (g, _, w), sessions in built.sessions.items():
        key = (built.groups[g].key, w)
        load[key] = load.get(key, 0) + solver.value(sessions)
    qualified = {}
    for g, group in enumerate(built.groups):
        for w in built.waves:
            members = built.qualified(g, w)
            qualified[group.key, w] = (members if isinstance(members, int) else solver.value(members)) > 0
    return Witness(load=load, qualified=qualified)


def _displacement(built: PlanModel) -> cp_model.LinearExprT:
    """Waves by which schools end up outside their pinned, earliest or latest wave."""
    terms = []
    for i, c in enumerate(built.classes):
        first, last = built.scenario.window(c.members[0])
        for w in built.waves:
            distance = max(0, first - w, w - last)
            if distance:
                terms.append(distance * built.schools[i, w])
    return sum(terms)


def _school_wave(built: PlanModel, solver: cp_model.CpSolver, requirement: Requirement) -> int | None:
    """The wave a relaxed school ends up in (None for requirements that are not about a school)."""
    for i, c in enumerate(built.classes):
        if c.key == requirement.subject:
            return next(w for w in built.waves if solver.value(built.schools[i, w]))
    return None


class _Phrasing:
    """Words for requirements, for a district leader who knows the scenario, not the model."""

    def __init__(self, scenario: Scenario, built: PlanModel, core: list, edits: RelaxationEdits | None) -> None:
        self.scenario = scenario
        self.built = built
        self.edits = edits
        self.school = {school.uai: school for school in scenario.schools}
        self.core_schools = {
            built.requirements[literal.index].subject: built.requirements[literal.index]
            for literal in core
            if built.requirements[literal.index].rule in ("pinned_wave", "latest_wave")
        }

    def wave_id(self, wave: int) -> str:
        return self.scenario.waves[wave].id

    def conflicts(self, entries: list[tuple[Requirement, Lifted | None]]) -> list[Conflict]:
        """One conflict per requirement, except a basin's teacher supply, told once for all its waves."""
        supply: dict[str, list[tuple[Requirement, Lifted | None]]] = {}
        result: list[Conflict | str] = []
        for requirement, lifted in entries:
            if requirement.rule != "teacher_supply":
                result.append(self.conflict(requirement, lifted))
            elif requirement.basin in supply:
                supply[requirement.basin].append((requirement, lifted))
            else:
                supply[requirement.basin] = [(requirement, lifted)]
                result.append(requirement.basin)
        return [self._teacher_supply(supply[item]) if isinstance(item, str) else item for item in result]

    def conflict(self, requirement: Requirement, relaxed: Lifted | None) -> Conflict:
        rule = requirement.rule
        message, schools, trainers, waves = getattr(self, f"_{rule}")(requirement)
        relax = None if relaxed is None else getattr(self, f"_relax_{rule}")(requirement, relaxed)
        edits = self._edits([(requirement, relaxed)])
        return Conflict(rule, message, tuple(schools), tuple(trainers), tuple(waves), relax, edits)

    def _edits(self, entries: list[tuple[Requirement, Lifted | None]]) -> tuple[dict, ...]:
        """The what-if edits lifting the requirements of one conflict that the relaxation lifts."""
        if self.edits is None:
            return ()
        found = [
            edit
            for requirement, lifted in entries
            if lifted is not None
            for edit in self.edits.for_requirement(requirement.rule, requirement.subject, requirement.wave, lifted)
        ]
        return tuple(merge_edits(found))

    # -- schools ---------------------------------------------------------------------------

    def _named(self, uai: str) -> str:
        name = self.school[uai].name
        return f"{name} ({uai})" if name else uai

    def _pinned_wave(self, r: Requirement) -> tuple:
        return f"{self._named(r.subject)} is pinned to {self.wave_id(r.wave)}", [r.subject], [], [self.wave_id(r.wave)]

    def _earliest_wave(self, r: Requirement) -> tuple:
        message = f"{self._named(r.subject)} cannot start before {self.wave_id(r.wave)} (earliest_wave)"
        return message, [r.subject], [], [self.wave_id(r.wave)]

    def _latest_wave(self, r: Requirement) -> tuple:
        message = f"{self._named(r.subject)} must start by {self.wave_id(r.wave)} (latest_wave)"
        return message, [r.subject], [], [self.wave_id(r.wave)]

    def _relax_pinned_wave(self, r: Requirement, relaxed: Lifted) -> str:
        return f"unpin {r.subject} and move it to {self.wave_id(relaxed.school_wave)}"

    def _relax_earliest_wave(self, r: Requirement, relaxed: Lifted) -> str:
        return f"have {r.subject} ready for {self.wave_id(relaxed.school_wave)} (earliest_wave {self.wave_id(r.wave)})"

    def _relax_latest_wave(self, r: Requirement, relaxed: Lifted) -> str:
        return f"allow {r.subject} until {self.wave_id(relaxed.school_wave)} (latest_wave {self.wave_id(r.wave)})"

    # -- waves -----------------------------------------------------------------------------

    def _max_schools(self, r: Requirement) -> tuple:
        cap = self.scenario.waves[r.wave].max_schools
        return f"wave {r.subject} takes at most {cap} schools (max_schools)", [], [], [r.subject]

    def _max_pupils(self, r: Requirement) -> tuple:
        cap = self.scenario.waves[r.wave].max_pupils
        return f"wave {r.subject} takes at most {cap} pupils (max_pupils)", [], [], [r.subject]

    def _relax_max_schools(self, r: Requirement, relaxed: Lifted) -> str:
        cap = self.scenario.waves[r.wave].max_schools
        return f"raise max_schools of {r.subject} from {cap} to {cap + relaxed.overshoot.get(r.wave, 0)}"

    def _relax_max_pupils(self, r: Requirement, relaxed: Lifted) -> str:
        cap = self.scenario.waves[r.wave].max_pupils
        return f"raise max_pupils of {r.subject} from {cap} to {cap + relaxed.overshoot.get(r.wave, 0)}"

    # -- trainers --------------------------------------------------------------------------

    def _teacher_supply(self, entries: list[tuple[Requirement, Lifted | None]]) -> Conflict:
        """A basin's teacher sessions in some waves: who needs them, and what its trainers can give."""
        basin = entries[0][0].basin
        waves = sorted(r.wave for r, _ in entries)
        names = self._wave_list(waves)
        serving = [t for t in self.scenario.academics if t.serves(basin)]
        if len(waves) == len(self.scenario.waves):
            held = [s.uai for s in self.scenario.schools if s.basin == basin]
        else:
            held = [
                uai for uai, req in self.core_schools.items()
                if self.school[uai].basin == basin and req.wave <= waves[-1]
            ]
        if held:
            sessions = sum(self.scenario.sessions_needed(self.school[uai]) for uai in held)
            demand = f"the {len(held)} school(s) of basin {basin} need {sessions} teacher session(s) in {names}"
        else:
            demand = f"basin {basin} needs teacher sessions in {names}"
        message = f"{demand}, but {self._supply(basin, waves, serving)}"
        missing: dict[int, int] = {}
        for _, lifted in entries:
            for wave, n in (lifted.overshoot if lifted else {}).items():
                missing[wave] = missing.get(wave, 0) + n
        relax = None
        if any(lifted is not None for _, lifted in entries):
            more = ", ".join(f"{n} in {self.wave_id(w)}" for w, n in sorted(missing.items()) if n)
            relax = (
                f"give basin {basin} more teacher sessions ({more or 'a few'}): train a trainer earlier, "
                "add a trainer serving it, or raise a trainer's capacity"
            )
        return Conflict(
            "teacher_supply", message, tuple(held), tuple(t.id for t in serving),
            tuple(self.wave_id(w) for w in waves), relax, self._edits(sorted(entries, key=lambda entry: entry[0].wave)), basin,
        )

    def _wave_list(self, waves: list[int]) -> str:
        if len(waves) > 2 and waves == list(range(waves[0], waves[-1] + 1)):
            return f"{self.wave_id(waves[0])}-{self.wave_id(waves[-1])}"
        return ", ".join(self.wave_id(w) for w in waves)

    def _supply(self, basin: str, waves: list[int], serving: list) -> str:
        """What the trainers serving a basin can give in some waves, and why not more."""
        if not serving:
            return f"no academic trainer serves basin {basin}"
        lag = self.scenario.cascade.trainer_lag
        capacity = sum(
            t.capacity_in(self.wave_id(w)) for w in waves for t in serving if t.trained or w >= lag
        )
        names = self._wave_list(waves)
        if not any(t.trained or w >= lag for w in waves for t in serving):
            return (
                f"none of the {len(serving)} trainer(s) serving {basin} is trained at the start, and a "
                f"trainer trained in a wave teaches only {lag} wave(s) later, so none is qualified in {names}"
            )
        ids = ", ".join(t.id for t in serving)
        return f"the trainers serving {basin} ({ids}) can run at most {capacity} session(s) in {names}"

    def _trainer_capacity(self, r: Requirement) -> tuple:
        trainer = next(t for t in self.scenario.academics if t.id == r.subject)
        overrides = ", ".join(f"{w}: {n}" for w, n in trainer.capacity_by_wave.items())
        detail = f" ({overrides})" if overrides else ""
        message = f"trainer {r.subject} runs at most {trainer.capacity} teacher session(s) per wave{detail}"
        return message, [], [r.subject], list(trainer.capacity_by_wave)

    def _relax_trainer_capacity(self, r: Requirement, relaxed: Lifted) -> str:
        trainer = next(t for t in self.scenario.academics if t.id == r.subject)
        extra = ", ".join(
            f"{trainer.capacity_in(self.wave_id(w)) + n} in {self.wave_id(w)}"
            for w, n in sorted(relaxed.overshoot.items())
        )
        return f"let {r.subject} run {extra}"

    def _vendor_capacity(self, r: Requirement) -> tuple:
        vendors = self.scenario.vendors
        capacity = self.built.vendor_capacity(r.wave)
        names = ", ".join(v.id for v in vendors) or "none"
        message = (
            f"in {r.subject} the vendor trainers ({names}) run at most {capacity} session(s), "
            "trainer training and school leadership together"
        )
        return message, [], [v.id for v in vendors], [r.subject]

    def _relax_vendor_capacity(self, r: Requirement, relaxed: Lifted) -> str:
        return f"add {relaxed.overshoot.get(r.wave, 0)} vendor session(s) in {r.subject}"
