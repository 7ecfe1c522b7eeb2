"""The wave form (Flask-WTF). The forms only collect; validation is the models' and domain functions'
(the same as the API and imports), whose problems are shown beside the field they name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import Optional

class WaveForm(FlaskForm):
    code = StringField(_l("Code"))
    label = StringField(_l("Libellé"), validators=[Optional()])
    position = IntegerField(_l("Position (0 = première vague)"), validators=[Optional()])
    start_date = DateField(_l("Début"), validators=[Optional()])
    end_date = DateField(_l("Fin"), validators=[Optional()])
    max_schools = IntegerField(_l("Établissements au plus"), validators=[Optional()])
    max_pupils = IntegerField(_l("Élèves au plus"), validators=[Optional()])
    version = HiddenField()
