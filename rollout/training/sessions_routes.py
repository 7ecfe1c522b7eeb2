"""The training sessions page: the programme's sessions filtered by trainer, school and status,
the form that records one session (for several schools at once, one session each, and with
the trainers a `trainers` session trained), and the form that cancels one; a sessions file is
uploaded, previewed and confirmed on the import pipeline's pages (`rollout.imports.routes`).

Only project managers and leaders (and admins) see it: a session names a trainer and what they
did; stakeholders read the aggregates of the dashboards.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import col, select
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from rollout.auth.access import EDITORS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.forms import ButtonForm, show_problems
from rollout.core.pages import programme_page
from rollout.core.problems import InvalidChange
from rollout.db import get_session
from rollout.models import Programme, School, Trainer
from rollout.models.training import SESSION_STATUSES, TrainingSession
from rollout.training.sessions import cancel_session, record_sessions, trainees_of

bp = Blueprint("training_sessions", __name__)

AUDIENCE_NAMES = {"trainers": _l("Formateurs"), "leadership": _l("Équipes de direction"),
                  "administrators": _l("Administrateurs"), "teachers": _l("Enseignants")}
MODALITY_NAMES = {"face_to_face": _l("Présentiel"), "online": _l("Distanciel (M@gistère)"), "hybrid": _l("Hybride")}
STATUS_NAMES = {"held": _l("Réalisée"), "cancelled": _l("Annulée")}


class SessionForm(FlaskForm):
    """One session as delivered; several schools make one session each, alike."""

    date = DateField(_l("Date"), validators=[InputRequired()])
    trainer = SelectField(_l("Formateur"))
    audience = SelectField(_l("Public"), choices=[SelectChoice(code, name) for code, name in AUDIENCE_NAMES.items()])
    uai = SelectMultipleField(_l("Établissements (aucun pour une formation de formateurs)"))
    modality = SelectField(_l("Modalité"), choices=[SelectChoice(code, name) for code, name in MODALITY_NAMES.items()])
    hours = DecimalField(_l("Durée (heures)"), places=2, validators=[InputRequired(), NumberRange(min=0.01)])
    attendees = IntegerField(_l("Participants (par établissement)"), validators=[InputRequired(), NumberRange(min=0)])
    status = SelectField(_l("Statut"), choices=[SelectChoice(code, name) for code, name in STATUS_NAMES.items()])
    reference = StringField(_l("Référence (facultative)"), validators=[Optional(), Length(max=100)])
    trainees = SelectMultipleField(_l("Formateurs formés (formation de formateurs ; par défaut ceux du plan adopté)"))
    planned_wave = HiddenField(validators=[Optional(), Length(max=32)])


def session_form(programme: Programme, trainers: list[Trainer], schools: list[School]) -> SessionForm:
    form = SessionForm()
    form.trainer.choices = [SelectChoice(trainer.code, f"{trainer.code} — {trainer.name}") for trainer in trainers]
    form.uai.choices = [SelectChoice(school.uai, f"{school.uai} — {school.name}") for school in schools]
    form.trainees.choices = [SelectChoice(trainer.code, f"{trainer.code} — {trainer.name}") for trainer in trainers
                             if trainer.tier != "vendor"]
    return form


def _rows(form: SessionForm) -> list[dict]:
    """The form as rows of `record_sessions`: one per school chosen, or one without a school."""
    common = {"held_on": form.date.data, "trainer": form.trainer.data, "audience": form.audience.data,
              "modality": form.modality.data, "hours": float(form.hours.data), "attendees": form.attendees.data,
              "status": form.status.data, "reference": form.reference.data or None,
              "planned_wave": form.planned_wave.data or None, "trainees": list(form.trainees.data or [])}
    uais = list(form.uai.data or []) or [None]
    if len(uais) > 1 and common["reference"]:  # one reference names one session
        return [{**common, "uai": uai, "reference": f"{common['reference']}-{uai}"} for uai in uais]
    return [{**common, "uai": uai} for uai in uais]


def _filters() -> dict[str, str]:
    """The list's filters from the query string (400 for a status that does not exist)."""
    chosen = {name: request.args.get(name, "").strip() for name in ("trainer", "uai", "status")}
    if chosen["status"] and chosen["status"] not in SESSION_STATUSES:
        abort(400)
    return chosen


@bp.route("/programmes/<int:programme_id>/training/sessions", methods=["GET", "POST"])
@access(*EDITORS)
def index(programme_id: int):
    """The sessions, filtered, and the form that records one (422 with the problems beside their
    fields when refused: nothing written)."""
    db = get_session()
    programme = programme_or_404(programme_id)
    trainer_list = list(db.exec(select(Trainer).where(Trainer.programme_id == programme.id).order_by(col(Trainer.code))))
    school_list = list(db.exec(select(School).where(School.programme_id == programme.id).order_by(col(School.name))))
    form = session_form(programme, trainer_list, school_list)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                written = record_sessions(db, programme=programme, rows=_rows(form), author=current_author("form"),
                                          today=date.today())
                db.commit()
            except InvalidChange as error:
                db.rollback()
                for problem in show_problems(form, error.problems):
                    flash(problem.reason, "error")
            else:
                flash(_("%(count)d séance(s) enregistrée(s).", count=len(written)), "info")
                return redirect(url_for("training_sessions.index", programme_id=programme.id))
        status = 422
    trainers = {trainer.id: trainer for trainer in trainer_list}
    schools = {school.id: school for school in school_list}
    chosen = _filters()
    statement = select(TrainingSession).where(TrainingSession.programme_id == programme.id)
    if chosen["trainer"]:
        statement = statement.where(TrainingSession.trainer_id == next(
            (trainer.id for trainer in trainer_list if trainer.code == chosen["trainer"]), -1))
    if chosen["uai"]:
        statement = statement.where(TrainingSession.school_id == next(
            (school.id for school in school_list if school.uai == chosen["uai"].upper()), -1))
    if chosen["status"]:
        statement = statement.where(TrainingSession.status == chosen["status"])
    sessions = list(db.exec(statement.order_by(col(TrainingSession.held_on).desc(), col(TrainingSession.id))))
    trainees = trainees_of(db, (training.id for training in sessions))
    return programme_page(
        "training/sessions.html", programme, sessions=sessions, trainers=trainers, schools=schools, trainees=trainees,
        form=form, cancel_form=ButtonForm(), chosen=chosen, audience_names=AUDIENCE_NAMES, modality_names=MODALITY_NAMES,
        status_names=STATUS_NAMES, trainer_list=trainer_list, school_list=school_list,
    ), status



@bp.post("/programmes/<int:programme_id>/training/sessions/<int:session_id>/cancel")
@access(*EDITORS)
def cancel(programme_id: int, session_id: int):
    """Mark a session cancelled, if still at the version the page showed."""
    db = get_session()
    programme = programme_or_404(programme_id)
    training = db.get(TrainingSession, session_id)
    if training is None or training.programme_id != programme.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    try:
        cancel_session(db, programme=programme, training=training, version=version, author=current_author("form"))
        db.commit()
    except InvalidChange as error:
        db.rollback()
        flash(error.problems[0].reason, "error")
    else:
        flash(_("Séance annulée."), "info")
    return redirect(url_for("training_sessions.index", programme_id=programme.id))
