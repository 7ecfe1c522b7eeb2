"""Import pages: upload a file, see its preview, confirm or cancel it; and the downloads that
write a programme's data in its import's layout.

Each kind of import keeps its own upload URL and access rule (district leaders for reference
data; leaders and project managers for progress and usage). A kept preview is loaded through
the user's programme and belongs to the user who made it; the checks run in one order for
every kind: 404 when it is not theirs (or expired), 403 when their role may no longer run that
import, then 400 when the form's CSRF token is missing.

An upload larger than QUEUE_IMPORT_BYTES is previewed, and once confirmed written, by
`rollout worker` (`rollout.imports.jobs`): its page shows how far it is and what came of it,
under the same URL and the same checks as a kept preview.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rollout.auth.access import EDITORS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.forms import ButtonForm, UploadForm
from rollout.core.pages import programme_page
from rollout.core.permissions import ACTIONS, may
from rollout.db import get_session
from rollout.imports import bounds, jobs, tasks
from rollout.imports.export import FORMATS, table_bytes
from rollout.imports.pages import job_page, preview_page, previewed, upload_page
from rollout.imports.pipeline import ImportConflict, Importer, NotOffered, confirm, restore, saved_preview
from rollout.imports.registry import IMPORTERS, UPLOAD_PATHS
from rollout.imports.tabular import TableError
from rollout.models import Programme, SavedPreview

bp = Blueprint("imports", __name__)


def upload(programme_id: int, kind: str):
    """Upload a file and see what it would change; nothing is written before confirming."""
    programme = programme_or_404(programme_id)
    importer = IMPORTERS[kind]()
    form = UploadForm()
    if not form.validate_on_submit():
        return upload_page(programme, importer, form=form)
    file = form.file.data
    filename = file.filename or "envoi"
    data = file.read()
    if current_app.config["QUEUE_IMPORT_BYTES"] < len(data) <= bounds.MAX_BYTES:
        return _queued(programme, importer, data, filename)
    try:
        preview = previewed(programme, importer, data, filename)
    except TableError as error:
        return upload_page(programme, importer, form=form, refused=error, filename=filename)
    return preview_page(programme, importer, preview)


def _queued(programme: Programme, importer: Importer, data: bytes, filename: str):
    """Hand a large upload to the worker and show its page, which follows it."""
    db = get_session()
    saved = jobs.new_job(db, programme=programme, kind=importer.kind, filename=filename, size=len(data),
                         user_id=current_user.id)
    db.commit()
    tasks.start(db, saved, tasks.preview_upload, data)
    return redirect(url_for("imports.show", programme_id=programme.id, preview_id=saved.id), 303)


def _upload_view(kind: str) -> Callable[[int], object]:
    """The upload view of one kind, with that import's own access rule."""

    def view(programme_id: int):
        return upload(programme_id, kind)

    view.__name__ = f"upload_{kind}"
    return access(*ACTIONS[IMPORTERS[kind].action])(view)


for _kind, _path in UPLOAD_PATHS.items():
    bp.add_url_rule(f"/programmes/<int:programme_id>/{_path}", view_func=_upload_view(_kind), methods=["GET", "POST"])


def _saved_or_404(programme: Programme, preview_id: int, *, posted: bool, rows: bool = True) -> tuple[SavedPreview, Importer]:
    """The user's own kept preview and its importer (404, 403, 400: see the module docstring);
    its rows are loaded when read, unless `rows`."""
    saved = saved_preview(get_session(), programme=programme, saved_id=preview_id, user_id=current_user.id, rows=rows)
    if saved is None or jobs.is_api(saved):  # a job sent through the API is followed there
        abort(404)
    importer = IMPORTERS[saved.kind]()
    if not may(current_user, importer.action):
        abort(403)
    if posted and not ButtonForm().validate_on_submit():
        abort(400)
    return saved, importer


@bp.get("/programmes/<int:programme_id>/imports/<int:preview_id>")
@access(*EDITORS)
def show(programme_id: int, preview_id: int):
    """A kept preview shown again (e.g. after reloading), still to confirm or cancel."""
    programme = programme_or_404(programme_id)
    saved, importer = _saved_or_404(programme, preview_id, posted=False)
    job = jobs.job_of(saved)
    if job is not None:
        jobs.reap_if_lost(get_session(), saved)
        return job_page(programme, importer, saved)
    return preview_page(programme, importer, restore(importer, saved))


@bp.get("/programmes/<int:programme_id>/imports/<int:preview_id>/progress.json")
@access(*EDITORS)
def progress(programme_id: int, preview_id: int):
    """A queued import's state, for its page's polling (`static/import_progress.js`); a preview
    made in the request reads as ready."""
    programme = programme_or_404(programme_id)
    saved, _importer = _saved_or_404(programme, preview_id, posted=False, rows=False)
    jobs.reap_if_lost(get_session(), saved)
    response = jsonify(jobs.progress_state(saved))
    response.cache_control.no_store = True
    return response


