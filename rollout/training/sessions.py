"""Training sessions as delivered (`../shared/contracts/training.md`): recording, changing and
cancelling them, and the trainers they trained.

Every channel (the form, the API, the import, "record as held" from a planned entry) goes
through `record_sessions`, so they refuse the same things with the same words. The rules are
checked on the programme's sessions as they would be after the change, all rows at once, and
any problem refuses the whole change: nothing is written.

* A session's key is its `reference` when the organiser gave one, else (date, trainer,
  audience, school): recording a row whose key is stored replaces that session, and a row
  identical to it changes nothing. A row without a reference or a planned wave keeps the
  stored session's (it does not say them).
* A `trainers` session trains no school; every other audience trains one school, whose
  teachers bound the attendees.
* A held session is not in the future.
* A trainer is trained on the date of the earliest held `trainers` session that trained them
  (`TrainingTrainee`), which cannot be after a held session they delivered.
* A `trainers` session recorded without trainees trained the trainers the adopted plan puts
  in that vendor's training sessions of the wave whose dates contain the session's date (all of
  them when the plan gives the vendor several sessions in that wave; none without a plan).
* A trainer a held session trains is marked `Trainer.trained` (audited), so the trainers' pages
  and the planner see it; a trainer is never unmarked by a session, since the mark may have
  been typed by hand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from sqlmodel import Session, col, select

from rollout import audit
from rollout.core.author import Author
from rollout.core.locking import claim_version
from rollout.core.problems import InvalidChange, Problem
from rollout.models import Programme, School, Trainer, Wave, utcnow
from rollout.models.training import AUDIENCES, MODALITIES, SESSION_STATUSES, TrainingSession, TrainingTrainee
from rollout.tracking.schedule import baseline
from rollout.training.milestones import refresh_school_milestones

ENTITY = "training_session"
FIELDS = ("held_on", "trainer_id", "audience", "school_id", "modality", "hours", "attendees", "status", "reference",
          "planned_wave")
SCHOOL_AUDIENCES = tuple(audience for audience in AUDIENCES if audience != "trainers")


@dataclass
class _Stored:
    """What the rules look at of one session, stored or about to be."""

    held_on: date
    trainer_id: int
    audience: str
    status: str
    trainees: frozenset[int]


@dataclass
class Planned:
    """One row checked: the values it writes, the session it replaces (None: a new one), and
    whether that changes anything."""

    row: int | None
    values: dict[str, Any]
    trainees: frozenset[int]
    target: TrainingSession | None
    action: str
    before: dict[str, Any] = field(default_factory=dict)
    before_trainees: frozenset[int] = frozenset()
    claimed_from: int | None = None
    """The version an edit started from, when it already moved the session's version on."""


@dataclass
class _Programme:
    """The programme's trainers and schools, looked up once per change."""

    trainers: dict[str, Trainer]
    schools: dict[str, School]

    @classmethod
    def load(cls, session: Session, programme: Programme) -> _Programme:
        trainers = session.exec(select(Trainer).where(Trainer.programme_id == programme.id)).all()
        schools = session.exec(select(School).where(School.programme_id == programme.id)).all()
        return cls({trainer.code: trainer for trainer in trainers}, {school.uai: school for school in schools})


