"""Pages of a programme's waves: everyone who may see the programme reads the list; district
leaders create, edit and delete (imports: `rollout.imports`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.forms import ButtonForm
from rollout.core.pages import programme_page, record_form_page
from rollout.core.saving import delete_refusal, save_edit, save_form
from rollout.db import get_session
from rollout.models.wave import WaveCreate, WaveUpdate
from rollout.waves.forms import WaveForm
from rollout.waves.records import FIELDS as WAVE_FIELDS
from rollout.waves.records import create_wave, delete_wave, programme_waves, update_wave, wave_or_none

bp = Blueprint("waves", __name__)


@bp.get("/programmes/<int:programme_id>/waves")
@access(*READERS)
def index(programme_id: int):
    programme = programme_or_404(programme_id)
    return programme_page("waves/index.html", programme, waves=list(programme_waves(get_session(), programme=programme).values()))


def _wave_values(form: WaveForm, *, with_code: bool) -> dict[str, Any]:
    values = {name: form[name].data for name in ("label", "position", "start_date", "end_date", "max_schools", "max_pupils")}
    values["label"] = values["label"] or None
    if with_code:
        values["code"] = (form.code.data or "").strip()
    return values


@bp.route("/programmes/<int:programme_id>/waves/new", methods=["GET", "POST"])
@access(*LEADERS)
def new(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    form = WaveForm()
    if form.validate_on_submit():
        values = _wave_values(form, with_code=True)
        if save_form(form, WaveCreate, values, lambda data: create_wave(db, programme=programme, data=data, author=current_author("form"))):
            flash(_("Vague %(code)s créée.", code=values["code"]), "info")
            return redirect(url_for("waves.index", programme_id=programme.id))
    return record_form_page(programme, form, title=_("Nouvelle vague"), listing="waves.index")


@bp.route("/programmes/<int:programme_id>/waves/<code>/edit", methods=["GET", "POST"])
@access(*LEADERS)
def edit(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    wave = wave_or_none(db, programme=programme, code=code) or abort(404)
    form = WaveForm(obj=wave) if request.method == "GET" else WaveForm()
    del form.code
    saved = None
    if form.validate_on_submit():
        values = _wave_values(form, with_code=False)
        saved = save_edit(form, WaveUpdate, values, lambda data: update_wave(db, programme=programme, wave=wave, data=data, author=current_author("form")),
                          wave, lambda: {name: getattr(wave, name) for name in WAVE_FIELDS})
        if saved is True:
            flash(_("Vague %(code)s enregistrée.", code=code), "info")
            return redirect(url_for("waves.index", programme_id=programme.id))
    return record_form_page(programme, form, title=_("Vague %(code)s", code=code), listing="waves.index",
                      delete=url_for("waves.remove", programme_id=programme.id, code=code), saved=saved)


@bp.post("/programmes/<int:programme_id>/waves/<code>/delete")
@access(*LEADERS)
def remove(programme_id: int, code: str):
    """Delete a wave; refused with the reason (schools pinned to it, adopted plan) otherwise."""
    db = get_session()
    programme = programme_or_404(programme_id)
    wave = wave_or_none(db, programme=programme, code=code) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    reason = delete_refusal(lambda: delete_wave(db, programme=programme, wave=wave, author=current_author("form")))
    if reason is None:
        flash(_("Vague %(code)s supprimée.", code=code), "info")
    else:
        flash(_("La vague %(code)s n'est pas supprimée : %(reason)s", code=code, reason=reason), "error")
    return redirect(url_for("waves.index", programme_id=programme.id))


