"""The form recording a planned entry as held (Flask-WTF): prefilled from the entry, so that
recording what the plan said takes one confirm. It only collects; `record_sessions` validates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

MODALITY_NAMES = {"face_to_face": _l("Présentiel"), "online": _l("Distanciel (M@gistère)"), "hybrid": _l("Hybride")}
DEFAULT_HOURS = 3


class HeldSessionForm(FlaskForm):
    held_on = DateField(_l("Date de la séance"), validators=[InputRequired()])
    modality = SelectField(_l("Modalité"), choices=[SelectChoice(code, name) for code, name in MODALITY_NAMES.items()],
                           default="face_to_face")
    hours = DecimalField(_l("Durée (heures)"), places=None, validators=[InputRequired()], default=DEFAULT_HOURS)
    attendees = IntegerField(_l("Participants (par établissement)"), validators=[InputRequired()])
