"""The trainer form (Flask-WTF). The forms only collect; validation is the models' and domain functions'
(the same as the API and imports), whose problems are shown beside the field they name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

TIER_NAMES = {"vendor": _l("Éditeur"), "academic": _l("Formateur académique"), "relay": _l("Relais en établissement")}


class TrainerForm(FlaskForm):
    code = StringField(_l("Code"))
    name = StringField(_l("Nom"))
    tier = SelectField(_l("Niveau"), choices=[SelectChoice(code, name) for code, name in TIER_NAMES.items()])
    capacity = IntegerField(_l("Sessions par vague"), validators=[Optional()])
    trained = BooleanField(_l("Déjà formé"))
    email = StringField(_l("Courriel"), validators=[Optional()])
    basins = StringField(_l("Bassins servis (codes séparés par des espaces, bassin d'attache en premier ; * pour tous)"))
    capacities = StringField(_l("Capacités particulières par vague (ex. W2=0 W3=4)"), validators=[Optional()])
    version = HiddenField()
