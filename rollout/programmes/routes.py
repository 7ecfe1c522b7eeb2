"""Pages of a programme's trainers, waves and basins, and the import preview and confirmation
shared with schools.

Everyone who may see the programme reads the lists; only district leaders (and admins) create,
edit, delete and import. Everything is loaded through the user's programmes, so another
district's data answers 404.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from pydantic import ValidationError
from sqlmodel import SQLModel

from rollout.auth.identity import current_author
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import programme_or_404
from rollout.db import get_session
from rollout.imports.tabular import TableError
from rollout.models import Programme
from rollout.models.school import BasinCreate, BasinUpdate
from rollout.models.trainer import TrainerCreate, TrainerUpdate
from rollout.models.wave import WaveCreate, WaveUpdate
from rollout.programmes import cells
from rollout.programmes.basins import basin_or_none, create_basin, delete_basin, programme_basins, update_basin
from rollout.programmes.forms import TIER_NAMES, BasinForm, ButtonForm, TrainerForm, UploadForm, WaveForm, show_problems
from rollout.programmes.imports import Preview, ReferenceTable, confirm_import, pending_or_none, pending_preview, preview_import
from rollout.programmes.problems import InvalidChange, StaleVersion, problems_of
from rollout.programmes.tables import TrainerTable, WaveTable
from rollout.programmes.trainers import (
    create_trainer, delete_trainer, programme_trainers, trainer_or_none, trainer_snapshot, update_trainer,
)
from rollout.programmes.waves import FIELDS as WAVE_FIELDS
from rollout.programmes.waves import create_wave, delete_wave, programme_waves, update_wave, wave_or_none
from rollout.schools.table import SchoolTable
from rollout.tracking.author import Author

bp = Blueprint("programmes", __name__)

TABLES: dict[str, type[ReferenceTable]] = {"schools": SchoolTable, "trainers": TrainerTable, "waves": WaveTable}
LISTS = {"schools": "schools.index", "trainers": "programmes.trainers", "waves": "programmes.waves"}


def author() -> Author:
    """The signed-in user, writing through a page."""
    return current_author("form")


def can_edit() -> bool:
    return current_user.role == "admin" or current_user.role in LEADERS


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


def _programme_page(template: str, programme: Programme, **context: Any) -> str:
    return render_template(template, programme=programme, simulated=programme.simulated, can_edit=can_edit(),
                           button=ButtonForm(), **context)


def _form_page(programme: Programme, form: FlaskForm, *, title: str, listing: str, delete: str | None = None,
               saved: dict[str, Any] | None = None):
    """A create or edit form, back to `listing`; 422 when a submission is shown again (refused),
    409 when someone else saved the record meanwhile (`saved`: their version, shown above what
    this person typed, which the form keeps)."""
    status = 409 if saved is not None else 422 if request.method == "POST" else 200
    return _programme_page("programmes/form.html", programme, form=form, title=title, saved=saved,
                           back=url_for(listing, programme_id=programme.id), delete=delete), status


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


# Trainers --------------------------------------------------------------------------------------

@bp.get("/programmes/<int:programme_id>/trainers")
@access(*READERS)
def trainers(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    rows = [trainer_snapshot(db, trainer) for trainer in programme_trainers(db, programme=programme)]
    basins = programme_basins(db, programme=programme)
    return _programme_page("programmes/trainers.html", programme, trainers=rows, basins=basins, tiers=TIER_NAMES)


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
def new_trainer(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    form = TrainerForm()
    if form.validate_on_submit():
        values = _trainer_values(form, with_code=True)
        if not form.errors and save_form(form, TrainerCreate, values, lambda data: create_trainer(
                db, programme=programme, data=data, author=author())):
            flash(_("Formateur %(code)s créé.", code=values["code"]), "info")
            return redirect(url_for("programmes.trainers", programme_id=programme.id))
    return _form_page(programme, form, title=_("Nouveau formateur"), listing="programmes.trainers")


@bp.route("/programmes/<int:programme_id>/trainers/<code>/edit", methods=["GET", "POST"])
@access(*LEADERS)
def edit_trainer(programme_id: int, code: str):
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
                db, programme=programme, trainer=trainer, data=data, author=author()),
                trainer, lambda: _trainer_fields(trainer_snapshot(db, trainer)))
        if saved is True:
            flash(_("Formateur %(code)s enregistré.", code=code), "info")
            return redirect(url_for("programmes.trainers", programme_id=programme.id))
    return _form_page(programme, form, title=_("Formateur %(code)s", code=code), listing="programmes.trainers",
                      delete=url_for("programmes.remove_trainer", programme_id=programme.id, code=code), saved=saved)


def _trainer_fields(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A trainer's snapshot as the form shows it: basins and capacities as typed text."""
    return {
        **snapshot, "basins": "*" if snapshot["basins"] is None else " ".join(snapshot["basins"]),
        "capacities": " ".join(f"{wave}={sessions}" for wave, sessions in snapshot["capacities"].items()),
    }


