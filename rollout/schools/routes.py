"""Pages of a programme's schools: the list (filtered by basin and priority, sorted, with each
school's status colour from `rollout.tracking.colour`), the create and edit forms (edits are
optimistically locked), and the imports (a spreadsheet, or the national collège file).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import col, func, select
from wtforms.fields.choices import SelectChoice

from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import programme_or_404, school_or_404
from rollout.colleges.national_file import NATIONAL_FILE
from rollout.db import get_session
from rollout.models import PRIORITIES, District, Programme, School
from rollout.models.school import SchoolCreate, SchoolUpdate
from rollout.basins.records import programme_basins
from rollout.core.forms import ButtonForm
from rollout.core.pages import programme_page
from rollout.schools.forms import PRIORITY_NAMES, NationalForm, SchoolForm
from rollout.auth.identity import current_author
from rollout.core.saving import delete_refusal, save_edit, save_form
from rollout.imports.pages import preview_page, previewed, upload_status
from rollout.imports.tabular import TableError
from rollout.waves.records import programme_waves
from rollout.schools.national import SCHOOLS_PER_BASIN, NationalSchoolTable
from rollout.schools.records import FIELDS, code_maps, create_school, delete_school, school_snapshot, update_school
from rollout.tracking.colour import evaluation_date, programme_progress
from rollout.tracking.display import COLOUR_NAMES

bp = Blueprint("schools", __name__)

SORTS = {
    "uai": lambda school, _: school.uai,
    "name": lambda school, _: school.name.casefold(),
    "commune": lambda school, _: (school.commune.casefold(), school.uai),
    "pupils": lambda school, _: (-school.pupils, school.uai),
    "teachers": lambda school, _: (-school.teachers, school.uai),
    "basin": lambda school, basins: (basins[school.basin_id], school.uai),
    "priority": lambda school, _: (-PRIORITIES.index(school.priority), school.uai),
}


@bp.get("/programmes/<int:programme_id>/schools")
@access(*READERS)
def index(programme_id: int):
    """The programme's schools; `?basin=`, `?priority=` filter, `?sort=` orders."""
    db = get_session()
    programme = programme_or_404(programme_id)
    basins = programme_basins(db, programme=programme)
    basin_codes, wave_codes = code_maps(db, programme=programme)
    chosen = {name: request.args.get(name, "") for name in ("basin", "priority", "sort")}
    query = select(School).where(School.programme_id == programme.id)
    if chosen["basin"] in basins:
        query = query.where(School.basin_id == basins[chosen["basin"]].id)
    if chosen["priority"] in PRIORITIES:
        query = query.where(School.priority == chosen["priority"])
    schools = sorted(db.exec(query.order_by(col(School.uai))).all(), key=lambda s: SORTS.get(chosen["sort"], SORTS["uai"])(s, basin_codes))
    as_of = evaluation_date(db, programme=programme, today=date.today())
    colours = {row.school_id: row.colour for row in programme_progress(db, programme=programme, as_of=as_of)}
    total = db.exec(select(func.count()).select_from(School).where(School.programme_id == programme.id)).one()
    return render_template(
        "schools/index.html", programme=programme, simulated=programme.simulated, schools=schools, total=total,
        basins=basins, basin_codes=basin_codes, wave_codes=wave_codes, chosen=chosen, priorities=PRIORITY_NAMES,
        colours=colours, colour_names=COLOUR_NAMES, sorts=SORTS, as_of=as_of,
    )


def _school_form(programme: Programme, form: SchoolForm) -> SchoolForm:
    """Fill the choices of basin and waves from the programme."""
    db = get_session()
    form.basin.choices = [SelectChoice(code, f"{code} — {basin.name}") for code, basin in programme_basins(db, programme=programme).items()]
    waves = [SelectChoice("", "—")] + [SelectChoice(code, wave.label or code) for code, wave in programme_waves(db, programme=programme).items()]
    form.pinned_wave.choices = waves
    form.latest_wave.choices = waves
    return form


def _school_values(form: SchoolForm) -> dict[str, Any]:
    """Everything the form shows is what the person wants: every field is given."""
    values: dict[str, Any] = {name: form[name].data for name in (*FIELDS, "basin", "pinned_wave", "latest_wave")}
    for name, value in values.items():
        if value == "":
            values[name] = None
    for name in ("latitude", "longitude"):
        if values[name] is not None:
            values[name] = float(values[name])
    return values


