"""The API of a programme's records named by a code (trainers, waves): `GET /<plural>`,
`GET /<plural>/{code}`, `POST /<plural>`, `PATCH /<plural>/{code}`, read by everyone, written by
district leaders, through the records module's functions; refusals as `commit_change` answers.

No `from __future__ import annotations` here: spectree reads the views' annotations to find
their request models, and these name the models each resource passes in.
"""

from typing import Any, Callable, Iterable

from flask import abort
from pydantic import BaseModel
from spectree import Response
from sqlmodel import Session

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.v1.reference import ConflictBody, ProgrammeQuery, api_author, commit_change
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import single_programme_or_404
from rollout.db import get_session
from rollout.models import Programme


def _named(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a view its resource's name (its endpoint, and its summary in the OpenAPI document),
    as Flask's `View.as_view(name)` does."""

    def rename(view: Callable[..., Any]) -> Callable[..., Any]:
        view.__name__ = view.__qualname__ = name
        return view

    return rename


def add_coded_records(
    entity: str, plural: str, *, listing: type[BaseModel], public: type[BaseModel], create_model: type[BaseModel],
    update_model: type[BaseModel], records: Callable[[Session, Programme], Iterable[Any]], find: Callable[..., Any],
    create: Callable[..., Any], update: Callable[..., Any], publish: Callable[[Session, Any], BaseModel],
) -> None:
    """Register the four routes of `plural` on `api_v1` (views `list_<plural>`, `get_<entity>`,
    `post_<entity>`, `patch_<entity>`, tagged `plural`). `listing` holds `programme_id` and the
    list named `plural`; `find`, `create` and `update` are the records module's (keyword-only;
    `update` takes the record under the keyword `entity`); `publish` gives a record's `public`."""
    refusals = dict(HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody)

    @api_v1.get(f"/{plural}")
    @access(*READERS)
    @spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=listing, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=[plural])
    @_named(f"list_{plural}")
    def list_records(query: ProgrammeQuery):
        db = get_session()
        programme = single_programme_or_404(query.programme)
        return listing(programme_id=programme.id, **{plural: [publish(db, record) for record in records(db, programme)]})

    @api_v1.get(f"/{plural}/<code>")
    @access(*READERS)
    @spec.validate(query=ProgrammeQuery, resp=Response(HTTP_200=public, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=[plural])
    @_named(f"get_{entity}")
    def get_record(code: str, query: ProgrammeQuery):
        db = get_session()
        return publish(db, find(db, programme=single_programme_or_404(query.programme), code=code) or abort(404))

    @api_v1.post(f"/{plural}")
    @access(*LEADERS)
    @spec.validate(query=ProgrammeQuery, json=create_model, resp=Response(HTTP_201=public, **refusals), tags=[plural])
    @_named(f"post_{entity}")
    def post_record(query: ProgrammeQuery, json: create_model):
        db = get_session()
        programme = single_programme_or_404(query.programme)
        record = commit_change(lambda: create(db, programme=programme, data=json, author=api_author()))
        return publish(db, record), 201

    @api_v1.patch(f"/{plural}/<code>")
    @access(*LEADERS)
    @spec.validate(query=ProgrammeQuery, json=update_model, resp=Response(HTTP_200=public, **refusals), tags=[plural])
    @_named(f"patch_{entity}")
    def patch_record(code: str, query: ProgrammeQuery, json: update_model):
        db = get_session()
        programme = single_programme_or_404(query.programme)
        record = find(db, programme=programme, code=code) or abort(404)
        commit_change(lambda: update(db, programme=programme, **{entity: record}, data=json, author=api_author()))
        return publish(db, record)
