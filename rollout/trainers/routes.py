"""Pages of a programme's trainers: everyone who may see the programme reads the list; district
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
from rollout.core.saving import save_edit, save_form
from rollout.db import get_session
from rollout.basins.records import programme_basins
from rollout.imports import cells
from rollout.models.trainer import TrainerCreate, TrainerUpdate
from rollout.trainers.forms import TIER_NAMES, TrainerForm
from rollout.trainers.records import create_trainer, delete_trainer, programme_trainers, trainer_or_none, trainer_snapshot, update_trainer

bp = Blueprint("trainers", __name__)


@bp.get("/programmes/<int:programme_id>/trainers")
@access(*READERS)
def index(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    rows = [trainer_snapshot(db, trainer) for trainer in programme_trainers(db, programme=programme)]
    basins = programme_basins(db, programme=programme)
    return programme_page("trainers/index.html", programme, trainers=rows, basins=basins, tiers=TIER_NAMES)


def _trainer_values(form: TrainerForm, *, with_code: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": form.name.data, "tier": form.tier.data, "capacity": form.capacity.data or 0,
        "trained": form.trained.data, "email": form.email.data or None,
    }
    if with_code:
        values["code"] = (form.code.data or "").strip()
    for field, convert in (("basins", cells.codes), ("capacities", cells.capacities)):
        try:
            values[field] = convert(getattr(form, field).data or "")
        except ValueError as error:
            getattr(form, field).errors = [str(error)]
    return values


@bp.route("/programmes/<int:programme_id>/trainers/new", methods=["GET", "POST"])
@access(*LEADERS)
def new(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    form = TrainerForm()
    if form.validate_on_submit():
        values = _trainer_values(form, with_code=True)
        if not form.errors and save_form(form, TrainerCreate, values, lambda data: create_trainer(
                db, programme=programme, data=data, author=current_author("form"))):
            flash(_("Formateur %(code)s créé.", code=values["code"]), "info")
            return redirect(url_for("trainers.index", programme_id=programme.id))
    return record_form_page(programme, form, title=_("Nouveau formateur"), listing="trainers.index")


@bp.route("/programmes/<int:programme_id>/trainers/<code>/edit", methods=["GET", "POST"])
@access(*LEADERS)
def edit(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    trainer = trainer_or_none(db, programme=programme, code=code) or abort(404)
    if request.method == "GET":
        form = TrainerForm(data={**_trainer_fields(trainer_snapshot(db, trainer)), "version": trainer.version})
    else:
        form = TrainerForm()
    del form.code
    saved = None
    if form.validate_on_submit():
        values = _trainer_values(form, with_code=False)
        if not form.errors:
            saved = save_edit(form, TrainerUpdate, values, lambda data: update_trainer(
                db, programme=programme, trainer=trainer, data=data, author=current_author("form")),
                trainer, lambda: _trainer_fields(trainer_snapshot(db, trainer)))
        if saved is True:
            flash(_("Formateur %(code)s enregistré.", code=code), "info")
            return redirect(url_for("trainers.index", programme_id=programme.id))
    return record_form_page(programme, form, title=_("Formateur %(code)s", code=code), listing="trainers.index",
                      delete=url_for("trainers.remove", programme_id=programme.id, code=code), saved=saved)


def _trainer_fields(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A trainer's snapshot as the form shows it: basins and capacities as typed text."""
    return {
        **snapshot, "basins": "*" if snapshot["basins"] is None else " ".join(snapshot["basins"]),
        "capacities": " ".join(f"{wave}={sessions}" for wave, sessions in snapshot["capacities"].items()),
    }


@bp.post("/programmes/<int:programme_id>/trainers/<code>/delete")
@access(*LEADERS)
def remove(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    trainer = trainer_or_none(db, programme=programme, code=code) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    delete_trainer(db, programme=programme, trainer=trainer, author=current_author("form"))
    db.commit()
    flash(_("Formateur %(code)s supprimé.", code=code), "info")
    return redirect(url_for("trainers.index", programme_id=programme.id))


