"""Pages of a programme's basins: everyone who may see the programme reads the list; district
leaders create, rename and delete."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.forms import ButtonForm
from rollout.core.pages import programme_page, record_form_page
from rollout.core.saving import delete_refusal, save_form
from rollout.db import get_session
from rollout.basins.forms import BasinForm
from rollout.basins.records import basin_or_none, create_basin, delete_basin, programme_basins, update_basin
from rollout.models.school import BasinCreate, BasinUpdate

bp = Blueprint("basins", __name__)


@bp.get("/programmes/<int:programme_id>/basins")
@access(*READERS)
def index(programme_id: int):
    programme = programme_or_404(programme_id)
    return programme_page("basins/index.html", programme, basins=list(programme_basins(get_session(), programme=programme).values()))


@bp.route("/programmes/<int:programme_id>/basins/new", methods=["GET", "POST"])
@access(*LEADERS)
def new(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    form = BasinForm()
    if form.validate_on_submit():
        values = {"code": (form.code.data or "").strip(), "name": form.name.data}
        if save_form(form, BasinCreate, values, lambda data: create_basin(db, programme=programme, data=data, author=current_author("form"))):
            flash(_("Bassin %(code)s créé.", code=values["code"]), "info")
            return redirect(url_for("basins.index", programme_id=programme.id))
    return record_form_page(programme, form, title=_("Nouveau bassin"), listing="basins.index")


@bp.route("/programmes/<int:programme_id>/basins/<code>/edit", methods=["GET", "POST"])
@access(*LEADERS)
def edit(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    basin = basin_or_none(db, programme=programme, code=code) or abort(404)
    form = BasinForm(obj=basin) if request.method == "GET" else BasinForm()
    del form.code
    if form.validate_on_submit():
        if save_form(form, BasinUpdate, {"name": form.name.data},
                     lambda data: update_basin(db, programme=programme, basin=basin, data=data, author=current_author("form"))):
            flash(_("Bassin %(code)s enregistré.", code=code), "info")
            return redirect(url_for("basins.index", programme_id=programme.id))
    return record_form_page(programme, form, title=_("Bassin %(code)s", code=code), listing="basins.index",
                      delete=url_for("basins.remove", programme_id=programme.id, code=code))


@bp.post("/programmes/<int:programme_id>/basins/<code>/delete")
@access(*LEADERS)
def remove(programme_id: int, code: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    basin = basin_or_none(db, programme=programme, code=code) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    reason = delete_refusal(lambda: delete_basin(db, programme=programme, basin=basin, author=current_author("form")))
    if reason is None:
        flash(_("Bassin %(code)s supprimé.", code=code), "info")
    else:
        flash(_("Le bassin %(code)s n'est pas supprimé : %(reason)s", code=code, reason=reason), "error")
    return redirect(url_for("basins.index", programme_id=programme.id))


