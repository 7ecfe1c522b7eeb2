"""Pages of a district's programmes: the list everyone sees (their districts' programmes), the
"Nouveau programme" form and the settings page, where district leaders edit (optimistically
locked: 409 with the other person's version) and everyone else reads; once a programme is
created, its settings page leads to where its schools, waves and trainers are added."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import select

from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404, scoped_programmes, visible_district_ids
from rollout.core.pages import programme_page
from rollout.core.problems import InvalidValue
from rollout.core.saving import save_edit, save_form
from rollout.db import get_session
from rollout.imports import cells
from rollout.models import District, Programme
from rollout.models.organisation import PROGRAMME_FIELDS, SETTINGS, ProgrammeCreate, ProgrammeUpdate
from rollout.programmes.forms import NewProgrammeForm, ProgrammeForm
from rollout.programmes.records import (
    chosen_district, create_programme, programme_snapshot, update_programme, visible_districts,
)

bp = Blueprint("programmes", __name__)

WEIGHTS = ("weight_rep_plus", "weight_rep", "weight_none")


def _weight_text(weight: float) -> str:
    """A weight as a person reads and types it back (`1`, `2.5`)."""
    return f"{weight:g}"


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """A programme's values as its form shows them: weights as text."""
    return {**values, **{name: _weight_text(values[name]) for name in WEIGHTS}}


def _values(form: ProgrammeForm) -> dict[str, Any]:
    """What the person typed, as the models read it; a weight that is no number is put beside
    its field (and nothing is saved)."""
    values: dict[str, Any] = {name: form[name].data for name in PROGRAMME_FIELDS if name not in WEIGHTS}
    for name in WEIGHTS:
        text = (form[name].data or "").strip()
        try:
            values[name] = cells.decimal(text) if text else None
        except InvalidValue as error:
            form[name].errors = [str(error)]
    return values


@bp.get("/programmes")
@access(*READERS)
def index():
    """The programmes of the person's districts."""
    db = get_session()
    programmes = db.exec(scoped_programmes()).all()
    districts = {district.id: district for district in db.exec(select(District))}
    return render_template("programmes/index.html", programmes=programmes, districts=districts)


@bp.route("/programmes/new", methods=["GET", "POST"])
@access(*LEADERS)
def new():
    """A new programme in one of the leader's districts; then its settings page, which leads to
    adding its schools, waves and trainers."""
    db = get_session()
    districts = visible_districts(db, district_ids=visible_district_ids())
    defaults = {name: ProgrammeCreate.model_fields[name].default for name in SETTINGS}
    form = NewProgrammeForm(data=_shown(defaults) if request.method == "GET" else None)
    form.district.choices = [(district.code, f"{district.code} — {district.name}") for district in districts]
    del form.version
    created: list[Programme] = []

    def create(data: ProgrammeCreate) -> None:
        district = chosen_district(districts, data.district)
        created.append(create_programme(db, district=district, data=data, author=current_author("form")))

    if form.validate_on_submit():
        values = {**_values(form), "district": form.district.data}
        if not form.errors and save_form(form, ProgrammeCreate, values, create):
            flash(_("Programme « %(name)s » créé : ajoutez maintenant ses établissements, ses vagues et ses formateurs.",
                    name=created[0].name), "info")
            return redirect(url_for("programmes.settings", programme_id=created[0].id))
    return render_template("programmes/new.html", form=form, districts=districts), 422 if request.method == "POST" else 200


@bp.get("/programmes/<int:programme_id>/settings")
@access(*READERS)
def settings(programme_id: int):
    """The settings: a form for district leaders, read-only for everyone else."""
    programme = programme_or_404(programme_id)
    form = ProgrammeForm(data={**_shown(programme_snapshot(programme)), "version": programme.version})
    return _settings_page(programme, form)


@bp.post("/programmes/<int:programme_id>/settings")
@access(*LEADERS)
def save_settings(programme_id: int):
    """Save the settings if the programme is still at the version the form was opened at;
    otherwise 409, the other person's version shown above what this person typed."""
    db = get_session()
    programme = programme_or_404(programme_id)
    form = ProgrammeForm()
    if not form.validate_on_submit():
        return _settings_page(programme, form, status=422)
    values = _values(form)
    if form.errors:
        return _settings_page(programme, form, status=422)
    saved = save_edit(form, ProgrammeUpdate, values,
                      lambda data: update_programme(db, programme=programme, data=data, author=current_author("form")),
                      programme, lambda: _shown(programme_snapshot(programme)))
    if saved is True:
        flash(_("Paramètres du programme enregistrés."), "info")
        return redirect(url_for("programmes.settings", programme_id=programme.id))
    if saved is not None:
        return _settings_page(programme, form, saved=saved, status=409)
    return _settings_page(programme, form, status=422)


def _settings_page(programme: Programme, form: ProgrammeForm, *, saved: dict[str, Any] | None = None, status: int = 200):
    return programme_page("programmes/settings.html", programme, form=form, saved=saved,
                          district=get_session().get(District, programme.district_id)), status
