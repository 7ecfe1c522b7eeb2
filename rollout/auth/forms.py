"""Forms of the sign-in and token pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class TokenForm(FlaskForm):
    name = StringField(_l("Usage du jeton"), validators=[DataRequired(), Length(max=200)])
