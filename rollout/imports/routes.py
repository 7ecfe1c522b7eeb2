"""Import pages: upload a file, see its preview, confirm or cancel it.

Only district leaders (and admins) import reference data. A stored preview is loaded through
the user's programme and belongs to the user who made it: anyone else's answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rollout.auth.access import LEADERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.forms import ButtonForm, UploadForm
from rollout.core.pages import programme_page
from rollout.core.problems import InvalidChange
from rollout.db import get_session
from rollout.imports.pages import show_preview, stored_preview, upload_status
from rollout.imports.reference import confirm_import, pending_or_none, pending_preview, preview_import
from rollout.imports.registry import LISTS, TABLES
from rollout.models import Programme

bp = Blueprint("imports", __name__)


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
    return programme_page("imports/upload.html", programme, form=form, kind=kind, columns=table.columns,
                           back=url_for(LISTS[kind], programme_id=programme.id)), upload_status()


@bp.route("/programmes/<int:programme_id>/schools/import", methods=["GET", "POST"])
@access(*LEADERS)
def import_schools(programme_id: int):
    return upload_page(programme_or_404(programme_id), "schools")


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


@bp.get("/programmes/<int:programme_id>/imports/<int:pending_id>")
@access(*LEADERS)
def pending_import(programme_id: int, pending_id: int):
    """A stored preview shown again (e.g. after reloading), still to confirm or cancel."""
    programme = programme_or_404(programme_id)
    return show_preview(programme, pending_preview(_pending(programme, pending_id)))


@bp.post("/programmes/<int:programme_id>/imports/<int:pending_id>/confirm")
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
        batch = confirm_import(db, programme=programme, pending=pending, table=TABLES[kind](), author=current_author("import"))
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


@bp.post("/programmes/<int:programme_id>/imports/<int:pending_id>/cancel")
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
