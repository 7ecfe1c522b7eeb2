"""The true optimum of a tiny scenario by exhaustive search, independent of the CP-SAT model.

Used by `test_exhaustive.py` to hold the planner to the contract on random tiny scenarios
(up to 6 schools, 3 waves, 3 trainers). It reads the contract's rules, never the model.

Wave assignments are enumerated in order of objective, so the first feasible one is optimal.
Trainer training is enumerated too: each untrained academic trainer is trained in one of the
waves or not at all (at most 4³ choices). What remains for one assignment and one training
choice is decided by two exact arguments instead of enumerating sessions:

* **Vendor sessions.** Any vendor may run any vendor session, so per wave only the pooled
  capacity matters. Training `n` trainers in a wave needs `ceil(n / trainers_per_session)`
  sessions, and fewer training sessions never hurts, so that number is used. The rest of the
  pooled capacity, `R_j`, is left for leadership. A school in wave `w` needs a leadership seat
  in a wave ≤ `w`; these deadline sets are nested, so seats exist for everyone iff for every
  wave `k`, `schools_per_leadership_session × Σ_{j ≤ k} R_j ≥ #{schools in waves ≤ k}` (give
  seats in wave order to schools in wave order; the i-th school gets the i-th seat, whose wave
  is ≤ the school's exactly when that inequality holds at the school's wave).
* **Teacher sessions.** Within a wave, schools demand `ceil(teachers / teachers_per_session)`
  sessions and each qualified academic trainer supplies its capacity to the schools of the
  basins it serves, without a per-pair limit. By the supply–demand theorem (Gale, Hall; max-flow
  min-cut on the bipartite network) such a transportation problem is feasible iff every set of
  schools demands no more than the total capacity of the trainers who may serve any of them.
  With at most 6 schools that is at most 63 subsets per wave.

Waves do not interact for teacher sessions (they are held in the school's own wave), and
academic capacity is used only by teacher sessions, so the per-wave checks are independent.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Optimum:
    """The optimal objective and one optimal school-to-wave assignment (uai → wave id)."""

    objective: float
    assignment: dict[str, str]


def _weight(scenario: dict[str, Any], priority: str) -> float:
    return float((scenario.get("objective") or {}).get("priority_weights", {}).get(priority, 1))


def _capacity(trainer: dict[str, Any], wave_id: str) -> int:
    return int((trainer.get("capacity_by_wave") or {}).get(wave_id, trainer["capacity"]))


def _allowed_positions(school: dict[str, Any], position: dict[str, int], waves: int) -> list[int]:
    if school.get("pinned_wave") is not None:
        candidates = [position[school["pinned_wave"]]]
    else:
        candidates = list(range(waves))
    low = position[school["earliest_wave"]] if school.get("earliest_wave") is not None else 0
    high = position[school["latest_wave"]] if school.get("latest_wave") is not None else waves - 1
    return [p for p in candidates if low <= p <= high]


def brute_force_optimum(scenario: dict[str, Any]) -> Optimum | None:
    """The optimum of `scenario`, or None when no plan satisfies the contract."""
    search = _Search(scenario)
    schools = scenario["schools"]
    domains = [_allowed_positions(s, search.position, search.waves) for s in schools]
    costs = [_weight(scenario, s["priority"]) * s["pupils"] for s in schools]
    assignments = sorted(
        itertools.product(*domains), key=lambda a: sum(c * p for c, p in zip(costs, a))
    )
    for assignment in assignments:
        if search.feasible(assignment):
            ids = [w["id"] for w in scenario["waves"]]
            return Optimum(
                objective=sum(c * p for c, p in zip(costs, assignment)),
                assignment={s["uai"]: ids[p] for s, p in zip(schools, assignment)},
            )
    return None


class _Search:
    """Feasibility of the cascade for one wave assignment (positions in school order)."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario
        self.wave_ids = [w["id"] for w in scenario["waves"]]
        self.waves = len(self.wave_ids)
        self.position = {wid: i for i, wid in enumerate(self.wave_ids)}
        cascade = scenario["cascade"]
        self.lag = cascade["trainer_lag"]
        self.per_training = cascade["trainers_per_session"]
        self.per_leadership = cascade["schools_per_leadership_session"]
        self.demand = [math.ceil(s["teachers"] / cascade["teachers_per_session"]) for s in scenario["schools"]]
        vendors = [t for t in scenario["trainers"] if t["tier"] == "vendor"]
        self.vendor_capacity = [sum(_capacity(v, wid) for v in vendors) for wid in self.wave_ids]
        self.academics = [t for t in scenario["trainers"] if t["tier"] == "academic"]
        self.untrained = [i for i, t in enumerate(self.academics) if not t.get("trained")]
        self.trainings = list(itertools.product([None, *range(self.waves)], repeat=len(self.untrained)))
        self._hall_cache: dict[tuple[int, tuple[int, ...], tuple[int, ...]], bool] = {}
        self.serves = [
            [t.get("basins") is None or s["basin"] in t["basins"] for s in scenario["schools"]]
            for t in self.academics
        ]

    def feasible(self, assignment: tuple[int, ...]) -> bool:
        if not self._within_caps(assignment):
            return False
        live_by = [sum(1 for p in assignment if p <= k) for k in range(self.waves)]
        return any(
            self._vendors_suffice(training, live_by)
            and all(self._teachers_suffice(w, assignment, training) for w in range(self.waves))
            for training in self.trainings
        )

    def _within_caps(self, assignment: tuple[int, ...]) -> bool:
        for k, wave in enumerate(self.scenario["waves"]):
            members = [s for s, p in zip(self.scenario["schools"], assignment) if p == k]
            if wave.get("max_schools") is not None and len(members) > wave["max_schools"]:
                return False
            if wave.get("max_pupils") is not None and sum(s["pupils"] for s in members) > wave["max_pupils"]:
                return False
        return True

    def _vendors_suffice(self, training: tuple[int | None, ...], live_by: list[int]) -> bool:
        seats = 0
        for k in range(self.waves):
            trained_here = sum(1 for t in training if t == k)
            left = self.vendor_capacity[k] - math.ceil(trained_here / self.per_training)
            if left < 0:
                return False
            seats += left * self.per_leadership
            if seats < live_by[k]:
                return False
        return True

    def _teachers_suffice(self, wave: int, assignment: tuple[int, ...], training: tuple[int | None, ...]) -> bool:
        trained_at = {i: None for i in range(len(self.academics))}
        trained_at.update(zip(self.untrained, training))
        qualified = tuple(
            i for i, t in enumerate(self.academics)
            if t.get("trained") or (trained_at[i] is not None and trained_at[i] + self.lag <= wave)
        )
        members = tuple(s for s, p in enumerate(assignment) if p == wave)
        key = (wave, members, qualified)
        if key not in self._hall_cache:
            self._hall_cache[key] = self._hall(wave, members, qualified)
        return self._hall_cache[key]

    def _hall(self, wave: int, members: tuple[int, ...], qualified: tuple[int, ...]) -> bool:
        """Every subset of the wave's schools demands at most what its possible trainers supply."""
        supply = {i: _capacity(self.academics[i], self.wave_ids[wave]) for i in qualified}
        for size in range(1, len(members) + 1):
            for subset in itertools.combinations(members, size):
                reachable = {i for i in qualified if any(self.serves[i][s] for s in subset)}
                if sum(self.demand[s] for s in subset) > sum(supply[i] for i in reachable):
                    return False
        return True