def _form_page(programme: Programme, form: SchoolForm, *, school: School | None = None, conflict: dict[str, Any] | None = None):
    """`conflict`: the version someone else saved meanwhile."""
    delete = url_for("schools.remove", programme_id=programme.id, uai=school.uai) if school else None
    return programme_page("schools/form.html", programme, form=form, school=school, saved=conflict,
                          back=url_for("schools.index", programme_id=programme.id), delete=delete)


@bp.route("/programmes/<int:programme_id>/schools/new", methods=["GET", "POST"])
@access(*LEADERS)
def new(programme_id: int):
    db = get_session()
    programme = programme_or_404(programme_id)
    form = _school_form(programme, SchoolForm())
    if form.validate_on_submit():
        values = {**_school_values(form), "uai": form.uai.data or ""}
        if save_form(form, SchoolCreate, values, lambda data: create_school(db, programme=programme, data=data, author=current_author("form"))):
            flash(_("Établissement %(uai)s créé.", uai=values["uai"].strip().upper()), "info")
            return redirect(url_for("schools.index", programme_id=programme.id))
    return _form_page(programme, form), 422 if request.method == "POST" else 200


@bp.route("/programmes/<int:programme_id>/schools/<uai>/edit", methods=["GET", "POST"])
@access(*LEADERS)
def edit(programme_id: int, uai: str):
    """Edit a school. If someone saved it meanwhile, 409: their version is shown, and what this
    person typed is kept in the form to re-submit on top of it."""
    db = get_session()
    programme = programme_or_404(programme_id)
    school = school_or_404(programme, uai)
    if request.method == "GET":
        form = _school_form(programme, SchoolForm(data={**_snapshot(programme, school), "version": school.version}))
        del form.uai
        return _form_page(programme, form, school=school)
    form = _school_form(programme, SchoolForm())
    del form.uai
    if not form.validate_on_submit():
        return _form_page(programme, form, school=school), 422
    saved = save_edit(form, SchoolUpdate, _school_values(form),
                      lambda data: update_school(db, programme=programme, school=school, data=data, author=current_author("form")),
                      school, lambda: _snapshot(programme, school))
    if saved is True:
        flash(_("Établissement %(uai)s enregistré.", uai=school.uai), "info")
        return redirect(url_for("schools.index", programme_id=programme.id))
    if saved is not None:
        return _form_page(programme, form, school=school, conflict=saved), 409
    return _form_page(programme, form, school=school), 422


def _snapshot(programme: Programme, school: School) -> dict[str, Any]:
    basins, waves = code_maps(get_session(), programme=programme)
    return school_snapshot(school, basins=basins, waves=waves)


@bp.post("/programmes/<int:programme_id>/schools/<uai>/delete")
@access(*LEADERS)
def remove(programme_id: int, uai: str):
    db = get_session()
    programme = programme_or_404(programme_id)
    school = school_or_404(programme, uai)
    if not ButtonForm().validate_on_submit():
        abort(400)
    reason = delete_refusal(lambda: delete_school(db, programme=programme, school=school, author=current_author("form")))
    if reason is not None:
        flash(_("L'établissement %(uai)s n'est pas supprimé : %(reason)s", uai=school.uai, reason=reason), "error")
        return redirect(url_for("schools.edit", programme_id=programme.id, uai=school.uai))
    flash(_("Établissement %(uai)s supprimé.", uai=uai), "info")
    return redirect(url_for("schools.index", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/schools/import-national", methods=["GET", "POST"])
@access(*LEADERS)
def import_national(programme_id: int):
    """The national collège file (uploaded, or the copy shipped with rollout) filtered by
    département, previewed before anything is written."""
    db = get_session()
    programme = programme_or_404(programme_id)
    district = db.get(District, programme.district_id)
    form = NationalForm(data={"departments": district.code if request.method == "GET" else None,
                              "schools_per_basin": SCHOOLS_PER_BASIN})
    status = upload_status()
    if form.validate_on_submit():
        upload = form.file.data
        if upload and upload.filename:
            data, filename = upload.read(), upload.filename
        else:
            data, filename = NATIONAL_FILE.read_bytes(), NATIONAL_FILE.name
        importer = NationalSchoolTable(departments=form.departments.data.split(), include_private=form.include_private.data,
                                       schools_per_basin=max(1, form.schools_per_basin.data or SCHOOLS_PER_BASIN))
        try:
            return preview_page(programme, importer, previewed(programme, importer, data, filename))
        except TableError as error:
            form.file.errors = [problem.describe(error.filename) for problem in error.problems]
            status = error.status
    return render_template("schools/national.html", programme=programme, simulated=programme.simulated, form=form,
                           shipped=NATIONAL_FILE.name), status
