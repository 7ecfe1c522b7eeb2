"""Forms of the sign-in, account and token pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from rollout.auth.accounts import DEFAULT_TOKEN_DAYS, MIN_PASSWORD_LENGTH, TOKEN_LIFETIMES, password_weakness
from rollout.core.messages import message


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    """A new password, typed twice, and the current one: a session left open on a shared
    computer is not enough to take the account over."""

    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(), Length(max=500)])
    new_password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(), Length(max=500)])
    confirmation = PasswordField(
        _l("Nouveau mot de passe, une seconde fois"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("les deux saisies diffèrent"))],
    )

    def validate_new_password(self, field: Field) -> None:
        weakness = password_weakness(field.data)
        if weakness is not None:
            raise ValidationError(message(weakness, {"minimum": MIN_PASSWORD_LENGTH}))


class TokenForm(FlaskForm):
    name = StringField(_l("Usage du jeton"), validators=[DataRequired(), Length(max=200)])
    days = SelectField(
        _l("Durée de validité"), coerce=int, default=DEFAULT_TOKEN_DAYS,
        choices=[SelectChoice(days, _l("%(days)d jours", days=days)) for days in TOKEN_LIFETIMES],
    )
