"""Re-plan from today: the tracker's records become a `rollout-progress/1` document, and a
queued plan re-plans what has not happened yet around what has.

The records say what a person would otherwise type by hand (`docs/replanning.md`):

* a school is **live** when its `school_live` milestone is done, and **in progress** when any
  milestone of its wave's own work (administrators, platform, teachers, go-live, relays,
  Pix+ Édu) is in progress or done. The leadership briefing alone does not count: it is
  planned a month before the wave and says nothing of the wave having started there.
* a deploying school is in its wave of the baseline plan when that wave has begun; otherwise
  (it started early, or was added after the baseline) in the wave that had begun when its
  first dated milestone was done, else in the wave under way. Such guesses are noted.
* an academic trainer is trained from the date of the held `trainers` session that trained
  them (`rollout.training.sessions.trained_on`), else when its record says so (`Trainer.trained`).

Every other school is listed `not_started`, so that a school whose wave has begun without it is
planned again rather than taken as deploying. The scenario re-planned is the programme's data of
today, and the plan followed is the baseline: re-planning answers "what now", and a what-if's
edits are the programme's data only once someone has entered them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from planner import ScenarioError
from planner.progress import FORMAT, STARTED_STATES, ProgressError
from planner.replan import PlanInputError, prepare_replanning
from planner.whatif import WhatIfError, apply_edits
from rollout.core.author import Author
from rollout.models import Milestone, Plan, Programme, Scenario, School, Trainer, Wave
from rollout.planning.plans import PlanningError, record_plan_change
from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT
from rollout.planning.scenario import ScenarioDataError, build_scenario
from rollout.tracking.schedule import baseline, baseline_waves
from rollout.training.sessions import trained_on

# The milestones that mean a school's own wave has started; `leadership_briefed` comes before it.
DEPLOYING_KINDS = ("admins_trained", "platform_provisioned", "teachers_trained", "school_live", "relays_active", "pix_certified")
STARTED_STATUSES = ("in_progress", "done")
NO_BASELINE = "no plan is adopted yet: adopt a plan as the baseline before re-planning from it"


class NoBaselineError(PlanningError):
    """There is no baseline to re-plan from: the commonest refusal, which pages say in French."""


@dataclass(frozen=True)
class _Record:
    """What the milestones say of one school: live, started, and the first day work was done."""

    live: bool = False
    started: bool = False
    first_done: date | None = None


def progress_document(session: Session, programme: Programme, *, plan: Plan, as_of: date) -> tuple[dict[str, Any], list[str]]:
    """The `rollout-progress/1` document of the programme at `as_of`, following `plan`, and notes
    on every wave that had to be inferred (see the module docstring)."""
    waves = list(session.exec(select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))))
    begun = [wave for wave in waves if wave.start_date < as_of]
    planned = baseline_waves(session, programme=programme, plan=plan)
    records = _records(session, programme)
    notes: list[str] = []
    schools = []
    for school in session.exec(select(School).where(School.programme_id == programme.id).order_by(col(School.uai))):
        record, wave = records.get(school.id, _Record()), planned.get(school.id)
        if record.started and begun:
            state = "live" if record.live else "in_progress"
            real = _real_wave(school, wave, record, begun, notes)
            schools.append({"uai": school.uai, "state": state, "wave": real.code})
            continue
        if record.started:
            notes.append(f"{school.uai} ({school.name}) has started although no wave had begun by {as_of}: planned again")
        schools.append({"uai": school.uai, "state": "not_started", "wave": wave.code if wave else None})
    document = {"format": FORMAT, "as_of": as_of.isoformat(), "schools": schools,
                "trainers_trained": _trainers_trained(session, programme, as_of=as_of)}
    return document, notes


def _trainers_trained(session: Session, programme: Programme, *, as_of: date) -> list[str]:
    """The academic trainers trained at `as_of`: by a held `trainers` session on or before it, or
    marked trained by hand (a trainer marked only because of a later session is not yet)."""
    by_sessions = trained_on(session, programme)
    trainers = session.exec(
        select(Trainer).where(Trainer.programme_id == programme.id, Trainer.tier == "academic").order_by(col(Trainer.code))
    )
    return [trainer.code for trainer in trainers
            if (trainer.id in by_sessions and by_sessions[trainer.id] <= as_of)
            or (trainer.trained and trainer.id not in by_sessions)]


def _records(session: Session, programme: Programme) -> dict[int, _Record]:
    """Each school's deploying milestones summed up, in one query."""
    rows = session.exec(
        select(Milestone.school_id, Milestone.kind, Milestone.status, Milestone.actual_on)
        .join(School, col(School.id) == Milestone.school_id)
        .where(School.programme_id == programme.id, col(Milestone.kind).in_(DEPLOYING_KINDS),
               col(Milestone.status).in_(STARTED_STATUSES))
    )
    found: dict[int, list[tuple[str, str, date | None]]] = defaultdict(list)
    for school_id, kind, status, actual_on in rows:
        found[school_id].append((kind, status, actual_on))
    records = {}
    for school_id, milestones in found.items():
        dates = [actual_on for _, status, actual_on in milestones if status == "done" and actual_on is not None]
        records[school_id] = _Record(
            live=any(kind == "school_live" and status == "done" for kind, status, _ in milestones),
            started=True, first_done=min(dates, default=None),
        )
    return records


