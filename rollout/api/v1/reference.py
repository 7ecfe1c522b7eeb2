"""What the schools, trainers and waves resources share: the programme query, the school scope
(both used by progress too), the author of an API change, and how refusals of the domain become
API errors.

Status codes: 422 when the body does not match its schema; 409 when it does but conflicts with
the programme's data (key taken, unknown basin or wave, waves out of order, a school edited
since the `version` sent, a record still in use); 400 when the database refuses a value the
schema cannot describe (e.g. a NUL character, a number beyond 32 bits).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from flask import request
from pydantic import BaseModel

from rollout.auth.identity import current_author
from rollout.api import ErrorBody, Id
from rollout.auth.scope import school_or_404, single_programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.core.problems import InvalidChange, StaleVersion
from rollout.core.author import Author

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
        programme = request.args.get("programme", "")
        if programme == "" or programme.isdigit():
            school_or_404(single_programme_or_404(int(programme) if programme else None), kwargs["uai"])
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
        raise ApiError(400, f"the database refused a value: {' '.join(str(error.orig).split())[:300]}") from None
