"""Forms of the scenario pages (each with its CSRF token); the edits' own fields are read by
`rollout.scenarios.edit_forms`, one small form per kind of edit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT
from rollout.scenarios.records import NAME_LENGTH


class NewScenarioForm(FlaskForm):
    name = StringField(_l("Nom du scénario"), validators=[DataRequired(), Length(max=NAME_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class ScenarioForm(NewScenarioForm):
    """Renaming or describing a scenario, from the version the page showed."""

    version = HiddenField()


class VersionForm(FlaskForm):
    """A change of the edits (add, remove) or a deletion, from the version the page showed."""

    version = HiddenField()


class SolveForm(FlaskForm):
    plan_name = StringField(_l("Nom du plan"), validators=[DataRequired(), Length(max=200)])
    time_limit = FloatField(
        _l("Temps de calcul maximal (secondes)"), default=60, validators=[NumberRange(min=MIN_TIME_LIMIT, max=MAX_TIME_LIMIT)]
    )