@bp.post("/programmes/<int:programme_id>/imports/<int:preview_id>/confirm")
@access(*EDITORS)
def confirm_preview(programme_id: int, preview_id: int):
    """Apply exactly the previewed rows, all or nothing, as one import batch, but the new rows
    the person unticked (offered rows not kept); 409 (nothing written, the preview forgotten)
    when the programme changed so that rows no longer apply."""
    db = get_session()
    programme = programme_or_404(programme_id)
    saved, importer = _saved_or_404(programme, preview_id, posted=True)
    left_out = set(request.form.getlist("offered")) - set(request.form.getlist("keep"))
    if jobs.job_of(saved) is not None:
        return _confirm_queued(db, programme, importer, saved, left_out)
    try:
        batch = confirm(db, importer=importer, programme=programme, saved=saved, author=current_author("form"),
                        today=date.today(), left_out=left_out)
        if batch is None:
            flash(_("Aucune ligne cochée : rien n'a été importé. Cochez au moins une ligne, ou abandonnez l'import."), "error")
            return redirect(url_for("imports.show", programme_id=programme.id, preview_id=saved.id))
        db.commit()
    except ImportConflict as conflict:
        db.rollback()
        db.delete(saved)
        db.commit()
        return programme_page("imports/rejected.html", programme, importer=importer, problems=conflict.problems,
                              filename=conflict.filename), 409
    except NotOffered:  # a forged form
        abort(400)
    flash(_("Import n° %(id)d appliqué : %(new)d nouveau(x), %(changed)d modifié(s), %(same)d inchangé(s).",
            id=batch.id, new=batch.rows_new, changed=batch.rows_replaced, same=batch.rows_unchanged), "info")
    return redirect(url_for(importer.listing, programme_id=programme.id))


def _confirm_queued(db, programme: Programme, importer: Importer, saved: SavedPreview, left_out: set[str]):
    """Hand a queued import's confirmed preview to the worker; 409 when it is not a preview
    ready to confirm (being read, refused, or confirmed already)."""
    job = jobs.job_of(saved)
    if job["status"] != "ready" or not saved.rows:
        return job_page(programme, importer, saved, status=409)
    if left_out:
        try:
            if not importer.leave_out(restore(importer, saved), left_out).confirmable:
                flash(_("Aucune ligne cochée : rien n'a été importé. Cochez au moins une ligne, ou abandonnez l'import."), "error")
                return redirect(url_for("imports.show", programme_id=programme.id, preview_id=saved.id))
        except NotOffered:  # a forged form
            abort(400)
    jobs.update_job(saved, status="confirmed")
    db.add(saved)
    db.commit()
    tasks.start(db, saved, tasks.write_upload, sorted(left_out), current_author("form"))
    return redirect(url_for("imports.show", programme_id=programme.id, preview_id=saved.id), 303)


@bp.post("/programmes/<int:programme_id>/imports/<int:preview_id>/cancel")
@access(*EDITORS)
def cancel(programme_id: int, preview_id: int):
    """Abandon a kept preview: nothing was written, and its rows are forgotten."""
    db = get_session()
    programme = programme_or_404(programme_id)
    saved, importer = _saved_or_404(programme, preview_id, posted=True)
    if (jobs.job_of(saved) or {}).get("status") in ("confirmed", "writing", "written"):
        return job_page(programme, importer, saved, status=409)  # confirmed: too late to cancel
    db.delete(saved)
    db.commit()
    flash(_("Import abandonné : rien n'a été enregistré."), "info")
    return redirect(url_for(f"imports.upload_{importer.kind}", programme_id=programme.id))


DOWNLOADS = {"schools": _l("Établissements"), "trainers": _l("Formateurs"), "waves": _l("Vagues"),
             "basins": _l("Bassins"), "progress": _l("Avancement")}
"""What can be downloaded in its import's layout, and the name of its sheet in an XLSX."""


@bp.get("/programmes/<int:programme_id>/export/<resource>.<fmt>")
@access(*READERS)
def download(programme_id: int, resource: str, fmt: str):
    """Today's `resource` of the programme as a CSV or XLSX file in its import's layout: uploaded
    again unchanged, it previews as nothing changed."""
    programme = programme_or_404(programme_id)
    if resource not in DOWNLOADS or fmt not in FORMATS:
        abort(404)
    header, rows = IMPORTERS[resource]().export_rows(get_session(), programme)
    data = table_bytes(header, rows, fmt=fmt, sheet=str(DOWNLOADS[resource]))
    filename = f"{resource}-{programme.id}-{date.today().isoformat()}.{fmt}"
    return Response(data, content_type=FORMATS[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'})
