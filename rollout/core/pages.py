"""The pages of a programme's records: the context every such page needs, and the create or
edit form of one record (schools, basins, waves, trainers)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_wtf import FlaskForm

from rollout.core.forms import ButtonForm
from rollout.models import Programme


def programme_page(template: str, programme: Programme, **context: Any) -> str:
    """`template` rendered with the programme, its simulated flag and a CSRF-only `button` form."""
    return render_template(template, programme=programme, simulated=programme.simulated, button=ButtonForm(), **context)


def record_form_page(programme: Programme, form: FlaskForm, *, title: str, listing: str, delete: str | None = None,
                     saved: dict[str, Any] | None = None):
    """A create or edit form, back to `listing`; 422 when a submission is shown again (refused),
    409 when someone else saved the record meanwhile (`saved`: their version, shown above what
    this person typed, which the form keeps)."""
    status = 409 if saved is not None else 422 if request.method == "POST" else 200
    return programme_page("core/record_form.html", programme, form=form, title=title, saved=saved,
                          back=url_for(listing, programme_id=programme.id), delete=delete), status
