"""The trainers dashboard's numbers: the adopted plan's sessions per trainer and wave, against
each trainer's capacity in the database today.

The plan stores its sessions only in its `rollout-plan/1` document (`Plan.result`); they are
counted there as the checker counts them (`planner.checker.trainer_load`). Capacities are the
trainer's usual one unless a `TrainerCapacity` row overrides it for the wave. A trainer the plan
names but the database no longer holds keeps its code as its name and the capacity the plan was
solved with.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from dashboards.figures.trainers import TrainerLoad, TrainerRow
from dashboards.queries.filters import Filters
from planner.checker import trainer_load as plan_load
from rollout.models import Programme, School, Trainer, TrainerCapacity, Wave
from rollout.planning.scenario import PLANNED_TIERS
from rollout.tracking.schedule import baseline


def _schools_served(result: dict[str, Any]) -> dict[str, set[str]]:
    """The UAIs each trainer's sessions reach: teacher sessions, and leadership briefings."""
    served: dict[str, set[str]] = {}
    for entry in result.get("teacher_sessions") or []:
        served.setdefault(entry["trainer"], set()).add(entry["uai"])
    for entry in result.get("leadership_training") or []:
        served.setdefault(entry["vendor"], set()).update(entry["schools"])
    return served


def trainer_load(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> TrainerLoad | None:
    """The load of every planned trainer in every wave (only the chosen wave under a wave
    filter); under a basin, priority or school filter, only the trainers whose sessions reach
    one of the selected schools. None when no plan is adopted."""
    plan = baseline(session, programme)
    if plan is None or not plan.result:
        return None
    load = plan_load(plan.result)
    waves = list(session.exec(select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))))
    stored = {t.code: t for t in session.exec(select(Trainer).where(
        Trainer.programme_id == programme.id, col(Trainer.tier).in_(PLANNED_TIERS)))}
    solved_with = {t["id"]: t for t in (plan.scenario or {}).get("trainers", [])}
    overrides = {(row.trainer_id, row.wave_id): row.capacity for row in session.exec(
        select(TrainerCapacity).where(col(TrainerCapacity.trainer_id).in_([t.id for t in stored.values()])))}

    def capacity(code: str, wave: Wave) -> int:
        if code in stored:
            return overrides.get((stored[code].id, wave.id), stored[code].capacity)
        planned = solved_with.get(code, {})
        return int((planned.get("capacity_by_wave") or {}).get(wave.code, planned.get("capacity", 0)))

    codes = sorted(set(stored) | {code for code, _ in load})
    shown = [wave for wave in waves if not filters.wave or wave.code == filters.wave]
    served = _schools_served(plan.result)
    selected = {school.uai for school in schools}
    narrowed = bool(filters.basin or filters.priority or filters.school)
    rows = [
        TrainerRow(number=number, name=stored[code].name if code in stored else code,
                   tier=stored[code].tier if code in stored else solved_with.get(code, {}).get("tier", ""),
                   sessions=[load.get((code, wave.code), 0) for wave in shown],
                   capacity=[capacity(code, wave) for wave in shown])
        for number, code in enumerate(codes, start=1)
        if not narrowed or served.get(code, set()) & selected
    ]
    return TrainerLoad(waves=[wave.label or wave.code for wave in shown], trainers=rows)
