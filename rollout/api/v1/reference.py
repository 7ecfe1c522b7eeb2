"""What the schools, trainers and waves resources share: the programme query, the school scope
(both used by progress too), the author of an API change, and how refusals of the domain become
API errors.

Status codes: 422 when the body does not match its schema; 409 when it does but conflicts with
the programme's data (key taken, unknown basin or wave, waves out of order, a school edited
since the `version` sent, a record still in use); 400 when the database refuses a value the
schema cannot describe (e.g. a NUL character, which PostgreSQL text cannot hold): the message
names the field and the value, never the database's own words, which go to the log.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from rollout.api import ErrorBody, Id
from rollout.auth.identity import current_author
from rollout.auth.scope import school_or_404, single_programme_or_404
from rollout.core.author import Author
from rollout.core.problems import InvalidChange, Problem, StaleVersion, describe
from rollout.db import get_session
from rollout.errors import ApiError

Result = TypeVar("Result")


class ProgrammeQuery(BaseModel):
    """`programme` may be left out when the caller sees a single programme."""

    programme: Id | None = None


class ConflictBody(ErrorBody):
    """A refusal; `current_version` is set when the record changed since the version sent."""

    current_version: int | None = None


def school_in_scope(view: Callable[..., Any]) -> Callable[..., Any]:
    """404 for a school outside the caller's programmes before the body is validated, so that
    another district's school never answers anything else (not even 422)."""

    @functools.wraps(view)
    def scoped(*args: Any, **kwargs: Any) -> Any:
        try:
            query = ProgrammeQuery.model_validate({"programme": request.args.get("programme") or None})
        except ValidationError:  # no programme id (2**70, "x"): the body's validation refuses the query
            return view(*args, **kwargs)
        school_or_404(single_programme_or_404(query.programme), kwargs["uai"])
        return view(*args, **kwargs)

    return scoped


def api_author() -> Author:
    return current_author("api")


def commit_change(change: Callable[[], Result]) -> Result:
    """Run a domain change and commit it; turn its refusals into API errors (nothing written)."""
    db = get_session()
    try:
        result = change()
        db.commit()
        return result
    except StaleVersion as conflict:
        db.rollback()
        raise ApiError(409, str(conflict), field="version", current_version=conflict.current_version) from None
    except InvalidChange as refused:
        db.rollback()
        raise ApiError(409, str(refused), field=refused.field) from None
    except sa.exc.DataError as error:
        db.rollback()
        current_app.logger.warning("the database refused a value: %s", " ".join(str(error.orig).split()))
        refused = Problem("invalid_value", params={"detail": _("la base de données ne peut pas l'enregistrer")})
        raise ApiError(400, describe(refused), field=None) from None
