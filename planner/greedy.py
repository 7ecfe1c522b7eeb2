"""The greedy baseline of issue #3: what a careful planner with a spreadsheet would do.

Schools are taken earliest deadline first, then biggest weighted school (weight × pupils)
first, and each goes into the earliest wave of its window that still fits: the wave caps, a
leadership seat in a vendor session no later than the wave, and enough teacher sessions from
academic trainers who serve the school's basin and are qualified by then. When qualified
trainers are short, untrained ones of the basin are trained as early as vendor capacity
allows, which qualifies them for as many later waves as possible.

It exists to measure what the optimiser buys (the benchmark reports planner / greedy) and to
hand the solver a first plan. It reads the raw scenario dictionary, so it depends on no other
planner module and on no solver; greedy can fail where a plan exists, and then returns None.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Session:
    """One vendor session in a wave: the trainers or schools it covers."""

    vendor: str
    wave: int
    members: list[str] = field(default_factory=list)


@dataclass
class _State:
    """What the plan built so far has used: wave room, trainer sessions, vendor sessions."""

    schools_in: list[int]
    pupils_in: list[int]
    left: dict[str, list[int]]
    trained_at: dict[str, float | None]
    trainings: list[_Session] = field(default_factory=list)
    leaderships: list[_Session] = field(default_factory=list)
    teaching: defaultdict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    wave_of: dict[str, int] = field(default_factory=dict)


class _Greedy:
    """Places schools one at a time, committing a school's sessions only once all of them fit,
    so that a wave that does not fit leaves no trace."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.waves = scenario["waves"]
        self.position = {wave["id"]: k for k, wave in enumerate(self.waves)}
        cascade = scenario["cascade"]
        self.per_teacher_session = cascade["teachers_per_session"]
        self.per_training = cascade["trainers_per_session"]
        self.per_leadership = cascade["schools_per_leadership_session"]
        self.lag = cascade["trainer_lag"]
        trainers = scenario["trainers"]
        self.vendors = [t["id"] for t in trainers if t["tier"] == "vendor"]
        self.academics = {t["id"]: t for t in trainers if t["tier"] == "academic"}
        self._serving: dict[str, list[str]] = {}
        self.state = _State(
            schools_in=[0] * len(self.waves),
            pupils_in=[0] * len(self.waves),
            left={t["id"]: [_capacity(t, w["id"]) for w in self.waves] for t in trainers},
            trained_at={a: -math.inf if t.get("trained") else None for a, t in self.academics.items()},
        )

    def window(self, school: dict[str, Any]) -> tuple[int, int]:
        if school.get("pinned_wave") is not None:
            pinned = self.position[school["pinned_wave"]]
            return pinned, pinned
        low = self.position[school["earliest_wave"]] if school.get("earliest_wave") is not None else 0
        high = self.position[school["latest_wave"]] if school.get("latest_wave") is not None else len(self.waves) - 1
        return low, high

    def place(self, school: dict[str, Any]) -> bool:
        """Put `school` in the earliest wave of its window where everything it needs fits."""
        low, high = self.window(school)
        return any(self._try_wave(school, k) for k in range(low, high + 1))

    def _try_wave(self, school: dict[str, Any], k: int) -> bool:
        wave, state = self.waves[k], self.state
        if wave.get("max_schools") is not None and state.schools_in[k] + 1 > wave["max_schools"]:
            return False
        if wave.get("max_pupils") is not None and state.pupils_in[k] + school["pupils"] > wave["max_pupils"]:
            return False
        vendor_use: defaultdict[tuple[str, int], int] = defaultdict(int)
        to_train = self._trainers_to_train(school, k, vendor_use)
        if to_train is None:
            return False
        seat = self._leadership_seat(k, vendor_use)
        if seat is None:
            return False
        self._commit(school, k, to_train, seat)
        return True

    def serving(self, basin: str) -> list[str]:
        """The academic trainers who serve `basin`, found once per basin."""
        if basin not in self._serving:
            self._serving[basin] = [a for a in self.academics if self._serves(a, basin)]
        return self._serving[basin]

    def _serves(self, trainer_id: str, basin: str) -> bool:
        basins = self.academics[trainer_id].get("basins")
        return basins is None or basin in basins

    def _reach(self, trainer_id: str) -> float:
        """How many basins a trainer serves: specialists teach first, keeping generalists free."""
        basins = self.academics[trainer_id].get("basins")
        return math.inf if basins is None else len(basins)

    def _spare(self, trainer_id: str, k: int) -> int:
        """How many other trainers could stand in for this one in wave k, in the basin of its
        that has the fewest: a trainer who alone covers some basin is kept for that basin
        (pilot schools of two basins pinned to the first wave otherwise take each other's)."""
        basins = self.academics[trainer_id].get("basins") or ()
        return min(
            (sum(1 for other in self.serving(basin) if other != trainer_id
                 and self._qualified(other, k) and self.state.left[other][k] > 0) for basin in basins),
            default=0,
        )

    def _qualified(self, trainer_id: str, k: int) -> bool:
        trained_at = self.state.trained_at[trainer_id]
        return trained_at is not None and trained_at + self.lag <= k

    def _trainers_to_train(
        self, school: dict[str, Any], k: int, vendor_use: defaultdict[tuple[str, int], int]
    ) -> list[tuple[str, int, _Session | None, str | None]] | None:
        """Trainings (trainer, wave, session joined or vendor opening one) that make the teacher
        sessions fit in wave k, or None when even training every candidate is not enough."""
        needed = math.ceil(school["teachers"] / self.per_teacher_session)
        serving = [a for a in self.serving(school["basin"]) if self.state.left[a][k] > 0]
        supply = sum(self.state.left[a][k] for a in serving if self._qualified(a, k))
        untrained = sorted(
            (a for a in serving if self.state.trained_at[a] is None),
            key=lambda a: (-self.state.left[a][k], a),
        )
        joined: defaultdict[int, int] = defaultdict(int)
        plan: list[tuple[str, int, _Session | None, str | None]] = []
        for trainer_id in untrained:
            if supply >= needed:
                break
            slot = self._training_slot(k - self.lag, vendor_use, joined)
            if slot is None:
                return None
            plan.append((trainer_id, *slot))
            supply += self.state.left[trainer_id][k]
        return plan if supply >= needed else None

    def _training_slot(
        self, last: int, vendor_use: defaultdict[tuple[str, int], int], joined: defaultdict[int, int]
    ) -> tuple[int, _Session | None, str | None] | None:
        """The earliest wave ≤ last with room in a training session, or a vendor to open one."""
        for j in range(0, last + 1):
            for session in self.state.trainings:
                if session.wave == j and len(session.members) + joined[id(session)] < self.per_training:
                    joined[id(session)] += 1
                    return j, session, None
            vendor = self._free_vendor(j, vendor_use)
            if vendor is not None:
                vendor_use[vendor, j] += 1
                return j, None, vendor
        return None

    def _leadership_seat(
        self, k: int, vendor_use: defaultdict[tuple[str, int], int]
    ) -> tuple[int, _Session | None, str | None] | None:
        """A seat in a leadership session no later than wave k; new sessions go as late as
        possible, leaving early vendor capacity to train trainers."""
        for session in self.state.leaderships:
            if session.wave <= k and len(session.members) < self.per_leadership:
                return session.wave, session, None
        for j in range(k, -1, -1):
            vendor = self._free_vendor(j, vendor_use)
            if vendor is not None:
                return j, None, vendor
        return None

    def _free_vendor(self, j: int, vendor_use: defaultdict[tuple[str, int], int]) -> str | None:
        return next((v for v in self.vendors if self.state.left[v][j] - vendor_use[v, j] > 0), None)

    def _commit(
        self,
        school: dict[str, Any],
        k: int,
        to_train: list[tuple[str, int, _Session | None, str | None]],
        seat: tuple[int, _Session | None, str | None],
    ) -> None:
        state = self.state
        for trainer_id, j, session, vendor in to_train:
            if session is None:
                session = self._open(state.trainings, vendor, j)  # type: ignore[arg-type]
            session.members.append(trainer_id)
            state.trained_at[trainer_id] = j
        j, session, vendor = seat
        if session is None:
            session = self._open(state.leaderships, vendor, j)  # type: ignore[arg-type]
        session.members.append(school["uai"])
        needed = math.ceil(school["teachers"] / self.per_teacher_session)
        qualified = sorted(
            (a for a in self.serving(school["basin"]) if self._qualified(a, k) and state.left[a][k] > 0),
            key=lambda a: (self._reach(a), -self._spare(a, k), a),
        )
        for trainer_id in qualified:
            given = min(needed, state.left[trainer_id][k])
            state.left[trainer_id][k] -= given
            state.teaching[trainer_id, school["uai"], k] += given
            needed -= given
            if needed == 0:
                break
        state.schools_in[k] += 1
        state.pupils_in[k] += school["pupils"]
        state.wave_of[school["uai"]] = k

    def _open(self, sessions: list[_Session], vendor: str, j: int) -> _Session:
        self.state.left[vendor][j] -= 1
        session = _Session(vendor, j)
        sessions.append(session)
        return session


