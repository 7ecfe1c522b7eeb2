"""The forms every feature's pages share (Flask-WTF: each carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from rollout.core.problems import Problem


class ButtonForm(FlaskForm):
    """A button-only form (confirm, cancel, delete, adopt): just the CSRF token."""


class UploadForm(FlaskForm):
    """A spreadsheet to import, previewed before anything is written."""

    file = FileField(_l("Fichier CSV ou XLSX"), validators=[FileRequired()])


def show_problems(form: FlaskForm, problems: list[Problem]) -> list[Problem]:
    """Put each problem beside the field it names; return those no field of the form shows."""
    unplaced = []
    for problem in problems:
        field = form._fields.get(problem.column or "")
        if field is None or isinstance(field, HiddenField):
            unplaced.append(problem)
        else:
            field.errors = [*field.errors, problem.reason]
    return unplaced
