"""The pages of a programme's records: the context every such page needs, the create or edit
form of one record (schools, basins, waves, trainers), and the create, edit and delete pages of
the records named by a code (basins, waves, trainers), one set of views registered on each
feature's blueprint with what that feature's records differ in (`CodedRecords`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from sqlmodel import Session, SQLModel

from rollout.auth.access import LEADERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.forms import ButtonForm
from rollout.core.saving import delete_refusal, save_edit, save_form
from rollout.db import get_session
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


@dataclass(frozen=True)
class CodedRecords:
    """One kind of a programme's records named by a code, as its pages see it. The domain
    functions are its records module's (`<entity>_or_none`, `create_<entity>`, `update_<entity>`,
    `delete_<entity>`, keyword-only), which take the record under the keyword `entity`. The
    texts are formatted with `code` (and `reason` for `refused`)."""

    entity: str
    form: type[FlaskForm]
    values: Callable[[FlaskForm], dict[str, Any]]
    """What the person typed, but the code, as the models read it; a value it cannot read is put
    beside its field as an error, and nothing is saved."""
    create_model: type[SQLModel]
    update_model: type[SQLModel]
    find: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    new_title: LazyString
    title: LazyString
    created: LazyString
    saved: LazyString
    deleted: LazyString
    refused: LazyString | None = None
    """None when the domain never refuses to delete one."""
    shown: Callable[[Session, Any], dict[str, Any]] | None = None
    """The record as its edit form shows it (and a conflict shows someone else's version); None
    when edits are not optimistically locked (the form then reads the record's attributes)."""


def add_record_pages(bp: Blueprint, records: CodedRecords) -> None:
    """Register on `bp` the create, edit and delete pages of `records`, for district leaders:
    `/programmes/<programme_id>/<bp.name>/new`, `…/<code>/edit` and `…/<code>/delete` (endpoints
    `new`, `edit`, `remove`), each back to the list (`index`) once done."""
    base = f"/programmes/<int:programme_id>/{bp.name}"
    listing = f"{bp.name}.index"

    @bp.route(f"{base}/new", methods=["GET", "POST"])
    @access(*LEADERS)
    def new(programme_id: int):
        db = get_session()
        programme = programme_or_404(programme_id)
        form = records.form()
        if form.validate_on_submit():
            values = {**records.values(form), "code": (form.code.data or "").strip()}
            if not form.errors and save_form(form, records.create_model, values, lambda data: records.create(
                    db, programme=programme, data=data, author=current_author("form"))):
                flash(records.created % {"code": values["code"]}, "info")
                return redirect(url_for(listing, programme_id=programme.id))
        return record_form_page(programme, form, title=str(records.new_title), listing=listing)

    @bp.route(f"{base}/<code>/edit", methods=["GET", "POST"])
    @access(*LEADERS)
    def edit(programme_id: int, code: str):
        """The code stays (imports and plans name the record by it). When someone else saved it
        meanwhile, 409 with their version (`save_edit`)."""
        db = get_session()
        programme = programme_or_404(programme_id)
        record = records.find(db, programme=programme, code=code) or abort(404)
        if request.method != "GET":
            form = records.form()
        elif records.shown is None:
            form = records.form(obj=record)
        else:
            form = records.form(data={**records.shown(db, record), "version": record.version})
        del form.code
        saved = _saved_edit(records, form, db, programme, record) if form.validate_on_submit() else None
        if saved is True:
            flash(records.saved % {"code": code}, "info")
            return redirect(url_for(listing, programme_id=programme.id))
        return record_form_page(programme, form, title=records.title % {"code": code}, listing=listing,
                                delete=url_for(f"{bp.name}.remove", programme_id=programme.id, code=code), saved=saved)

    @bp.post(f"{base}/<code>/delete")
    @access(*LEADERS)
    def remove(programme_id: int, code: str):
        """Delete the record, or say why the domain refuses (it is still in use)."""
        db = get_session()
        programme = programme_or_404(programme_id)
        record = records.find(db, programme=programme, code=code) or abort(404)
        if not ButtonForm().validate_on_submit():
            abort(400)
        reason = delete_refusal(lambda: records.delete(db, programme=programme, **{records.entity: record}, author=current_author("form")))
        if reason is None:
            flash(records.deleted % {"code": code}, "info")
        else:
            flash(reason if records.refused is None else records.refused % {"code": code, "reason": reason}, "error")
        return redirect(url_for(listing, programme_id=programme.id))


def _saved_edit(records: CodedRecords, form: FlaskForm, db: Session, programme: Programme, record: Any) -> dict[str, Any] | bool | None:
    """`save_edit` (`save_form` when edits are not locked) of what the person typed."""
    values = records.values(form)
    if form.errors:
        return None

    def change(data: Any) -> Any:
        return records.update(db, programme=programme, **{records.entity: record}, data=data, author=current_author("form"))

    if records.shown is None:
        return save_form(form, records.update_model, values, change) or None
    return save_edit(form, records.update_model, values, change, record, lambda: records.shown(db, record))
