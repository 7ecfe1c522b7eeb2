"""Saving what a person typed in a form: validated through the same models and domain functions
as the API and imports, committed once, and on refusal each problem shown beside its field.
Edits are optimistically locked: a record saved by someone else meanwhile is shown, not
overwritten (`save_edit`)."""

from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash
from flask_wtf import FlaskForm
from pydantic import ValidationError
from sqlmodel import SQLModel

from rollout.core.forms import show_problems
from rollout.core.problems import InvalidChange, StaleVersion, problems_of
from rollout.db import get_session


def save_form(form: FlaskForm, model: type[SQLModel], values: dict[str, Any], change: Callable[[Any], Any]) -> bool:
    """Validate `values` through `model` and apply `change`; on refusal, roll back and show each
    problem beside its field. True when the change was committed. A StaleVersion is left to the
    caller, which answers 409 (after rolling back)."""
    db = get_session()
    try:
        change(model.model_validate(values))
        db.commit()
        return True
    except StaleVersion:
        raise
    except ValidationError as error:
        db.rollback()
        problems = problems_of(error, values)
    except InvalidChange as error:
        db.rollback()
        problems = error.problems
    for problem in show_problems(form, problems):
        flash(problem.reason, "error")
    return False


def submitted_version(form: FlaskForm) -> int:
    """The version an edit form was opened at (400 when the hidden field was tampered with)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        abort(400)


def save_edit(form: FlaskForm, model: type[SQLModel], values: dict[str, Any], change: Callable[[Any], Any],
              record: SQLModel, snapshot: Callable[[], dict[str, Any]]) -> dict[str, Any] | bool | None:
    """`save_form` for an edit: True when saved; otherwise None (refused, problems shown), or,
    when someone saved the record since the form was opened, their version (`snapshot()` of the
    record reloaded), with the form's hidden version moved to theirs so that saving again
    replaces it knowingly."""
    try:
        return save_form(form, model, {**values, "version": submitted_version(form)}, change) or None
    except StaleVersion as conflict:
        db = get_session()
        db.rollback()
        db.refresh(record)
        form.version.data = str(conflict.current_version)
        return snapshot()


def delete_refusal(delete: Callable[[], Any]) -> str | None:
    """Run `delete` and commit; when the domain refuses (the record is still in use), roll back
    and give the reason to show."""
    db = get_session()
    try:
        delete()
        db.commit()
    except InvalidChange as error:
        db.rollback()
        return error.problems[0].reason
    return None
