"""The basin form (Flask-WTF). The forms only collect; validation is the models' and domain functions'
(the same as the API and imports), whose problems are shown beside the field they name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

class BasinForm(FlaskForm):
    code = StringField(_l("Code"))
    name = StringField(_l("Nom"))