def _capacity(trainer: dict[str, Any], wave_id: str) -> int:
    return int((trainer.get("capacity_by_wave") or {}).get(wave_id, trainer["capacity"]))


def _weight(scenario: dict[str, Any], priority: str) -> float:
    return float((scenario.get("objective") or {}).get("priority_weights", {}).get(priority, 1))


def greedy_plan(scenario: dict[str, Any]) -> dict[str, Any] | None:
    """A FEASIBLE `rollout-plan/1` built greedily, or None when the greedy gets stuck.

    `bound` is the objective with every school in the first wave of its window, a lower bound
    that needs no search.
    """
    greedy = _Greedy(scenario)
    value = {s["uai"]: _weight(scenario, s["priority"]) * s["pupils"] for s in scenario["schools"]}
    order = sorted(scenario["schools"], key=lambda s: (greedy.window(s)[1], -value[s["uai"]], s["uai"]))
    if not all(greedy.place(school) for school in order):
        return None
    state, ids = greedy.state, [wave["id"] for wave in scenario["waves"]]
    return {
        "format": "rollout-plan/1",
        "scenario": scenario.get("name", ""),
        "status": "FEASIBLE",
        "objective": sum(value[uai] * k for uai, k in state.wave_of.items()),
        "bound": sum(value[s["uai"]] * greedy.window(s)[0] for s in scenario["schools"]),
        "assignments": [{"uai": s["uai"], "wave": ids[state.wave_of[s["uai"]]]} for s in scenario["schools"]],
        "teacher_sessions": [
            {"trainer": trainer, "uai": uai, "wave": ids[k], "sessions": sessions}
            for (trainer, uai, k), sessions in state.teaching.items()
            if sessions > 0
        ],
        "trainer_training": [
            {"vendor": s.vendor, "wave": ids[s.wave], "trainers": s.members} for s in state.trainings
        ],
        "leadership_training": [
            {"vendor": s.vendor, "wave": ids[s.wave], "schools": s.members} for s in state.leaderships
        ],
        "conflicts": [],
    }
