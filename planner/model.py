"""The CP-SAT model of the rollout cascade, one `_add_<rule>()` method per contract rule.

The model is exact but aggregated, because the contract's structure allows it:

- Schools that nothing tells apart (same basin, pupils, priority weight, sessions needed and
  window) form a class; `schools[class, wave]` counts how many go in each wave. This removes
  their symmetry without losing any plan.
- Within a basin, schools are interchangeable for trainers, so teacher sessions are a flow
  `sessions[group, basin, wave]` from trainer groups to basins; any flow covering a basin's
  demand can be split into (trainer, school) sessions afterwards (a transportation problem).
- Academic trainers that nothing tells apart (same basins served, capacity per wave, trained
  flag) form a group; `trained[group, wave]` counts how many are trained in that wave, and the
  group's qualified members in wave w are a prefix sum up to w - trainer_lag.
- Vendor sessions are pooled per wave: any number of sessions up to the vendors' total capacity
  can be spread over the vendors afterwards.
- Leadership only needs the prefix condition "schools in waves <= w fit in the leadership
  sessions of waves <= w" (earliest-deadline-first assignment then always succeeds).

`planner.extract` turns a solution back into a full per-school, per-trainer plan.

In explain mode (used to explain infeasibility) every school and trainer stands alone and each
requirement a district leader can relax is guarded by an assumption literal, with a slack
variable that measures how far a relaxation had to go.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from ortools.sat.python import cp_model

from planner.scenario import School, Scenario, Trainer

MAX_WEIGHT_SCALE = 10**6


@dataclass(frozen=True)
class SchoolClass:
    """Schools the model need not tell apart, in scenario order."""

    key: str
    members: tuple[School, ...]
    basin: str
    pupils: int
    weight: Fraction
    need: int
    first: int
    last: int


@dataclass(frozen=True)
class TrainerGroup:
    """Academic trainers the model need not tell apart, in scenario order."""

    key: str
    members: tuple[Trainer, ...]
    basins: frozenset[str]
    capacity: tuple[int, ...]
    trained: bool


@dataclass(frozen=True)
class Requirement:
    """A rule instance a district leader can relax, guarded by a literal in explain mode."""

    rule: str
    subject: str
    wave: int | None = None
    basin: str | None = None


def weight_scale(weights: list[float]) -> int:
    """The smallest integer that makes every priority weight an integer, capped at 10**6.

    CP-SAT needs integer coefficients; beyond the cap weights are rounded, which is logged by
    the caller, and the reported objective stays exact because it is recomputed from the plan.
    """
    scale = 1
    for weight in weights:
        scale = math.lcm(scale, Fraction(repr(weight)).denominator)
    return min(scale, MAX_WEIGHT_SCALE)


class PlanModel:
    """Builds the CP-SAT model of a scenario; `explain=True` adds the assumption literals."""

    def __init__(self, scenario: Scenario, *, explain: bool = False) -> None:
        self.scenario = scenario
        self.explain = explain
        self.model = cp_model.CpModel()
        self.waves = range(len(scenario.waves))
        self.lag = scenario.cascade.trainer_lag
        self.requirements: dict[int, Requirement] = {}
        self.literals: list[cp_model.IntVar] = []
        self.slacks: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.scale = weight_scale(list(scenario.objective.priority_weights.values()))
        self.classes = self._school_classes()
        self.groups = self._trainer_groups()
        self.basins = sorted({c.basin for c in self.classes})
        self.classes_in: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(self.classes):
            self.classes_in[c.basin].append(i)
        self.total_need = sum(c.need * len(c.members) for c in self.classes)
        self.schools: dict[tuple[int, int], cp_model.IntVar] = {}
        self.trained: dict[tuple[int, int], cp_model.IntVar] = {}
        self.sessions: dict[tuple[int, str, int], cp_model.IntVar] = {}
        self.training_sessions: list[cp_model.IntVar] = []
        self.leadership_sessions: list[cp_model.IntVar] = []
        self.starting: list[cp_model.IntVar] = []
        self._add_school_waves()
        self._add_wave_caps()
        self._add_teacher_sessions()
        self._add_trainer_training()
        self._add_leadership()
        self._add_capacity()
        if not explain:
            self._add_objective()

    # -- data ------------------------------------------------------------------------------

    def _school_classes(self) -> list[SchoolClass]:
        scenario = self.scenario
        grouped: dict[tuple, list[School]] = defaultdict(list)
        for school in scenario.schools:
            first, last = scenario.window(school)
            weight = Fraction(repr(scenario.objective.weight(school.priority)))
            key = (school.uai,) if self.explain else (
                school.basin, school.pupils, weight, scenario.sessions_needed(school), first, last
            )
            grouped[key].append(school)
        classes = []
        for members in grouped.values():
            head = members[0]
            first, last = (0, len(self.waves) - 1) if self.explain else scenario.window(head)
            classes.append(
                SchoolClass(
                    key=head.uai,
                    members=tuple(members),
                    basin=head.basin,
                    pupils=head.pupils,
                    weight=Fraction(repr(scenario.objective.weight(head.priority))),
                    need=scenario.sessions_needed(head),
                    first=first,
                    last=last,
                )
            )
        return classes

    def _trainer_groups(self) -> list[TrainerGroup]:
        scenario = self.scenario
        every_basin = frozenset(school.basin for school in scenario.schools)
        grouped: dict[tuple, list[Trainer]] = defaultdict(list)
        for trainer in scenario.academics:
            basins = every_basin if trainer.basins is None else frozenset(trainer.basins) & every_basin
            capacity = tuple(trainer.capacity_in(wave.id) for wave in scenario.waves)
            key = (trainer.id,) if self.explain else (basins, capacity, trainer.trained)
            grouped[key].append(trainer)
        return [
            TrainerGroup(
                key=members[0].id,
                members=tuple(members),
                basins=every_basin if members[0].basins is None else frozenset(members[0].basins) & every_basin,
                capacity=tuple(members[0].capacity_in(wave.id) for wave in scenario.waves),
                trained=members[0].trained,
            )
            for members in grouped.values()
        ]

    def vendor_capacity(self, wave: int) -> int:
        """Vendor sessions available in a wave, all vendors pooled."""
        wave_id = self.scenario.waves[wave].id
        return sum(vendor.capacity_in(wave_id) for vendor in self.scenario.vendors)

    def training_waves(self) -> list[int]:
        """Waves in which training trainers can still qualify them for a later wave."""
        return sorted({k for _, k in self.trained})

    def training_upper(self) -> int:
        """Most training sessions a wave can need: enough for every untrained trainer."""
        untrained = sum(len(group.members) for group in self.groups if not group.trained)
        return -(-untrained // self.scenario.cascade.trainers_per_session)

    def variable_count(self) -> int:
        """How many CP-SAT variables the model has."""
        return len(self.model.proto.variables)

    def qualified(self, group: int, wave: int) -> cp_model.LinearExprT:
        """Members of a group qualified in a wave: trained at the start, or trained lag waves before."""
        trainers = self.groups[group]
        if trainers.trained:
            return len(trainers.members)
        return sum(self.trained[group, k] for k in range(wave - self.lag + 1) if (group, k) in self.trained)

    def demand(self, basin: str, wave: int) -> cp_model.LinearExprT:
        """Teacher sessions the schools of a basin need in a wave."""
        return sum(
            self.classes[i].need * self.schools[i, wave] for i in self.classes_in[basin] if (i, wave) in self.schools
        )

    def add_hint(self, plan: dict) -> None:
        """Hint CP-SAT with a complete valid plan (e.g. the greedy one) so that it starts from it.

        A plan is mapped onto the aggregated variables: counts per school class and wave, trainees
        per group and wave, sessions per group, basin and wave, vendor sessions per wave.
        """
        wave = self.scenario.wave_index
        class_of = {school.uai: i for i, c in enumerate(self.classes) for school in c.members}
        group_of = {trainer.id: g for g, group in enumerate(self.groups) for trainer in group.members}
        basin = {school.uai: school.basin for school in self.scenario.schools}
        values: dict[object, int] = defaultdict(int)
        starting = [0] * len(self.waves)
        for entry in plan["assignments"]:
            values[self.schools[class_of[entry["uai"]], wave[entry["wave"]]]] += 1
            starting[wave[entry["wave"]]] += 1
        trainees = [0] * len(self.waves)
        for session in plan["trainer_training"]:
            for trainer in session["trainers"]:
                key = (group_of[trainer], wave[session["wave"]])
                if key in self.trained:
                    values[self.trained[key]] += 1
                    trainees[key[1]] += 1
        for entry in plan["teacher_sessions"]:
            key = (group_of[entry["trainer"]], basin[entry["uai"]], wave[entry["wave"]])
            values[self.sessions[key]] += entry["sessions"]
        per_session = self.scenario.cascade.trainers_per_session
        leadership = [0] * len(self.waves)
        for session in plan["leadership_training"]:
            leadership[wave[session["wave"]]] += 1
        for k in self.waves:
            values[self.training_sessions[k]] = -(-trainees[k] // per_session)
            values[self.leadership_sessions[k]] = leadership[k]
        for variable in [*self.schools.values(), *self.trained.values(), *self.sessions.values()]:
            self.model.add_hint(variable, values[variable])
        for k in self.waves:
            self.model.add_hint(self.starting[k], starting[k])
            self.model.add_hint(self.training_sessions[k], values[self.training_sessions[k]])
            self.model.add_hint(self.leadership_sessions[k], values[self.leadership_sessions[k]])

    # -- requirements (explain mode) -------------------------------------------------------

    def _guard(self, requirement: Requirement) -> cp_model.IntVar | None:
        """An assumption literal for a relaxable requirement in explain mode, else None."""
        if not self.explain:
            return None
        where = "" if requirement.wave is None else f",{self.scenario.waves[requirement.wave].id}"
        literal = self.model.new_bool_var(f"holds[{requirement.rule},{requirement.subject}{where}]")
        self.requirements[literal.index] = requirement
        self.literals.append(literal)
        return literal

    def _slack(self, literal: cp_model.IntVar | None, wave: int, upper: int) -> cp_model.LinearExprT:
        """How far a guarded capacity is exceeded in a wave; forced to 0 while its requirement holds."""
        if literal is None:
            return 0
        slack = self.model.new_int_var(0, max(upper, 0), f"slack[{literal.name},{self.scenario.waves[wave].id}]")
        self.model.add(slack == 0).only_enforce_if(literal)
        self.slacks[literal.index].append((wave, slack))
        return slack

    # -- rules -----------------------------------------------------------------------------

    def _add_school_waves(self) -> None:
        """Rule 1: every school in exactly one wave of its window (guarded per school in explain mode)."""
        scenario = self.scenario
        for i, c in enumerate(self.classes):
            for w in range(c.first, c.last + 1):
                self.schools[i, w] = self.model.new_int_var(0, len(c.members), f"schools[{c.key},{scenario.waves[w].id}]")
            self.model.add(sum(self.schools[i, w] for w in range(c.first, c.last + 1)) == len(c.members))
            if not self.explain:
                continue
            school = c.members[0]
            first, last = scenario.window(school)
            if school.pinned_wave is not None:
                literal = self._guard(Requirement("pinned_wave", school.uai, wave=first))
                self.model.add(self.schools[i, first] == 1).only_enforce_if(literal)
            if school.earliest_wave is not None and first > 0:
                literal = self._guard(Requirement("earliest_wave", school.uai, wave=scenario.wave_index[school.earliest_wave]))
                self.model.add(sum(self.schools[i, w] for w in range(first)) == 0).only_enforce_if(literal)
            if school.latest_wave is not None and last < len(self.waves) - 1:
                latest = scenario.wave_index[school.latest_wave]
                literal = self._guard(Requirement("latest_wave", school.uai, wave=latest))
                self.model.add(sum(self.schools[i, w] for w in range(latest + 1, len(self.waves))) == 0).only_enforce_if(literal)

    def _add_wave_caps(self) -> None:
        """Rule 2: at most max_schools schools and max_pupils pupils per wave.

        The number of schools per wave is a variable of its own, so that the leadership prefix
        sums (rule 5) are written over a few wave totals instead of every school variable.
        """
        for w, wave in enumerate(self.scenario.waves):
            members = [(c, self.schools[i, w]) for i, c in enumerate(self.classes) if (i, w) in self.schools]
            starting = self.model.new_int_var(0, len(self.scenario.schools), f"starting[{wave.id}]")
            self.model.add(starting == sum(x for _, x in members))
            self.starting.append(starting)
            if wave.max_schools is not None:
                literal = self._guard(Requirement("max_schools", wave.id, wave=w))
                slack = self._slack(literal, w, len(self.scenario.schools))
                self.model.add(starting <= wave.max_schools + slack)
            if wave.max_pupils is not None:
                literal = self._guard(Requirement("max_pupils", wave.id, wave=w))
                total = sum(school.pupils for school in self.scenario.schools)
                slack = self._slack(literal, w, total)
                self.model.add(sum(c.pupils * x for c, x in members) <= wave.max_pupils + slack)

    def _add_teacher_sessions(self) -> None:
        """Rule 3: each basin's teacher sessions in a wave are run by qualified academic trainers serving it."""
        for g, group in enumerate(self.groups):
            if not group.trained:
                for k in self.waves:
                    if k + self.lag < len(self.waves):
                        self.trained[g, k] = self.model.new_int_var(0, len(group.members), f"trained[{group.key},{self.scenario.waves[k].id}]")
                self.model.add(sum(self.trained[g, k] for k in self.waves if (g, k) in self.trained) <= len(group.members))
            for w in self.waves:
                if group.capacity[w] == 0 and not self.explain:
                    continue
                if not group.trained and w < self.lag:
                    continue
                for basin in sorted(group.basins):
                    upper = self.total_need if self.explain else group.capacity[w] * len(group.members)
                    self.sessions[g, basin, w] = self.model.new_int_var(0, upper, f"sessions[{group.key},{basin},{self.scenario.waves[w].id}]")
        supply: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (_, basin, w), sessions in self.sessions.items():
            supply[basin, w].append(sessions)
        for basin in self.basins:
            for w in self.waves:
                if not any((i, w) in self.schools for i in self.classes_in[basin]):
                    continue
                literal = self._guard(Requirement("teacher_supply", basin, wave=w, basin=basin))
                slack = self._slack(literal, w, self.total_need)
                self.model.add(self.demand(basin, w) <= sum(supply[basin, w]) + slack)

    def _add_trainer_training(self) -> None:
        """Rule 4: a vendor session in wave k trains at most trainers_per_session academic trainers."""
        per_session = self.scenario.cascade.trainers_per_session
        upper = self.training_upper()
        for k in self.waves:
            trainees = [x for (g, wave), x in self.trained.items() if wave == k]
            sessions = self.model.new_int_var(0, upper, f"trainer_training[{self.scenario.waves[k].id}]")
            self.model.add(sum(trainees) <= per_session * sessions)
            self.training_sessions.append(sessions)

    def _add_leadership(self) -> None:
        """Rule 5: schools in waves <= w fit in the leadership sessions of waves <= w (EDF condition)."""
        per_session = self.scenario.cascade.schools_per_leadership_session
        upper = -(-len(self.scenario.schools) // per_session)
        for k in self.waves:
            self.leadership_sessions.append(self.model.new_int_var(0, upper, f"leadership[{self.scenario.waves[k].id}]"))
        for w in self.waves:
            self.model.add(sum(self.starting[: w + 1]) <= per_session * sum(self.leadership_sessions[: w + 1]))

    def _add_capacity(self) -> None:
        """Rule 6: academic trainers run at most their capacity of teacher sessions, vendors of both kinds."""
        runs_of: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for (g, _, w), sessions in self.sessions.items():
            runs_of[g, w].append(sessions)
        for g, group in enumerate(self.groups):
            literal = self._guard(Requirement("trainer_capacity", group.key))
            for w in self.waves:
                runs = runs_of[g, w]
                if not runs:
                    continue
                if self.explain:
                    qualified = self.qualified(g, w)
                    slack = self._slack(literal, w, self.total_need)
                    self.model.add(sum(runs) <= self.total_need * qualified)
                    self.model.add(sum(runs) <= group.capacity[w] * qualified + slack)
                else:
                    self.model.add(sum(runs) <= group.capacity[w] * self.qualified(g, w))
        upper = len(self.scenario.schools) + len(self.scenario.trainers)
        for w, wave in enumerate(self.scenario.waves):
            literal = self._guard(Requirement("vendor_capacity", wave.id, wave=w))
            extra = self._slack(literal, w, upper)
            self.model.add(self.training_sessions[w] + self.leadership_sessions[w] <= self.vendor_capacity(w) + extra)

    def _add_objective(self) -> None:
        """Minimise sum of weight x pupils x wave position, weights scaled to integers."""
        terms = []
        for i, c in enumerate(self.classes):
            coefficient = round(c.weight * self.scale) * c.pupils
            for w in range(max(c.first, 1), c.last + 1):
                terms.append(coefficient * w * self.schools[i, w])
        self.model.minimize(sum(terms))
