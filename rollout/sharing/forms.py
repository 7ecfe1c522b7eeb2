"""The share links page's form (Flask-WTF: it carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from rollout.sharing.links import DEFAULT_DAYS, LIFETIMES


class ShareLinkForm(FlaskForm):
    label = StringField(_l("Pour qui, pour quoi"), validators=[DataRequired(), Length(max=200)],
                        description=_l("Par exemple : Conseil départemental du 12 janvier"))
    days = SelectField(
        _l("Durée de validité"), coerce=int, default=DEFAULT_DAYS,
        choices=[SelectChoice(days, _l("%(days)d jours", days=days)) for days in LIFETIMES],
    )