def key_of(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """The contract's key: the reference when given, else (date, trainer, audience, school)."""
    if values.get("reference"):
        return ("reference", values["reference"])
    return ("natural", values["held_on"], values["trainer_id"], values["audience"], values["school_id"])


def _natural(values: Mapping[str, Any]) -> tuple[Any, ...]:
    return ("natural", values["held_on"], values["trainer_id"], values["audience"], values["school_id"])


def key_label(values: Mapping[str, Any], *, trainer_codes: Mapping[int, str], uais: Mapping[int, str]) -> str:
    """The key as a person reads it."""
    if values.get("reference"):
        return str(values["reference"])
    school = uais.get(values["school_id"], "—") if values["school_id"] else "—"
    return f"{values['held_on']:%d/%m/%Y} · {trainer_codes.get(values['trainer_id'], '?')} · {values['audience']} · {school}"


def session_values(training: TrainingSession) -> dict[str, Any]:
    return {name: getattr(training, name) for name in FIELDS}


def trainees_of(session: Session, session_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """The trainers each session trained, by session id."""
    ids = list(session_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if ids:
        for session_id, trainer_id in session.exec(select(TrainingTrainee.session_id, TrainingTrainee.trainer_id)
                                                   .where(col(TrainingTrainee.session_id).in_(ids))):
            found[session_id].add(trainer_id)
    return {session_id: frozenset(found.get(session_id, ())) for session_id in ids}


def programme_sessions(session: Session, programme: Programme) -> list[TrainingSession]:
    return list(session.exec(select(TrainingSession).where(TrainingSession.programme_id == programme.id)
                             .order_by(col(TrainingSession.held_on), col(TrainingSession.id))))


class PlannedTrainees:
    """The trainers the adopted plan puts in a vendor's training sessions of the wave whose dates
    contain a day (see the module docstring); the plan and the waves are read once per change."""

    def __init__(self, session: Session, programme: Programme, trainers: Mapping[str, Trainer]) -> None:
        plan = baseline(session, programme)
        self.entries = (plan.result or {}).get("trainer_training", ()) if plan is not None else ()
        self.waves = list(session.exec(select(Wave).where(Wave.programme_id == programme.id))) if self.entries else []
        self.trainers = trainers

    def of(self, vendor: Trainer, held_on: date) -> frozenset[int]:
        """Empty without an adopted plan, or outside every wave."""
        wave = next((wave for wave in self.waves if wave.start_date <= held_on <= wave.end_date), None)
        if wave is None:
            return frozenset()
        return frozenset(
            self.trainers[code].id
            for entry in self.entries if entry.get("vendor") == vendor.code and entry.get("wave") == wave.code
            for code in entry.get("trainers", ()) if code in self.trainers
        )


def _row_problems(row: Mapping[str, Any], number: int | None, known: _Programme, today: date) -> list[Problem]:
    """What is wrong with one row on its own (the rules that need other sessions come later)."""
    problems: list[Problem] = []

    def problem(column: str, code: str, value: Any = None, **params: Any) -> None:
        problems.append(Problem(code, row=number, column=column, value=None if value is None else str(value),
                                params=params))

    for name, allowed in (("audience", AUDIENCES), ("modality", MODALITIES), ("status", SESSION_STATUSES)):
        if row.get(name) not in allowed:
            problem(name, "one_of", row.get(name), expected=", ".join(allowed))
    if row.get("trainer") not in known.trainers:
        problem("trainer", "training_trainer_unknown", row.get("trainer"))
    uai = row.get("uai") or None
    audience = row.get("audience")
    school = known.schools.get(uai) if uai else None
    if audience == "trainers" and uai:
        problem("uai", "training_trainers_no_school", uai)
    elif audience in SCHOOL_AUDIENCES and not uai:
        problem("uai", "training_school_required", "", audience=audience)
    elif audience in SCHOOL_AUDIENCES and school is None:
        problem("uai", "training_school_unknown", uai)
    hours, attendees = row.get("hours"), row.get("attendees")
    if not isinstance(hours, (int, float)) or hours <= 0:
        problem("hours", "more_than", hours, minimum=0)
    if not isinstance(attendees, int) or attendees < 0:
        problem("attendees", "at_least", attendees, minimum=0)
    elif school is not None and attendees > school.teachers:
        problem("attendees", "training_attendees_above_teachers", attendees, teachers=school.teachers)
    held_on = row.get("held_on")
    if not isinstance(held_on, date):
        problem("date", "date_expected", held_on)
    elif row.get("status") == "held" and held_on > today:
        problem("date", "training_held_in_future", held_on.isoformat(), today=today.isoformat())
    trainees = row.get("trainees") or []
    if trainees and audience != "trainers":
        problem("trainees", "training_trainees_not_trainers", ", ".join(trainees))
    for code in trainees:
        if code not in known.trainers:
            problem("trainees", "training_trainer_unknown", code)
    return problems


def check_sessions(session: Session, *, programme: Programme, rows: Sequence[Mapping[str, Any]], today: date,
                   target: TrainingSession | None = None) -> tuple[list[Planned], list[Problem]]:
    """Every row checked against the programme and its sessions as they would be after the
    change, writing nothing: what each row does, and every problem (an import's rows carry
    their number under `row`). With `target`, the single row replaces that session (an edit)."""
    known = _Programme.load(session, programme)
    problems: list[Problem] = []
    typed: list[tuple[int | None, dict[str, Any], list[str] | None]] = []
    for row in rows:
        number = row.get("row")
        row_problems = _row_problems(row, number, known, today)
        problems.extend(row_problems)
        if row_problems:
            continue
        school = known.schools.get(row.get("uai")) if row.get("uai") else None
        values = {
            "held_on": row["held_on"], "trainer_id": known.trainers[row["trainer"]].id, "audience": row["audience"],
            "school_id": school.id if school else None, "modality": row["modality"], "hours": float(row["hours"]),
            "attendees": row["attendees"], "status": row["status"], "reference": row.get("reference") or None,
            "planned_wave": row.get("planned_wave") or None,
        }
        typed.append((number, values, row.get("trainees") or None))
    if problems:
        return [], problems
    stored = programme_sessions(session, programme)
    stored_trainees = trainees_of(session, (training.id for training in stored))
    by_reference = {training.reference: training for training in stored if training.reference}
    by_natural: dict[tuple[Any, ...], TrainingSession] = {}
    for training in stored:
        by_natural.setdefault(_natural(session_values(training)), training)
    codes = {trainer.id: code for code, trainer in known.trainers.items()}
    uais = {school.id: uai for uai, school in known.schools.items()}
    trainer_by_id = {trainer.id: trainer for trainer in known.trainers.values()}
    planned: list[Planned] = []
    first_row: dict[tuple[Any, ...], int | None] = {}
    planned_by_plan: PlannedTrainees | None = None
    for number, values, trainee_codes in typed:
        key = key_of(values)
        if key in first_row:
            problems.append(Problem("training_session_key_repeated", row=number,
                                    params={"first": first_row[key] or "?", "key": key_label(values, trainer_codes=codes, uais=uais)}))
            continue
        first_row[key] = number
        if target is not None:
            existing = target
            clash = by_reference.get(values["reference"]) if values["reference"] else by_natural.get(key)
            if clash is not None and clash.id != target.id:
                problems.append(Problem("training_session_key_taken", row=number, column="reference" if values["reference"] else "date",
                                        params={"key": key_label(values, trainer_codes=codes, uais=uais)}))
                continue
        elif values["reference"]:
            existing = by_reference.get(values["reference"])
            natural = by_natural.get(_natural(values))
            if existing is None and natural is not None and natural.reference is None:
                existing = natural  # the organiser's id given to a session recorded without one
        else:
            existing = by_natural.get(key)
            if existing is not None:
                values["reference"] = existing.reference  # a row without one keeps the organiser's id
        if existing is not None and values["planned_wave"] is None:
            values["planned_wave"] = existing.planned_wave  # not said: kept
        if values["audience"] != "trainers":
            trainees: frozenset[int] = frozenset()
        elif trainee_codes:
            trainees = frozenset(known.trainers[code].id for code in trainee_codes)
        else:
            planned_by_plan = planned_by_plan or PlannedTrainees(session, programme, known.trainers)
            trainees = planned_by_plan.of(trainer_by_id[values["trainer_id"]], values["held_on"])
        if existing is None:
            planned.append(Planned(number, values, trainees, None, "new"))
            continue
        before = session_values(existing)
        before_trainees = stored_trainees.get(existing.id, frozenset())
        same = before == values and before_trainees == trainees
        planned.append(Planned(number, values, trainees, existing, "unchanged" if same else "changed", before, before_trainees))
    if problems:
        return [], problems
    problems.extend(_cascade_problems(stored, stored_trainees, planned, codes))
    return ([], problems) if problems else (planned, [])


def _cascade_problems(stored: list[TrainingSession], stored_trainees: Mapping[int, frozenset[int]],
                      planned: list[Planned], codes: Mapping[int, str]) -> list[Problem]:
    """Trainers who would be trained after a held session they delivered, blamed on the row of
    this change that brings the training (else the delivery). A conflict among stored sessions
    alone is not this change's to refuse."""
    replaced = {item.target.id for item in planned if item.target is not None}
    after: list[tuple[Planned | None, _Stored]] = [
        (None, _Stored(t.held_on, t.trainer_id, t.audience, t.status, stored_trainees.get(t.id, frozenset())))
        for t in stored if t.id not in replaced
    ]
    after += [(item, _Stored(item.values["held_on"], item.values["trainer_id"], item.values["audience"],
                             item.values["status"], item.trainees)) for item in planned]
    trained: dict[int, tuple[date, Planned | None]] = {}
    delivered: dict[int, tuple[date, Planned | None]] = {}
    for origin, entry in after:
        if entry.status != "held":
            continue
        for trainee in entry.trainees:
            if trainee not in trained or entry.held_on < trained[trainee][0]:
                trained[trainee] = (entry.held_on, origin)
        if entry.trainer_id not in delivered or entry.held_on < delivered[entry.trainer_id][0]:
            delivered[entry.trainer_id] = (entry.held_on, origin)
    problems = []
    for trainer_id, (trained_day, training_row) in sorted(trained.items()):
        if trainer_id not in delivered or delivered[trainer_id][0] >= trained_day:
            continue
        delivered_day, delivering_row = delivered[trainer_id]
        blamed, day = (training_row, trained_day) if training_row is not None else (delivering_row, delivered_day)
        if blamed is None:
            continue
        problems.append(Problem("training_trained_after_delivering", row=blamed.row, column="date", value=day.isoformat(),
                                params={"trainer": codes.get(trainer_id, "?"), "trained": f"{trained_day:%d/%m/%Y}",
                                        "delivered": f"{delivered_day:%d/%m/%Y}"}))
    return problems


def write_sessions(session: Session, *, programme: Programme, planned: Sequence[Planned], author: Author) -> list[TrainingSession]:
    """Write what `check_sessions` found, audited; mark the trainers the held sessions trained,
    and derive the milestones of the schools concerned (`rollout.training.milestones`). Returns
    the sessions, in the rows' order. Does not commit."""
    written: list[TrainingSession] = []
    audited: list[tuple[Planned, TrainingSession, dict[str, list[Any]] | None]] = []
    for item in planned:
        if item.action == "unchanged":
            written.append(item.target)
            continue
        if item.action == "new":
            training, changes = TrainingSession(programme_id=programme.id, **item.values), None
        else:
            training = item.target
            changes = audit.diff(item.before, item.values)
            if item.trainees != item.before_trainees:
                changes["trainees"] = [sorted(item.before_trainees), sorted(item.trainees)]
            version = item.claimed_from if item.claimed_from is not None else training.version
            moved = training.version if item.claimed_from is not None else version + 1
            training.sqlmodel_update({**item.values, "version": moved, "updated_at": utcnow()})
            changes["version"] = [version, moved]
        session.add(training)
        written.append(training)
        audited.append((item, training, changes))
    # One flush gives every new session its id: a flush a row (and a round trip each) cost a
    # country's file of 29,000 sessions minutes on PostgreSQL.
    session.flush()
    for item, training, changes in audited:
        if changes is None:
            author.record(session, programme=programme, entity=ENTITY, entity_id=training.id, action="create",
                          changes=audit.created({**item.values, "trainees": sorted(item.trainees) or None}))
        else:
            author.record(session, programme=programme, entity=ENTITY, entity_id=training.id, action="update",
                          changes=changes)
        _set_trainees(session, training, item.before_trainees if item.target else frozenset(), item.trainees)
    _mark_trained(session, programme=programme, planned=planned, author=author)
    session.flush()
    touched = {school for item in planned if item.action != "unchanged"
               for school in (item.values["school_id"], item.before.get("school_id")) if school is not None}
    refresh_school_milestones(session, programme, touched, author)
    return written


def _set_trainees(session: Session, training: TrainingSession, before: frozenset[int], after: frozenset[int]) -> None:
    for trainer_id in before - after:
        trainee = session.get(TrainingTrainee, (training.id, trainer_id))
        if trainee is not None:
            session.delete(trainee)
    for trainer_id in after - before:
        session.add(TrainingTrainee(session_id=training.id, trainer_id=trainer_id))


def _mark_trained(session: Session, *, programme: Programme, planned: Sequence[Planned], author: Author) -> None:
    """`Trainer.trained` for every trainer a held session of this change trained (audited; the
    version moves on, so an edit of the trainer started before it is refused, not overwriting it)."""
    ids = {trainee for item in planned if item.values["status"] == "held" for trainee in item.trainees}
    if not ids:
        return
    for trainer in session.exec(select(Trainer).where(col(Trainer.id).in_(ids), col(Trainer.trained).is_(False))):
        version = trainer.version
        trainer.trained, trainer.version = True, version + 1
        session.add(trainer)
        author.record(session, programme=programme, entity="trainer", entity_id=trainer.id, action="update",
                      changes={"trained": [False, True], "version": [version, trainer.version]})


def record_sessions(session: Session, *, programme: Programme, rows: Sequence[Mapping[str, Any]], author: Author,
                    today: date | None = None) -> list[TrainingSession]:
    """Record sessions (plain dicts: held_on, trainer (code), audience, uai or None, modality,
    hours, attendees, status, reference, planned_wave, trainees (trainer codes, for `trainers`
    sessions; default: the adopted plan's, see the module docstring)). A row whose key is stored
    replaces that session. InvalidChange lists every problem and nothing is written. Does not commit."""
    planned, problems = check_sessions(session, programme=programme, rows=rows, today=today or date.today())
    if problems:
        raise InvalidChange(problems)
    return write_sessions(session, programme=programme, planned=planned, author=author)


def row_of(training: TrainingSession, *, trainer_code: str, uai: str | None, trainees: Sequence[str]) -> dict[str, Any]:
    """A stored session as a row `record_sessions` takes, to change some of its fields."""
    return {"held_on": training.held_on, "trainer": trainer_code, "audience": training.audience, "uai": uai,
            "modality": training.modality, "hours": training.hours, "attendees": training.attendees,
            "status": training.status, "reference": training.reference, "planned_wave": training.planned_wave,
            "trainees": list(trainees)}


def update_session(session: Session, *, programme: Programme, training: TrainingSession, changes: Mapping[str, Any],
                   version: int, author: Author, today: date | None = None) -> TrainingSession:
    """Change the fields given (row keys, as `record_sessions` takes them) of a session still at
    `version` (StaleVersion otherwise); the same rules as recording. Does not commit."""
    row = current_row(session, training)
    row.update(changes)
    planned, problems = check_sessions(session, programme=programme, rows=[row], today=today or date.today(), target=training)
    if problems:
        raise InvalidChange(problems)
    claim_version(session, training, version, key=training.reference or f"#{training.id}")
    item = planned[0]
    item.claimed_from, item.action = version, "changed"  # the version moved on: the edit is recorded
    return write_sessions(session, programme=programme, planned=planned, author=author)[0]


def cancel_session(session: Session, *, programme: Programme, training: TrainingSession, version: int,
                   author: Author) -> TrainingSession:
    """Mark a session cancelled (it stays listed, as a slip against the plan). Does not commit."""
    return update_session(session, programme=programme, training=training, changes={"status": "cancelled"},
                          version=version, author=author)


def current_row(session: Session, training: TrainingSession) -> dict[str, Any]:
    """The stored session as a row, with its trainer's code, its school's UAI and its trainees."""
    trainer = session.get(Trainer, training.trainer_id)
    school = session.get(School, training.school_id) if training.school_id else None
    trainee_ids = trainees_of(session, [training.id])[training.id]
    codes = [code for (code,) in session.execute(select(Trainer.code).where(col(Trainer.id).in_(trainee_ids)))] if trainee_ids else []
    return row_of(training, trainer_code=trainer.code, uai=school.uai if school else None, trainees=sorted(codes))


def trained_on(session: Session, programme: Programme) -> dict[int, date]:
    """Each trainer trained by a held `trainers` session: the date of the earliest one."""
    rows = session.exec(
        select(TrainingTrainee.trainer_id, TrainingSession.held_on)
        .join(TrainingSession, col(TrainingSession.id) == TrainingTrainee.session_id)
        .where(TrainingSession.programme_id == programme.id, TrainingSession.status == "held",
               TrainingSession.audience == "trainers")
    )
    found: dict[int, date] = {}
    for trainer_id, held_on in rows:
        if trainer_id not in found or held_on < found[trainer_id]:
            found[trainer_id] = held_on
    return found
