"""The past a re-plan keeps: deploying schools, the sessions that served them, from the plan.

Where the plan says how a deploying school was served in the wave it is really in, that is
kept. Where it cannot (the school deploys in another wave than planned, or the scenario changed
since), the sessions come from the capacity left in that wave, and the re-plan stops with an
input error when none is left rather than invent capacity. See `docs/replanning.md`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from planner.plan import LeadershipTraining, TeacherSessions
from planner.progress import ProgressError
from planner.scenario import Scenario, School


@dataclass
class KeptPast:
    """What the re-plan keeps: where deploying schools are, the sessions that served them, and
    the trainers it takes as trained because those sessions need them (`relied_on`)."""

    assignments: dict[str, str] = field(default_factory=dict)
    teacher_sessions: list[TeacherSessions] = field(default_factory=list)
    leadership_training: list[LeadershipTraining] = field(default_factory=list)
    relied_on: list[str] = field(default_factory=list)


def kept_past(
    typed: Scenario,
    plan: dict[str, Any],
    frozen: dict[str, str],
    trained: set[str],
    begun: list[str],
    notes: list[str],
) -> KeptPast:
    """The deploying schools' sessions: the plan's where it still fits, else from capacity left."""
    schools = {school.uai: school for school in typed.schools}
    trainers = {trainer.id: trainer for trainer in typed.trainers}
    by_school: dict[str, list[TeacherSessions]] = defaultdict(list)
    for entry in plan.get("teacher_sessions") or []:
        if frozen.get(entry["uai"]) == entry["wave"]:
            by_school[entry["uai"]].append(
                TeacherSessions(entry["trainer"], entry["uai"], entry["wave"], entry["sessions"])
            )
    past = KeptPast(assignments=dict(frozen))
    unserved = []
    for uai in frozen:
        entries = by_school[uai]
        fits = all(e.trainer in trainers and trainers[e.trainer].serves(schools[uai].basin) for e in entries)
        if entries and fits and sum(e.sessions for e in entries) == typed.sessions_needed(schools[uai]):
            past.teacher_sessions.extend(entries)
        else:
            unserved.append(uai)
    past.relied_on = sorted({entry.trainer for entry in past.teacher_sessions} - trained)
    if past.relied_on:
        notes.append(
            f"taken as trained, since the plan had them train teachers now deploying: {', '.join(past.relied_on)}"
        )
    trained = trained | set(past.relied_on)
    problems = _serve_teachers(typed, unserved, frozen, trained, past, notes)
    problems += _keep_leadership(typed, plan, frozen, begun, past, notes)
    if problems:
        raise ProgressError(problems)
    return past


def _serve_teachers(
    typed: Scenario, unserved: list[str], frozen: dict[str, str], trained: set[str], past: KeptPast, notes: list[str]
) -> list[str]:
    """Teacher sessions for deploying schools the plan did not serve in their real wave.

    Someone is training them; the progress does not say who, so the sessions go to trained
    trainers of the basin with capacity left in that wave (the most left first), which is where
    the capacity freed by the schools that slipped out of that wave is.
    """
    schools = {school.uai: school for school in typed.schools}
    used: Counter[tuple[str, str]] = Counter()
    for entry in past.teacher_sessions:
        used[entry.trainer, entry.wave] += entry.sessions
    problems = []
    for uai in sorted(unserved, key=lambda u: (typed.wave_index[frozen[u]], u)):
        school, wave = schools[uai], frozen[uai]
        need = typed.sessions_needed(school)
        candidates = [t for t in typed.academics if t.id in trained and t.serves(school.basin)]
        candidates.sort(key=lambda t: (-(t.capacity_in(wave) - used[t.id, wave]), t.id))
        given = []
        for trainer in candidates:
            take = min(need, trainer.capacity_in(wave) - used[trainer.id, wave])
            if take > 0:
                given.append(TeacherSessions(trainer.id, uai, wave, take))
                used[trainer.id, wave] += take
                need -= take
        if need:
            problems.append(
                f"{school_label(school)} is deploying in {wave}, but the trained trainers of basin {school.basin} "
                f"have no teacher session left in {wave} for it: correct the progress, or raise a "
                f"trainer's capacity_by_wave for {wave} in the scenario"
            )
            continue
        past.teacher_sessions.extend(given)
        runs = ", ".join(f"{entry.trainer} ({entry.sessions})" for entry in given)
        notes.append(f"{school_label(school)} is deploying in {wave}, not as planned: its teacher sessions go to {runs}")
    return problems


def _keep_leadership(
    typed: Scenario, plan: dict[str, Any], frozen: dict[str, str], begun: list[str], past: KeptPast, notes: list[str]
) -> list[str]:
    """Leadership sessions of begun waves, for the deploying schools they served in time.

    A session's schools that have not started are dropped from it: the contract cannot say that
    a school waiting for a later wave already had its leadership trained, so the planner trains
    it again before that wave. Deploying schools without such a session get one from the vendor
    capacity left in a begun wave up to theirs, latest first.
    """
    vendors = {trainer.id for trainer in typed.vendors}
    position = typed.wave_index
    led: set[str] = set()
    for entry in plan.get("leadership_training") or []:
        if entry["wave"] not in begun or entry["vendor"] not in vendors:
            continue
        kept = tuple(
            uai for uai in entry["schools"]
            if uai in frozen and uai not in led and position[entry["wave"]] <= position[frozen[uai]]
        )
        if kept:
            past.leadership_training.append(LeadershipTraining(entry["vendor"], entry["wave"], kept))
            led.update(kept)
    used = Counter((entry.vendor, entry.wave) for entry in past.leadership_training)
    seats = typed.cascade.schools_per_leadership_session
    added: list[tuple[str, str, list[str]]] = []
    problems = []
    schools = {school.uai: school for school in typed.schools}
    for uai in sorted(set(frozen) - led, key=lambda u: (position[frozen[u]], u)):
        session = next((s for s in added if position[s[1]] <= position[frozen[uai]] and len(s[2]) < seats), None)
        if session is None:
            session = _open_leadership_session(typed, begun[: position[frozen[uai]] + 1], used)
            if session is None:
                problems.append(
                    f"{school_label(schools[uai])} is deploying in {frozen[uai]}, but no vendor has a session left "
                    "in a begun wave up to it to train its leadership: correct the progress, or raise a "
                    "vendor's capacity_by_wave in the scenario"
                )
                continue
            added.append(session)
        session[2].append(uai)
        notes.append(f"{school_label(schools[uai])}: leadership trained by {session[0]} in {session[1]}, not as planned")
    past.leadership_training.extend(LeadershipTraining(v, w, tuple(s)) for v, w, s in added)
    return problems


def _open_leadership_session(
    typed: Scenario, waves: list[str], used: Counter[tuple[str, str]]
) -> tuple[str, str, list[str]] | None:
    """A new session with the first vendor (by id) that has capacity left, in the latest wave possible."""
    for wave in reversed(waves):
        for vendor in sorted(typed.vendors, key=lambda t: t.id):
            if vendor.capacity_in(wave) - used[vendor.id, wave] > 0:
                used[vendor.id, wave] += 1
                return vendor.id, wave, []
    return None


def school_label(school: School) -> str:
    """A school as a district leader recognises it in a note: UAI and name."""
    return f"{school.uai} ({school.name})" if school.name else school.uai
