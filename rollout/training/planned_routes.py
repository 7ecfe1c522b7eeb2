"""Pages of the adopted plan's sessions: the programme's trainers with their plans, a trainer's
planned sessions per wave with their state and slips, the trainer's calendar (a download, and
private feeds a calendar app subscribes to), and the feed itself, which needs no sign-in.

Leaders and project managers (who record sessions) see them; stakeholders read aggregates only
and never a trainer's calendar or feed address.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlmodel import Session, col, select

from rollout.auth.access import EDITORS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core import secret_links
from rollout.core.forms import ButtonForm, show_problems
from rollout.core.problems import InvalidChange, describe
from rollout.core.pages import programme_page
from rollout.db import get_engine, get_session
from rollout.models import Programme, School, Trainer, utcnow
from rollout.models.training import TrainerFeed
from rollout.trainers.records import programme_trainers, trainer_or_none
from rollout.training import feeds
from rollout.training.planned import PlannedEntry, planned_sessions, slips, trainer_calendar
from rollout.training.planned_forms import HeldSessionForm
from rollout.training.sessions import record_sessions
from planner.export import calendar_file_name

bp = Blueprint("trainer_plans", __name__)


def _trainer_or_404(programme: Programme, code: str) -> Trainer:
    return trainer_or_none(get_session(), programme=programme, code=code) or abort(404)


@bp.get("/programmes/<int:programme_id>/training/planned")
@access(*EDITORS)
def index(programme_id: int):
    """Every trainer of the programme with its planned entries counted by state."""
    programme = programme_or_404(programme_id)
    db = get_session()
    entries = planned_sessions(db, programme=programme)
    counts: dict[str, Counter[str]] = {}
    for entry in entries:
        counts.setdefault(entry.trainer, Counter())[entry.state] += 1
    return programme_page("training/planned_index.html", programme, trainers=programme_trainers(db, programme=programme),
                          counts=counts, planned=bool(entries))


@bp.get("/programmes/<int:programme_id>/training/planned/<code>")
@access(*EDITORS)
def trainer_page(programme_id: int, code: str):
    """A trainer's planned sessions, per wave, with their state, its slips and its feeds."""
    programme = programme_or_404(programme_id)
    return _trainer_page(programme, _trainer_or_404(programme, code))


def _trainer_page(programme: Programme, trainer: Trainer, *, created: str | None = None):
    db = get_session()
    waves: dict[str, list] = {}
    for entry in planned_sessions(db, programme=programme, trainer=trainer):
        waves.setdefault(entry.wave, []).append(entry)
    names = {**dict(db.exec(select(School.uai, School.name).where(School.programme_id == programme.id)).all()),
             **{other.code: other.name for other in programme_trainers(db, programme=programme)}}
    return programme_page("training/planned_trainer.html", programme, trainer=trainer, waves=waves, names=names,
                          slips=slips(db, programme=programme, trainer=trainer),
                          feeds=feeds.trainer_feeds(db, trainer=trainer), created=created, record_url=_record_url,
                          today=date.today())


LEADERSHIP_ATTENDEES = 2  # the head teacher and the IT administrator (planning contract, rule 5)


def _record_url(entry: PlannedEntry) -> str:
    return url_for("trainer_plans.record_held", programme_id=request.view_args["programme_id"], code=entry.trainer,
                   audience=entry.key[0], wave=entry.key[1], ref=entry.key[2])


@bp.route("/programmes/<int:programme_id>/training/planned/<code>/record", methods=["GET", "POST"])
@access(*EDITORS)
def record_held(programme_id: int, code: str):
    """The planned entry named by the query string, recorded as held: the form comes prefilled
    (today within the wave, the school's teachers, face to face) and one confirm records it;
    a refusal shows the form again with the reasons, nothing written."""
    programme = programme_or_404(programme_id)
    trainer = _trainer_or_404(programme, code)
    db = get_session()
    key = (request.args.get("audience", ""), request.args.get("wave", ""), request.args.get("ref", ""))
    entry = next((e for e in planned_sessions(db, programme=programme, trainer=trainer) if e.key == key), None) or abort(404)
    school = db.exec(select(School).where(School.programme_id == programme.id, School.uai == entry.uai)).first() if entry.uai else None
    form = HeldSessionForm() if request.method == "POST" else HeldSessionForm(data=_defaults(entry, school))
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            record_sessions(db, programme=programme, rows=_held_rows(entry, trainer, form), author=current_author("form"))
        except InvalidChange as refusal:
            problems = [describe(problem) for problem in show_problems(form, refusal.problems)]
        else:
            db.commit()
            flash(_("Séance enregistrée comme réalisée."), "info")
            return redirect(url_for("trainer_plans.trainer_page", programme_id=programme.id, code=trainer.code))
    status = 422 if request.method == "POST" else 200
    return programme_page("training/planned_record.html", programme, trainer=trainer, entry=entry, school=school, form=form,
                          problems=problems), status


