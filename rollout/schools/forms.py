"""The school form and the national-file import form (Flask-WTF). The forms only collect; validation is the models' and domain functions'
(the same as the API and imports), whose problems are shown beside the field they name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

PRIORITY_NAMES = {"none": _l("Hors éducation prioritaire"), "REP": "REP", "REP+": "REP+"}


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


class NationalForm(FlaskForm):
    """The national file: uploaded, or the 2021 copy shipped with rollout when none is given."""

    file = FileField(_l("Fichier national des collèges (facultatif)"))
    departments = StringField(_l("Départements (codes séparés par des espaces)"), validators=[InputRequired()])
    include_private = BooleanField(_l("Inclure les collèges privés"))
    schools_per_basin = IntegerField(_l("Collèges par bassin créé"), default=16, validators=[Optional()])
