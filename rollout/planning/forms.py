"""Forms of the plans page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT


class NewPlanForm(FlaskForm):
    name = StringField(_l("Nom du scénario"), validators=[DataRequired(), Length(max=200)])
    time_limit = FloatField(
        _l("Temps de calcul maximal (secondes)"), default=60, validators=[NumberRange(min=MIN_TIME_LIMIT, max=MAX_TIME_LIMIT)]
    )


class ReplanForm(FlaskForm):
    """Re-plan from today; its fields are named apart from NewPlanForm's, both being on one page."""

    replan_name = StringField(_l("Nom de la replanification"), validators=[DataRequired(), Length(max=200)])
    replan_time_limit = FloatField(
        _l("Temps de calcul maximal (secondes)"), default=60, validators=[NumberRange(min=MIN_TIME_LIMIT, max=MAX_TIME_LIMIT)]
    )
