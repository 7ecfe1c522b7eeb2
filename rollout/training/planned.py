"""The planned sessions of the adopted plan, per trainer, against what was recorded.

The plan (`rollout-plan/1`) says who trains whom in which wave; `TrainingSession` rows say what
happened. A planned entry is matched to the rows of its trainer, audience and school carried
out for its wave (`planned_wave`, or when that is empty a date within the wave's dates), and
takes one state: held, cancelled, missed (the wave has ended without it) or pending (not yet
recorded). Cancelled sessions and missed entries are the slips the school and trainer pages show.
Entries are keyed like `planner.export`'s calendar events, so the feed can tell their state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from planner.export import EventState, plan_to_icalendar
from planner.plan import PLANNED
from rollout.models import Plan, Programme, School, Trainer
from rollout.models.training import TrainingSession, TrainingTrainee
from rollout.tracking.schedule import baseline

STATES = ("held", "cancelled", "missed", "pending")
PLANNED_AUDIENCES = ("teachers", "trainers", "leadership")
AUDIENCE_NAMES = {"teachers": _l("Enseignants"), "trainers": _l("Formation de formateurs"),
                  "leadership": _l("Équipes de direction"), "administrators": _l("Administrateurs")}


@dataclass
class PlannedEntry:
    """One entry of a trainer's plan: an academic trainer's teacher sessions at a school in a
    wave, or one vendor session (of trainers, or of schools' leadership) in a wave. `units` is
    what holding it takes: the teacher sessions planned, one trainers session, one leadership
    row per school; `held` how many of them are recorded as held."""

    trainer: str
    audience: str
    wave: str
    start: date
    end: date
    key: tuple[str, ...]
    uai: str | None = None
    members: tuple[str, ...] = ()
    units: int = 1
    held: int = 0
    recorded: list[TrainingSession] = field(default_factory=list)
    state: str = "pending"

    @property
    def audience_name(self) -> str:
        return str(AUDIENCE_NAMES[self.audience])

    @property
    def cancelled_on(self) -> list[date]:
        return sorted(row.held_on for row in self.recorded if row.status == "cancelled")


@dataclass(frozen=True)
class Slip:
    """A departure from the plan: a cancelled session, or a planned entry its wave ended without."""

    kind: str  # "cancelled" or "missed"
    trainer: str
    audience: str
    wave: str | None
    day: date | None
    uai: str | None

    @property
    def audience_name(self) -> str:
        return str(AUDIENCE_NAMES.get(self.audience, self.audience))

    @property
    def text(self) -> str:
        if self.kind == "cancelled":
            return _("Séance annulée le %(day)s", day=self.day.strftime("%d/%m/%Y") if self.day else "—")
        return _("Séance prévue en %(wave)s non réalisée", wave=self.wave)


def _wave_dates(scenario: dict[str, Any]) -> dict[str, tuple[date, date]]:
    return {wave["id"]: (date.fromisoformat(wave["start"]), date.fromisoformat(wave["end"])) for wave in scenario.get("waves", ())}


def plan_entries(plan: Plan, trainer_code: str | None = None) -> list[PlannedEntry]:
    """The plan's entries (of one trainer when given), in wave order then as the plan lists
    them; vendor sessions numbered from 1 per wave and kind, as the calendar export numbers them.
    A row of a wave the scenario does not date (a plan stored by hand) is left out."""
    if not plan.result or plan.result.get("status") not in PLANNED:
        return []
    waves = _wave_dates(plan.scenario)
    order = {code: position for position, code in enumerate(waves)}
    entries: list[PlannedEntry] = []
    for row in plan.result.get("teacher_sessions", ()):
        if trainer_code in (None, row["trainer"]) and row["wave"] in waves:
            entries.append(PlannedEntry(row["trainer"], "teachers", row["wave"], *waves[row["wave"]],
                                        key=("teachers", row["wave"], row["uai"]), uai=row["uai"], units=row["sessions"]))
    for kind, who, members in (("trainers", "vendor", "trainers"), ("leadership", "vendor", "schools")):
        numbers: dict[tuple[str, str], int] = defaultdict(int)
        for row in plan.result.get(f"{'trainer' if kind == 'trainers' else 'leadership'}_training", ()):
            numbers[row[who], row["wave"]] += 1
            if trainer_code in (None, row[who]) and row["wave"] in waves:
                entries.append(PlannedEntry(
                    row[who], kind, row["wave"], *waves[row["wave"]], key=(kind, row["wave"], str(numbers[row[who], row["wave"]])),
                    members=tuple(row[members]), units=len(row[members]) if kind == "leadership" else 1))
    return sorted(entries, key=lambda entry: order[entry.wave])


def planned_sessions(db: Session, *, programme: Programme, trainer: Trainer | None = None,
                     today: date | None = None) -> list[PlannedEntry]:
    """The adopted plan's entries (of `trainer` when given) with their recorded sessions and state;
    none without an adopted plan."""
    plan = baseline(db, programme)
    if plan is None:
        return []
    entries = plan_entries(plan, trainer.code if trainer else None)
    _match(db, programme, entries, today or date.today())
    return entries


def _match(db: Session, programme: Programme, entries: list[PlannedEntry], today: date) -> None:
    """Attach each recorded row to the first entry of its trainer, audience and wave it fits
    (for a vendor's trainers session, the entry whose trainers it trained first), then state."""
    query = (select(TrainingSession, Trainer.code, School.uai).join(Trainer, col(Trainer.id) == TrainingSession.trainer_id)
             .join(School, col(School.id) == TrainingSession.school_id, isouter=True)
             .where(TrainingSession.programme_id == programme.id, col(TrainingSession.audience).in_(PLANNED_AUDIENCES))
             .order_by(col(TrainingSession.held_on), col(TrainingSession.id)))
    rows = db.exec(query).all()
    trainees: dict[int, set[str]] = defaultdict(set)
    trainer_rows = [row.id for row, _code, _uai in rows if row.audience == "trainers"]
    if trainer_rows:
        for session_id, code in db.exec(select(TrainingTrainee.session_id, Trainer.code).join(
                Trainer, col(Trainer.id) == TrainingTrainee.trainer_id).where(col(TrainingTrainee.session_id).in_(trainer_rows))):
            trainees[session_id].add(code)
    by_trainer: dict[tuple[str, str], list[PlannedEntry]] = defaultdict(list)
    for entry in entries:
        by_trainer[entry.trainer, entry.audience].append(entry)
    for row, code, uai in rows:
        fitting = [entry for entry in by_trainer[code, row.audience] if _in_wave(row, entry)
                   and (entry.uai == uai if entry.audience == "teachers" else entry.audience == "trainers" or uai in entry.members)]
        if row.audience == "trainers":
            fitting.sort(key=lambda entry: (not trainees[row.id] & set(entry.members), entry.held >= entry.units))
        if fitting:
            fitting[0].recorded.append(row)
            if row.status == "held":
                fitting[0].held += 1
    for entry in entries:
        if entry.audience == "leadership":
            entry.held = len({row.school_id for row in entry.recorded if row.status == "held"})
        entry.state = ("held" if entry.held >= entry.units else "cancelled" if entry.cancelled_on
                       else "missed" if entry.end < today else "pending")


def _in_wave(row: TrainingSession, entry: PlannedEntry) -> bool:
    if row.planned_wave:
        return row.planned_wave == entry.wave
    return entry.start <= row.held_on <= entry.end


def slips(db: Session, *, programme: Programme, trainer: Trainer | None = None, school: School | None = None,
          today: date | None = None) -> list[Slip]:
    """Cancelled sessions (planned or not) and missed planned entries of a trainer or a school,
    oldest first: the departures from the plan its page lists."""
    query = (select(TrainingSession, Trainer.code, School.uai).join(Trainer, col(Trainer.id) == TrainingSession.trainer_id)
             .join(School, col(School.id) == TrainingSession.school_id, isouter=True)
             .where(TrainingSession.programme_id == programme.id, TrainingSession.status == "cancelled"))
    if trainer is not None:
        query = query.where(TrainingSession.trainer_id == trainer.id)
    if school is not None:
        query = query.where(TrainingSession.school_id == school.id)
    found = [Slip("cancelled", code, row.audience, row.planned_wave, row.held_on, uai) for row, code, uai in db.exec(query)]
    for entry in planned_sessions(db, programme=programme, trainer=trainer, today=today):
        if entry.state == "missed" and (school is None or school.uai == entry.uai or school.uai in entry.members):
            found.append(Slip("missed", entry.trainer, entry.audience, entry.wave, entry.end, entry.uai))
    return sorted(found, key=lambda slip: slip.day or date.min)


STATE_NOTES = {
    "held": "Réalisée",
    "cancelled": "Annulée",
    "missed": "Non réalisée (vague terminée)",
    "pending": "Pas encore enregistrée",
}


def trainer_calendar(db: Session, *, programme: Programme, trainer: Trainer, today: date | None = None) -> str:
    """The trainer's planned sessions as iCalendar (`planner.export.plan_to_icalendar`), each
    with its recorded state; an empty calendar without an adopted plan or when the plan has
    no entry for the trainer (added after it was solved), so that a subscription keeps working."""
    plan = baseline(db, programme)
    scenario_trainers = {t["id"] for t in plan.scenario.get("trainers", ())} if plan else set()
    if plan is None or not plan_entries(plan, trainer.code) or trainer.code not in scenario_trainers:
        empty = {"status": "OPTIMAL", "teacher_sessions": [], "trainer_training": [], "leadership_training": []}
        scenario = {"name": programme.name, "waves": [], "schools": [],
                    "trainers": [{"id": trainer.code, "name": trainer.name, "tier": trainer.tier}]}
        return plan_to_icalendar(scenario, empty, trainer.code)
    states = {}
    for entry in planned_sessions(db, programme=programme, trainer=trainer, today=today):
        note = STATE_NOTES[entry.state]
        if entry.state == "cancelled":
            note += " le " + ", ".join(day.strftime("%d/%m/%Y") for day in entry.cancelled_on)
        if entry.units > 1:
            note += f" ({entry.held}/{entry.units})"
        states[entry.key] = EventState(note=f"État : {note}.", cancelled=entry.state == "cancelled")
    return plan_to_icalendar(plan.scenario, plan.result, trainer.code, states=states)
