"""Forms of the reference-data pages (Flask-WTF: every form carries a CSRF token).

The forms only collect; validation is the models' and domain functions' (the same as the API
and imports), whose problems are shown beside the field they name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from rollout.imports.tabular import Problem

PRIORITY_NAMES = {"none": _l("Hors éducation prioritaire"), "REP": "REP", "REP+": "REP+"}
TIER_NAMES = {"vendor": _l("Éditeur"), "academic": _l("Formateur académique"), "relay": _l("Relais en établissement")}


class SchoolForm(FlaskForm):
    """A school; `basin` and the waves are chosen among the programme's (set by the view)."""

    uai = StringField(_l("UAI"))
    name = StringField(_l("Nom"))
    commune = StringField(_l("Commune"))
    commune_code = StringField(_l("Code INSEE de la commune"), validators=[Optional()])
    pupils = IntegerField(_l("Élèves"), validators=[Optional()])
    teachers = IntegerField(_l("Enseignants"), validators=[Optional()])
    priority = SelectField(_l("Éducation prioritaire"), choices=[SelectChoice(code, name) for code, name in PRIORITY_NAMES.items()])
    basin = SelectField(_l("Bassin"), choices=[])
    pinned_wave = SelectField(_l("Vague imposée"), choices=[])
    latest_wave = SelectField(_l("Vague au plus tard"), choices=[])
    equipment_ready_on = DateField(_l("Équipement prêt le"), validators=[Optional()])
    latitude = DecimalField(_l("Latitude"), validators=[Optional()], places=None)
    longitude = DecimalField(_l("Longitude"), validators=[Optional()], places=None)
    previous_platform = StringField(_l("ENT précédent"), validators=[Optional()])
    head_teacher_name = StringField(_l("Chef d'établissement"), validators=[Optional()])
    head_teacher_email = StringField(_l("Courriel du chef d'établissement"), validators=[Optional()])
    version = HiddenField()


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


class WaveForm(FlaskForm):
    code = StringField(_l("Code"))
    label = StringField(_l("Libellé"), validators=[Optional()])
    position = IntegerField(_l("Position (0 = première vague)"), validators=[Optional()])
    start_date = DateField(_l("Début"), validators=[Optional()])
    end_date = DateField(_l("Fin"), validators=[Optional()])
    max_schools = IntegerField(_l("Établissements au plus"), validators=[Optional()])
    max_pupils = IntegerField(_l("Élèves au plus"), validators=[Optional()])
    version = HiddenField()


class BasinForm(FlaskForm):
    code = StringField(_l("Code"))
    name = StringField(_l("Nom"))


class UploadForm(FlaskForm):
    file = FileField(_l("Fichier CSV ou XLSX"), validators=[FileRequired()])


class NationalForm(FlaskForm):
    """The national file: uploaded, or the 2021 copy shipped with rollout when none is given."""

    file = FileField(_l("Fichier national des collèges (facultatif)"))
    departments = StringField(_l("Départements (codes séparés par des espaces)"), validators=[InputRequired()])
    include_private = BooleanField(_l("Inclure les collèges privés"))
    schools_per_basin = IntegerField(_l("Collèges par bassin créé"), default=16, validators=[Optional()])


class ButtonForm(FlaskForm):
    """A button-only form (confirm, cancel, delete): just the CSRF token."""


def show_problems(form: FlaskForm, problems: list[Problem]) -> list[Problem]:
    """Put each problem beside the field it names; return those no field of the form shows."""
    unplaced = []
    for problem in problems:
        field = form._fields.get(problem.column or "")
        if field is None or isinstance(field, HiddenField):
            unplaced.append(problem)
        else:
            field.errors = [*field.errors, problem.reason]
    return unplaced
