"""Usage forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from rollout.models import CATEGORIES
from rollout.usage.display import CATEGORY_NAMES




class CategoryForm(FlaskForm):
    """A leader's choice of category for one service label; empty goes back to the default."""

    label = HiddenField(validators=[InputRequired(), Length(max=200)])
    category = SelectField(
        _l("Catégorie"),
        choices=[SelectChoice("", _l("Taxonomie par défaut"))]
        + [SelectChoice(code, CATEGORY_NAMES[code]) for code in CATEGORIES],
    )