@bp.post("/programmes/<int:programme_id>/trainers/<code>/delete")
@access(*LEADERS)
def remove_trainer(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    trainer = trainer_or_none(db, programme=programme, code=code) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    delete_trainer(db, programme=programme, trainer=trainer, author=author())
    db.commit()
    flash(_("Formateur %(code)s supprimé.", code=code), "info")
    return redirect(url_for("programmes.trainers", programme_id=programme.id))


# Waves -----------------------------------------------------------------------------------------

@bp.get("/programmes/<int:programme_id>/waves")
@access(*READERS)
def waves(programme_id: int):
    programme = programme_or_404(programme_id)
    return _programme_page("programmes/waves.html", programme, waves=list(programme_waves(get_session(), programme=programme).values()))


def _wave_values(form: WaveForm, *, with_code: bool) -> dict[str, Any]:
    values = {name: form[name].data for name in ("label", "position", "start_date", "end_date", "max_schools", "max_pupils")}
    values["label"] = values["label"] or None
    if with_code:
        values["code"] = (form.code.data or "").strip()
    return values


@bp.route("/programmes/<int:programme_id>/waves/new", methods=["GET", "POST"])
@access(*LEADERS)
def new_wave(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    form = WaveForm()
    if form.validate_on_submit():
        values = _wave_values(form, with_code=True)
        if save_form(form, WaveCreate, values, lambda data: create_wave(db, programme=programme, data=data, author=author())):
            flash(_("Vague %(code)s créée.", code=values["code"]), "info")
            return redirect(url_for("programmes.waves", programme_id=programme.id))
    return _form_page(programme, form, title=_("Nouvelle vague"), listing="programmes.waves")


@bp.route("/programmes/<int:programme_id>/waves/<code>/edit", methods=["GET", "POST"])
@access(*LEADERS)
def edit_wave(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    wave = wave_or_none(db, programme=programme, code=code) or abort(404)
    form = WaveForm(obj=wave) if request.method == "GET" else WaveForm()
    del form.code
    saved = None
    if form.validate_on_submit():
        values = _wave_values(form, with_code=False)
        saved = save_edit(form, WaveUpdate, values, lambda data: update_wave(db, programme=programme, wave=wave, data=data, author=author()),
                          wave, lambda: {name: getattr(wave, name) for name in WAVE_FIELDS})
        if saved is True:
            flash(_("Vague %(code)s enregistrée.", code=code), "info")
            return redirect(url_for("programmes.waves", programme_id=programme.id))
    return _form_page(programme, form, title=_("Vague %(code)s", code=code), listing="programmes.waves",
                      delete=url_for("programmes.remove_wave", programme_id=programme.id, code=code), saved=saved)


@bp.post("/programmes/<int:programme_id>/waves/<code>/delete")
@access(*LEADERS)
def remove_wave(programme_id: int, code: str):
    """Delete a wave; refused with the reason (schools pinned to it, adopted plan) otherwise."""
    db = get_session()
    programme = programme_or_404(programme_id)
    wave = wave_or_none(db, programme=programme, code=code) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    reason = delete_refusal(lambda: delete_wave(db, programme=programme, wave=wave, author=author()))
    if reason is None:
        flash(_("Vague %(code)s supprimée.", code=code), "info")
    else:
        flash(_("La vague %(code)s n'est pas supprimée : %(reason)s", code=code, reason=reason), "error")
    return redirect(url_for("programmes.waves", programme_id=programme.id))


# Basins ----------------------------------------------------------------------------------------

@bp.get("/programmes/<int:programme_id>/basins")
@access(*READERS)
def basins(programme_id: int):
    programme = programme_or_404(programme_id)
    return _programme_page("programmes/basins.html", programme, basins=list(programme_basins(get_session(), programme=programme).values()))


@bp.route("/programmes/<int:programme_id>/basins/new", methods=["GET", "POST"])
@access(*LEADERS)
def new_basin(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    form = BasinForm()
    if form.validate_on_submit():
        values = {"code": (form.code.data or "").strip(), "name": form.name.data}
        if save_form(form, BasinCreate, values, lambda data: create_basin(db, programme=programme, data=data, author=author())):
            flash(_("Bassin %(code)s créé.", code=values["code"]), "info")
            return redirect(url_for("programmes.basins", programme_id=programme.id))
    return _form_page(programme, form, title=_("Nouveau bassin"), listing="programmes.basins")


@bp.route("/programmes/<int:programme_id>/basins/<code>/edit", methods=["GET", "POST"])
@access(*LEADERS)
def edit_basin(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    basin = basin_or_none(db, programme=programme, code=code) or abort(404)
    form = BasinForm(obj=basin) if request.method == "GET" else BasinForm()
    del form.code
    if form.validate_on_submit():
        if save_form(form, BasinUpdate, {"name": form.name.data},
                     lambda data: update_basin(db, programme=programme, basin=basin, data=data, author=author())):
            flash(_("Bassin %(code)s enregistré.", code=code), "info")
            return redirect(url_for("programmes.basins", programme_id=programme.id))
    return _form_page(programme, form, title=_("Bassin %(code)s", code=code), listing="programmes.basins",
                      delete=url_for("programmes.remove_basin", programme_id=programme.id, code=code))


@bp.post("/programmes/<int:programme_id>/basins/<code>/delete")
@access(*LEADERS)
def remove_basin(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    basin = basin_or_none(db, programme=programme, code=code) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    reason = delete_refusal(lambda: delete_basin(db, programme=programme, basin=basin, author=author()))
    if reason is None:
        flash(_("Bassin %(code)s supprimé.", code=code), "info")
    else:
        flash(_("Le bassin %(code)s n'est pas supprimé : %(reason)s", code=code, reason=reason), "error")
    return redirect(url_for("programmes.basins", programme_id=programme.id))


# Imports ---------------------------------------------------------------------------------------

def show_preview(programme: Programme, preview: Preview):
    """The preview page: 200 when it can be confirmed, 422 when rows are invalid."""
    table = TABLES[preview.kind]
    return _programme_page("programmes/preview.html", programme, preview=preview, key=table.key,
                           back=url_for(LISTS[preview.kind], programme_id=programme.id)), 422 if preview.invalid else 200


def stored_preview(form: FlaskForm, build: Callable[[], Preview]) -> Preview | None:
    """The preview `build` makes of the uploaded file, committed so that it can be confirmed
    later; None when the file cannot be read, its problems then shown under the file field."""
    db = get_session()
    try:
        preview = build()
    except TableError as error:
        db.rollback()
        form.file.errors = [problem.describe(error.filename) for problem in error.problems]
        return None
    db.commit()
    return preview


def upload_page(programme: Programme, kind: str):
    """Upload a file of `kind` and show what it would change; nothing is written before confirming."""
    table = TABLES[kind]()
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        preview = stored_preview(form, lambda: preview_import(
            get_session(), programme=programme, table=table, data=file.read(), filename=file.filename or "envoi",
            user_id=current_user.id))
        if preview is not None:
            return show_preview(programme, preview)
    return _programme_page("programmes/upload.html", programme, form=form, kind=kind, columns=table.columns,
                           back=url_for(LISTS[kind], programme_id=programme.id)), 422 if request.method == "POST" else 200


@bp.route("/programmes/<int:programme_id>/trainers/import", methods=["GET", "POST"])
@access(*LEADERS)
def import_trainers(programme_id: int):
    return upload_page(programme_or_404(programme_id), "trainers")


@bp.route("/programmes/<int:programme_id>/waves/import", methods=["GET", "POST"])
@access(*LEADERS)
def import_waves(programme_id: int):
    return upload_page(programme_or_404(programme_id), "waves")


def _pending(programme: Programme, pending_id: int):
    pending = pending_or_none(get_session(), programme=programme, pending_id=pending_id, user_id=current_user.id)
    if pending is None or pending.kind not in TABLES:
        abort(404)
    return pending


@bp.get("/programmes/<int:programme_id>/reference-imports/<int:pending_id>")
@access(*LEADERS)
def pending_import(programme_id: int, pending_id: int):
    """A stored preview shown again (e.g. after reloading), still to confirm or cancel."""
    programme = programme_or_404(programme_id)
    return show_preview(programme, pending_preview(_pending(programme, pending_id)))


@bp.post("/programmes/<int:programme_id>/reference-imports/<int:pending_id>/confirm")
@access(*LEADERS)
def confirm(programme_id: int, pending_id: int):
    """Apply exactly the previewed rows, all or nothing, as one import batch."""
    db = get_session()
    programme = programme_or_404(programme_id)
    pending = _pending(programme, pending_id)
    kind = pending.kind
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        batch = confirm_import(db, programme=programme, pending=pending, table=TABLES[kind](), author=author())
        db.commit()
    except InvalidChange as error:
        db.rollback()
        preview = pending_preview(pending)
        preview.invalid, preview.pending_id = error.problems, None
        db.delete(pending)
        db.commit()
        flash(_("Les données ont changé depuis l'aperçu : rien n'a été enregistré. Renvoyez le fichier pour un nouvel aperçu."), "error")
        return show_preview(programme, preview)[0], 409
    flash(_("Import n° %(id)d appliqué : %(new)d nouveau(x), %(changed)d modifié(s), %(same)d inchangé(s).",
            id=batch.id, new=batch.rows_new, changed=batch.rows_replaced, same=batch.rows_unchanged), "info")
    return redirect(url_for(LISTS[kind], programme_id=programme.id))


@bp.post("/programmes/<int:programme_id>/reference-imports/<int:pending_id>/cancel")
@access(*LEADERS)
def cancel(programme_id: int, pending_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    pending = _pending(programme, pending_id)
    kind = pending.kind
    if not ButtonForm().validate_on_submit():
        abort(400)
    db.delete(pending)
    db.commit()
    flash(_("Import abandonné : rien n'a été enregistré."), "info")
    return redirect(url_for(LISTS[kind], programme_id=programme.id))
