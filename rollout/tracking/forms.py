"""The milestone form and the upload form (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from rollout.models import MILESTONE_STATUSES
from rollout.tracking.display import PIX_NAMES, STATUS_NAMES


class MilestoneForm(FlaskForm):
    """One milestone. `version` is the version the person started from (optimistic locking)."""

    status = SelectField(_l("Statut"), choices=[SelectChoice(code, STATUS_NAMES[code]) for code in MILESTONE_STATUSES])
    actual_on = DateField(_l("Date de réalisation"), validators=[Optional()])
    count = IntegerField(_l("Enseignants formés"), validators=[Optional(), NumberRange(min=0)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    version = HiddenField(validators=[InputRequired()])


class PixMilestoneForm(MilestoneForm):
    """The Pix+ Édu milestone: teachers certified per level; their sum is the milestone's count."""

    pix_initie = IntegerField(PIX_NAMES["initie"], validators=[Optional(), NumberRange(min=0)])
    pix_confirme = IntegerField(PIX_NAMES["confirme"], validators=[Optional(), NumberRange(min=0)])
    pix_avance = IntegerField(PIX_NAMES["avance"], validators=[Optional(), NumberRange(min=0)])
    pix_expert = IntegerField(PIX_NAMES["expert"], validators=[Optional(), NumberRange(min=0)])
