"""Turn an aggregated CP-SAT solution into a full plan, applying the tie-breakers.

The wave of every school comes from the solution and is never changed here, so nothing in this
module can worsen the contract's objective. What is chosen here, among the many plans with the
same waves, follows these tie-breakers, in this order:

1. **Few trainers per school.** In each basin and wave, schools (largest need first) take their
   sessions from the one trainer whose routed sessions fit them most tightly (best fit), or from
   one trainer whose routed plus unused capacity fits them; they are split over several
   trainers only when no single trainer has enough left.
2. **Home basin.** The sessions of a wave are routed from trainers to basins by a minimum-cost
   flow in which sessions outside a trainer's first listed basin cost more than any load cost.
3. **Balanced load.** In that flow, a trainer's n-th session of the rollout costs n, so the flow
   spreads sessions over the qualified trainers and over the waves (a convex-cost flow).

Trainers trained in the model but given no teacher session are not trained at all, which only
frees vendor sessions. Leadership sessions are then placed as late as possible (each school's
leadership in its own wave when the vendors have room, otherwise in the latest earlier wave
that has room), which the model's prefix condition guarantees to succeed.

These are greedy choices, not an optimisation: they never change feasibility or the objective.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from ortools.graph.python import min_cost_flow

from planner.model import PlanModel
from planner.plan import LeadershipTraining, TeacherSessions, TrainerTraining
from planner.scenario import School, Scenario, Trainer


@dataclass
class ExtractedPlan:
    """The per-school, per-trainer decisions of a plan, and how the tie-breakers came out."""

    assignments: dict[str, str]
    teacher_sessions: list[TeacherSessions]
    trainer_training: list[TrainerTraining]
    leadership_training: list[LeadershipTraining]
    tie_breakers: dict[str, int]


def extract_plan(built: PlanModel, value: Callable[[object], int]) -> ExtractedPlan:
    """Build the full plan from the model's solution values (`value(var) -> int`)."""
    scenario = built.scenario
    wave_of = _school_waves(built, value)
    trained_in = _trainer_training_waves(built, value, wave_of)
    runs = _route_sessions(scenario, wave_of, trained_in)
    spare = _spare_sessions(scenario, trained_in, runs)
    teacher_sessions = _pack_schools(scenario, wave_of, runs, spare)
    used = {session.trainer for session in teacher_sessions}
    trained_in = {trainer: wave for trainer, wave in trained_in.items() if trainer in used}
    vendor_room = _vendor_room(scenario)
    trainer_training = _trainer_sessions(scenario, trained_in, vendor_room)
    leadership = _leadership_sessions(scenario, wave_of, vendor_room)
    return ExtractedPlan(
        assignments={school.uai: scenario.waves[wave_of[school.uai]].id for school in scenario.schools},
        teacher_sessions=teacher_sessions,
        trainer_training=trainer_training,
        leadership_training=leadership,
        tie_breakers=_tie_breaker_figures(scenario, teacher_sessions),
    )


def _home(trainer: Trainer) -> str | None:
    """A trainer's home basin: the first it lists (None when it serves every basin)."""
    return trainer.basins[0] if trainer.basins else None


def _tie_breaker_figures(scenario: Scenario, sessions: list[TeacherSessions]) -> dict[str, int]:
    """How the plan fares on each tie-breaker, for the plan's stats."""
    basin = {school.uai: school.basin for school in scenario.schools}
    home = {trainer.id: _home(trainer) for trainer in scenario.academics}
    loads: dict[str, int] = defaultdict(int)
    for session in sessions:
        loads[session.trainer] += session.sessions
    return {
        "school_trainer_pairs": len(sessions),
        "sessions_outside_home_basin": sum(
            s.sessions for s in sessions if home[s.trainer] not in (None, basin[s.uai])
        ),
        "max_trainer_load": max(loads.values(), default=0),
        "min_trainer_load": min(loads.values(), default=0),
    }


def _school_waves(built: PlanModel, value: Callable[[object], int]) -> dict[str, int]:
    """Wave position of each school: a class's members fill its waves in scenario order."""
    wave_of: dict[str, int] = {}
    for i, c in enumerate(built.classes):
        members = iter(c.members)
        for w in range(c.first, c.last + 1):
            for _ in range(value(built.schools[i, w])):
                wave_of[next(members).uai] = w
    return wave_of


def _demand(scenario: Scenario, wave_of: dict[str, int]) -> dict[tuple[str, int], int]:
    demand: dict[tuple[str, int], int] = defaultdict(int)
    for school in scenario.schools:
        demand[school.basin, wave_of[school.uai]] += scenario.sessions_needed(school)
    return demand