def _defaults(entry: PlannedEntry, school: School | None) -> dict[str, Any]:
    """Today clamped into the entry's wave; attendees the school's teachers, the trainers to
    train, or a school's leadership pair."""
    attendees = (school.teachers if school is not None else len(entry.members) if entry.audience == "trainers"
                 else LEADERSHIP_ATTENDEES)
    return {"held_on": min(max(date.today(), entry.start), entry.end), "modality": "face_to_face", "attendees": attendees}


def _held_rows(entry: PlannedEntry, trainer: Trainer, form: HeldSessionForm) -> list[dict[str, Any]]:
    """The rows `record_sessions` takes: one for a school's teachers or a trainers session (with
    the plan's trainees), one per school whose leadership is not yet recorded as held."""
    common = {"held_on": form.held_on.data, "trainer": trainer.code, "audience": entry.audience, "modality": form.modality.data,
              "hours": float(form.hours.data), "attendees": form.attendees.data, "status": "held", "reference": None,
              "planned_wave": entry.wave, "trainees": []}
    if entry.audience == "trainers":
        return [{**common, "uai": None, "trainees": list(entry.members)}]
    if entry.audience == "teachers":
        return [{**common, "uai": entry.uai}]
    done = {row.school_id for row in entry.recorded if row.status == "held"}
    uais = dict(get_session().exec(select(School.id, School.uai).where(col(School.id).in_(done))).all()) if done else {}
    return [{**common, "uai": uai} for uai in entry.members if uai not in uais.values()]


@bp.get("/programmes/<int:programme_id>/training/planned/<code>/calendar.ics")
@access(*EDITORS)
def calendar(programme_id: int, code: str) -> Response:
    """The trainer's calendar as a file to import once (the feed keeps one up to date)."""
    programme = programme_or_404(programme_id)
    trainer = _trainer_or_404(programme, code)
    response = Response(trainer_calendar(get_session(), programme=programme, trainer=trainer), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{calendar_file_name(trainer.code)}"'
    return response


@bp.post("/programmes/<int:programme_id>/training/planned/<code>/feed")
@access(*EDITORS)
def create_feed(programme_id: int, code: str):
    """A new private feed; its address is shown on this response only."""
    programme = programme_or_404(programme_id)
    trainer = _trainer_or_404(programme, code)
    if not ButtonForm().validate_on_submit():
        abort(400)
    _feed, secret = feeds.create_feed(get_session(), programme=programme, trainer=trainer, author=current_author("form"))
    get_session().commit()
    return _trainer_page(programme, trainer, created=url_for("trainer_plans.feed", secret=secret, _external=True))


@bp.post("/programmes/<int:programme_id>/training/planned/<code>/feed/<int:feed_id>/revoke")
@access(*EDITORS)
def revoke_feed(programme_id: int, code: str, feed_id: int):
    """Revoke one of the trainer's feeds (another trainer's is a 404), then back to the page."""
    programme = programme_or_404(programme_id)
    trainer = _trainer_or_404(programme, code)
    db = get_session()
    feed = db.get(TrainerFeed, feed_id)
    if feed is None or feed.trainer_id != trainer.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if feeds.revoke_feed(db, feed=feed, programme=programme, trainer=trainer, author=current_author("form")):
        db.commit()
        flash(_("Flux révoqué : son adresse n'ouvre plus rien."), "info")
    return redirect(url_for("trainer_plans.trainer_page", programme_id=programme.id, code=trainer.code))


@bp.get("/feeds/<secret>.ics")
@access(public=True)
def feed(secret: str) -> Response:
    """The feed a calendar app subscribes to: the trainer's calendar, never cached, without a
    Referer; 404 (audited) for a revoked or unknown secret, so a guess learns nothing; 429 once
    the address has sent too many (`rollout.core.secret_links`)."""
    db = get_session()
    details = {"ip": request.remote_addr or "unknown"}
    secret_links.abort_if_flooding(db, address=details["ip"])
    found = feeds.feed_by_secret(db, secret)
    trainer = db.get(Trainer, found.trainer_id) if found is not None else None
    programme = db.get(Programme, trainer.programme_id) if trainer is not None else None
    with Session(get_engine()) as own:  # the feed's own transaction stays a read
        if found is None or found.revoked_at is not None or programme is None:
            feeds.record_refused_use(own, feed=found, programme=programme, details=details)
            abort(404)
        feeds.record_use(own, feed=found, programme=programme, now=utcnow(), details=details)
    response = Response(trainer_calendar(db, programme=programme, trainer=trainer), mimetype="text/calendar")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
