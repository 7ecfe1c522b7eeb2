"""Forms of the sign-in and token pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from rollout.auth.accounts import DEFAULT_TOKEN_DAYS, TOKEN_LIFETIMES


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class TokenForm(FlaskForm):
    name = StringField(_l("Usage du jeton"), validators=[DataRequired(), Length(max=200)])
    days = SelectField(
        _l("Durée de validité"), coerce=int, default=DEFAULT_TOKEN_DAYS,
        choices=[SelectChoice(days, _l("%(days)d jours", days=days)) for days in TOKEN_LIFETIMES],
    )