def _trainer_training_waves(
    built: PlanModel, value: Callable[[object], int], wave_of: dict[str, int]
) -> dict[str, int]:
    """Which members of each group are trained when: busiest home basins first, then scenario order."""
    demand = _demand(built.scenario, wave_of)
    basin_load: dict[str, int] = defaultdict(int)
    for (basin, _), sessions in demand.items():
        basin_load[basin] += sessions
    trained_in: dict[str, int] = {}
    for g, group in enumerate(built.groups):
        if group.trained:
            continue
        queue = sorted(
            group.members,
            key=lambda t: -basin_load[_home(t)] if _home(t) else 0,
        )
        for k in built.waves:
            for _ in range(value(built.trained[g, k]) if (g, k) in built.trained else 0):
                trained_in[queue.pop(0).id] = k
    return trained_in


def _qualified(scenario: Scenario, trainer: Trainer, wave: int, trained_in: dict[str, int]) -> bool:
    if trainer.trained:
        return True
    return trainer.id in trained_in and trained_in[trainer.id] + scenario.cascade.trainer_lag <= wave


def _route_sessions(
    scenario: Scenario, wave_of: dict[str, int], trained_in: dict[str, int]
) -> dict[tuple[str, str, int], int]:
    """Sessions per (trainer, basin, wave): one convex-cost flow per wave (tie-breakers 2 and 3)."""
    demand = _demand(scenario, wave_of)
    load: dict[str, int] = defaultdict(int)
    runs: dict[tuple[str, str, int], int] = {}
    for w, wave in enumerate(scenario.waves):
        basins = sorted(b for (b, k), n in demand.items() if k == w and n > 0)
        if not basins:
            continue
        trainers = [
            t for t in scenario.academics
            if t.capacity_in(wave.id) > 0 and _qualified(scenario, t, w, trained_in)
            and any(t.serves(b) for b in basins)
        ]
        total = sum(demand[b, w] for b in basins)
        away_cost = 1 + sum(load[t.id] + t.capacity_in(wave.id) for t in trainers)
        flow = min_cost_flow.SimpleMinCostFlow()
        source, sink = 0, 1
        trainer_node = {t.id: 2 + n for n, t in enumerate(trainers)}
        basin_node = {b: 2 + len(trainers) + n for n, b in enumerate(basins)}
        for t in trainers:
            for j in range(t.capacity_in(wave.id)):
                flow.add_arc_with_capacity_and_unit_cost(source, trainer_node[t.id], 1, load[t.id] + j + 1)
        arcs = {}
        for t in trainers:
            home = t.basins[0] if t.basins else None
            for b in basins:
                if t.serves(b):
                    cost = 0 if home in (None, b) else away_cost
                    arcs[t.id, b] = flow.add_arc_with_capacity_and_unit_cost(trainer_node[t.id], basin_node[b], demand[b, w], cost)
        for b in basins:
            flow.add_arc_with_capacity_and_unit_cost(basin_node[b], sink, demand[b, w], 0)
        flow.set_node_supply(source, total)
        flow.set_node_supply(sink, -total)
        if flow.solve() != flow.OPTIMAL:
            raise RuntimeError(f"no routing of the teacher sessions of wave {wave.id}: the model solution is inconsistent")
        for (trainer, basin), arc in arcs.items():
            if flow.flow(arc):
                runs[trainer, basin, w] = flow.flow(arc)
                load[trainer] += flow.flow(arc)
    return runs


def _spare_sessions(
    scenario: Scenario, trained_in: dict[str, int], runs: dict[tuple[str, str, int], int]
) -> list[dict[str, int]]:
    """Sessions each qualified trainer could still run per wave after the routing."""
    spare: list[dict[str, int]] = []
    for w, wave in enumerate(scenario.waves):
        room = {
            t.id: t.capacity_in(wave.id) for t in scenario.academics if _qualified(scenario, t, w, trained_in)
        }
        for (trainer, _, k), sessions in runs.items():
            if k == w:
                room[trainer] -= sessions
        spare.append(room)
    return spare