def _real_wave(school: School, planned: Wave | None, record: _Record, begun: list[Wave], notes: list[str]) -> Wave:
    """The wave a deploying school is in: its baseline wave when begun, else inferred, with a note."""
    if planned is not None and planned.code in {wave.code for wave in begun}:
        return planned
    dated = [wave for wave in begun if record.first_done is not None and wave.start_date <= record.first_done]
    wave = dated[-1] if dated else begun[-1]
    where = f"its baseline wave {planned.code} has not begun" if planned is not None else "it is not in the baseline"
    notes.append(f"{school.uai} ({school.name}) is deploying but {where}: taken as deploying in {wave.code}")
    return wave


def _baseline_edits(session: Session, base: Plan) -> list[dict]:
    """The edits of the what-if the baseline was solved from (none for the programme's data).

    A leader who adopted "wave W2 takes 20 schools" decided it: the re-plan keeps deciding it,
    on today's data. The what-if's edits as they are now are used, the scenario being where a
    leader changes such a decision; a deleted what-if leaves the programme's data alone.
    """
    if base.scenario_id is None:
        return []
    scenario = session.get(Scenario, base.scenario_id)
    return scenario.edits if scenario is not None else []


def queue_replan(
    session: Session, *, programme: Programme, name: str, time_limit: float, author: Author, as_of: date | None = None
) -> Plan:
    """Store a queued re-plan of the baseline from the tracker's records at `as_of` (today).

    Everything the worker needs is stored now (`Plan.replan`: the progress document, the
    programme's scenario of today and the baseline's plan), so that records typed while the
    re-plan waits change nothing, as for any queued plan. `scenario` is the new scenario, the
    one the re-plan is valid for. Raises PlanningError on anything that cannot be re-planned.
    Does not commit; enqueue the solve after the commit (`tasks.start_solve`).
    """
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise PlanningError(f"time limit must be between {MIN_TIME_LIMIT:g} and {MAX_TIME_LIMIT:g} seconds")
    base = baseline(session, programme)
    if base is None or not base.result:
        raise NoBaselineError(NO_BASELINE)
    as_of = as_of or date.today()
    try:
        scenario = apply_edits(build_scenario(session, programme, name=name), _baseline_edits(session, base))
    except ScenarioDataError as error:
        raise PlanningError(str(error)) from None
    except WhatIfError as error:
        raise PlanningError(f"the what-if behind {base.name!r} no longer applies to the programme's data: "
                            + "; ".join(error.problems)) from None
    progress, notes = progress_document(session, programme, plan=base, as_of=as_of)
    try:
        replanning = prepare_replanning(scenario, base.result, progress)
    except (ScenarioError, PlanInputError, ProgressError) as error:
        problems = getattr(error, "problems", None) or [str(error)]
        raise PlanningError(f"cannot re-plan from {base.name!r} as of {as_of}: " + "; ".join(problems)) from None
    replanning.scenario["replanning"]["notes"] = notes + replanning.notes
    plan = Plan(
        programme_id=programme.id, name=name, status="queued", scenario=replanning.scenario, time_limit=time_limit,
        created_by_id=author.user_id,
        replan={"as_of": as_of.isoformat(), "base_plan_id": base.id, "progress": progress, "base_scenario": scenario,
                "base_plan": base.result},
    )
    session.add(plan)
    session.flush()
    record_plan_change(session, programme, plan, author, "create", {
        "status": [None, "queued"], "time_limit": [None, time_limit], "replan_of": [None, base.id], "as_of": [None, as_of.isoformat()],
    })
    return plan


@dataclass(frozen=True)
class SchoolChange:
    """One school's wave in the baseline and in the re-plan, and whether the records froze it."""

    uai: str
    name: str
    baseline_wave: str | None
    new_wave: str | None
    frozen: bool

    @property
    def moved(self) -> bool:
        return self.baseline_wave != self.new_wave


def replan_changes(plan: Plan) -> list[SchoolChange]:
    """The re-plan's change from the baseline it started from, school by school: the schools
    that move first, then by UAI. Empty for a plan that is not a re-plan; the new waves are
    None until the re-plan is solved."""
    if not plan.replan:
        return []
    before = {row["uai"]: row["wave"] for row in plan.replan["base_plan"].get("assignments", [])}
    after = {row["uai"]: row["wave"] for row in (plan.result or {}).get("assignments", [])}
    frozen = {row["uai"] for row in plan.replan["progress"]["schools"] if row["state"] in STARTED_STATES}
    names = {school["uai"]: school.get("name") or school["uai"] for school in plan.scenario.get("schools", [])}
    changes = [
        SchoolChange(uai=uai, name=names.get(uai, uai), baseline_wave=before.get(uai), new_wave=after.get(uai), frozen=uai in frozen)
        for uai in sorted(set(names) | set(before))
    ]
    return sorted(changes, key=lambda change: not change.moved)
