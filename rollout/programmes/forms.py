"""The programme forms (Flask-WTF). The forms only collect; validation is the models' and domain
functions' (the same as the API and the command line), whose problems are shown beside the
field they name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Optional

# Made first so that a new programme's form asks for the district first (fields keep the order
# in which they were made).
_DISTRICT = SelectField(_l("District"), choices=[], validate_choice=False)


class ProgrammeForm(FlaskForm):
    """A programme's settings. Weights are text so that `1,5` reads as people write it."""

    name = StringField(_l("Nom du programme"))
    platform = StringField(_l("Plateforme (ENT déployé)"))
    previous_platform = StringField(_l("ENT précédent"), validators=[Optional()])
    start_date = DateField(_l("Début du programme"), validators=[Optional()])
    teachers_per_session = IntegerField(_l("Enseignants par session de formation"), validators=[Optional()])
    trainers_per_session = IntegerField(_l("Formateurs par session de l'éditeur"), validators=[Optional()])
    schools_per_leadership_session = IntegerField(_l("Établissements par session des équipes de direction"),
                                                  validators=[Optional()])
    trainer_lag = IntegerField(_l("Vagues entre la formation d'un formateur et sa première session"), validators=[Optional()])
    weight_rep_plus = StringField(_l("Poids des établissements REP+"))
    weight_rep = StringField(_l("Poids des établissements REP"))
    weight_none = StringField(_l("Poids des autres établissements"))
    version = HiddenField()


class NewProgrammeForm(ProgrammeForm):
    """A new programme, in one of the person's districts (the choices, set by the view)."""

    district = _DISTRICT