def _pack_schools(
    scenario: Scenario,
    wave_of: dict[str, int],
    runs: dict[tuple[str, str, int], int],
    spare: list[dict[str, int]],
) -> list[TeacherSessions]:
    """Give each school its sessions from as few trainers as possible (tie-breaker 1).

    A basin's routed sessions are its budget; a trainer's unrouted capacity in the wave may be
    added so that a school is not split, which never takes sessions another basin was routed.
    """
    by_basin_wave: dict[tuple[str, int], list[School]] = defaultdict(list)
    for school in scenario.schools:
        by_basin_wave[school.basin, wave_of[school.uai]].append(school)
    trainers = {t.id: t for t in scenario.academics}
    result: list[TeacherSessions] = []
    for (basin, w), schools in sorted(by_basin_wave.items(), key=lambda item: (item[0][1], item[0][0])):
        own = {t: n for (t, b, k), n in runs.items() if b == basin and k == w}
        room = spare[w]
        candidates = sorted(t for t in room if trainers[t].serves(basin) and (own.get(t) or room[t] > 0))
        for school in sorted(schools, key=lambda s: -scenario.sessions_needed(s)):
            need = scenario.sessions_needed(school)
            while need:
                trainer = _pick(candidates, own, room, need, basin, trainers)
                taken = min(need, own.get(trainer, 0) + room[trainer])
                from_own = min(taken, own.get(trainer, 0))
                own[trainer] = own.get(trainer, 0) - from_own
                room[trainer] -= taken - from_own
                result.append(TeacherSessions(trainer, school.uai, scenario.waves[w].id, taken))
                need -= taken
    order = {school.uai: n for n, school in enumerate(scenario.schools)}
    result.sort(key=lambda s: (scenario.wave_index[s.wave], order[s.uai], s.trainer))
    return result


def _pick(
    candidates: list[str], own: dict[str, int], room: dict[str, int], need: int, basin: str, trainers: dict[str, Trainer]
) -> str:
    """The trainer for (part of) a school's need: one that fits it alone, from its routed budget
    (tightest fit) or with its spare capacity, else the one with the most sessions available."""
    away = {t: _home(trainers[t]) not in (None, basin) for t in candidates}
    routed = [t for t in candidates if own.get(t, 0) >= need]
    if routed:
        return min(routed, key=lambda t: (away[t], own[t], t))
    fitting = [t for t in candidates if own.get(t, 0) + room[t] >= need]
    if fitting:
        return min(fitting, key=lambda t: (away[t], -own.get(t, 0), own.get(t, 0) + room[t], t))
    available = [t for t in candidates if own.get(t, 0) + room[t] > 0]
    return min(available, key=lambda t: (-(own.get(t, 0) + room[t]), away[t], t))


def _vendor_room(scenario: Scenario) -> list[dict[str, int]]:
    """Sessions each vendor can still run, per wave."""
    return [{v.id: v.capacity_in(wave.id) for v in scenario.vendors} for wave in scenario.waves]


def _take_vendor(room: dict[str, int]) -> str:
    """The vendor with the most room left (ties by id): spreads sessions over vendors."""
    vendor = max(sorted(room), key=lambda v: room[v])
    if room[vendor] <= 0:
        raise RuntimeError("no vendor session left: the model solution is inconsistent")
    room[vendor] -= 1
    return vendor


def _trainer_sessions(
    scenario: Scenario, trained_in: dict[str, int], vendor_room: list[dict[str, int]]
) -> list[TrainerTraining]:
    """Group each wave's trainees, in scenario order, into vendor sessions of trainers_per_session."""
    per_session = scenario.cascade.trainers_per_session
    sessions = []
    for w, wave in enumerate(scenario.waves):
        trainees = [t.id for t in scenario.academics if trained_in.get(t.id) == w]
        for start in range(0, len(trainees), per_session):
            vendor = _take_vendor(vendor_room[w])
            sessions.append(TrainerTraining(vendor, wave.id, tuple(trainees[start : start + per_session])))
    return sessions


def _leadership_sessions(
    scenario: Scenario, wave_of: dict[str, int], vendor_room: list[dict[str, int]]
) -> list[LeadershipTraining]:
    """Place leadership sessions as late as possible, from the last wave backwards."""
    per_session = scenario.cascade.schools_per_leadership_session
    waiting: list[School] = []
    sessions: list[LeadershipTraining] = []
    for w in reversed(range(len(scenario.waves))):
        waiting = [s for s in scenario.schools if wave_of[s.uai] == w] + waiting
        wave_sessions = []
        while waiting and sum(vendor_room[w].values()) > 0:
            vendor = _take_vendor(vendor_room[w])
            wave_sessions.append(LeadershipTraining(vendor, scenario.waves[w].id, tuple(s.uai for s in waiting[:per_session])))
            waiting = waiting[per_session:]
        sessions = wave_sessions + sessions
    if waiting:
        raise RuntimeError("leadership sessions do not cover every school: the model solution is inconsistent")
    return sessions
