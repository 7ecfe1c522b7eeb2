"""Progress pages: the programme overview, a school's page, the milestone form (the bulk
upload is one of the imports, `rollout.imports`).

Everyone who may see a programme reads these pages; district leaders and project managers
update (admins too, as on every route). Schools and pending uploads are loaded through the
user's programmes, so another district's data answers 404.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import col, select

from rollout.auth.identity import current_author
from rollout.auth.access import EDITORS, READERS, access
from rollout.auth.scope import programme_or_404, school_or_404
from rollout.db import get_session
from rollout.models import MILESTONE_KINDS, PIX_LEVELS, Basin, Milestone, Programme, School, Wave
from rollout.tracking import display
from rollout.core.author import Author
from rollout.tracking.colour import COLOURS, RED_LATENESS_PERCENT, evaluation_date, programme_progress
from rollout.tracking.forms import MilestoneForm, PixMilestoneForm
from rollout.tracking.history import school_history
from rollout.training.planned import slips
from rollout.training.provenance import milestone_sources
from rollout.tracking.updates import (
    PIX_KIND,
    InvalidProgress,
    MilestoneChange,
    VersionConflict,
    blank_milestone,
    current_milestone,
    pix_counts,
    update_milestone,
)

bp = Blueprint("tracking", __name__)

# Where a refused field's reason is shown in the form (the Pix total under the first level).
FORM_FIELDS = {"status": "status", "actual_on": "actual_on", "count": "count", "note": "note", "pix": "pix_initie",
               **{f"pix_{level}": f"pix_{level}" for level in PIX_LEVELS}}


def _author(channel: str) -> Author:
    return current_author(channel)


def _as_of(programme: Programme) -> date:
    """`?as_of=YYYY-MM-DD` when given (to look back), else the programme's evaluation date."""
    requested = request.args.get("as_of", "")
    try:
        return date.fromisoformat(requested)
    except ValueError:
        return evaluation_date(get_session(), programme=programme, today=date.today())


def _milestones(school: School) -> list[Milestone]:
    """The school's seven milestones in order; one it has no row for shows as not started."""
    stored = {m.kind: m for m in get_session().exec(select(Milestone).where(Milestone.school_id == school.id))}
    return [stored.get(kind) or blank_milestone(school_id=school.id, kind=kind) for kind in MILESTONE_KINDS]


@bp.get("/programmes/<int:programme_id>/progress")
@access(*READERS)
def overview(programme_id: int):
    """Every school with its colour, wave and milestones done; filters by basin, wave, colour."""
    db = get_session()
    programme = programme_or_404(programme_id)
    as_of = _as_of(programme)
    basins = {b.id: b for b in db.exec(select(Basin).where(Basin.programme_id == programme.id).order_by(col(Basin.code)))}
    waves = db.exec(select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))).all()
    rows = programme_progress(db, programme=programme, as_of=as_of)
    chosen = {name: request.args.get(name, "") for name in ("basin", "wave", "colour")}
    shown = [
        row for row in rows
        if (not chosen["basin"] or basins[row.basin_id].code == chosen["basin"])
        and (not chosen["wave"] or (row.wave is not None and row.wave.code == chosen["wave"]))
        and (not chosen["colour"] or row.colour == chosen["colour"])
    ]
    totals = {colour: sum(1 for row in shown if row.colour == colour) for colour in COLOURS}
    return render_template(
        "tracking/overview.html", programme=programme, simulated=programme.simulated, as_of=as_of, rows=shown,
        total=len(rows), totals=totals, basins=basins, waves=waves, chosen=chosen, colours=COLOURS,
        kinds=len(MILESTONE_KINDS), names=display, share=RED_LATENESS_PERCENT,
    )


@bp.get("/programmes/<int:programme_id>/progress/<uai>")
@access(*READERS)
def school_page(programme_id: int, uai: str):
    """A school's milestones, colour, Pix+ Édu counts and history (newest first)."""
    db = get_session()
    programme = programme_or_404(programme_id)
    school = school_or_404(programme, uai)
    as_of = _as_of(programme)
    [progress] = programme_progress(db, programme=programme, as_of=as_of, school_id=school.id)
    milestones = _milestones(school)
    return render_template(
        "tracking/school.html", programme=programme, simulated=programme.simulated, school=school, as_of=as_of,
        progress=progress, milestones=milestones, pix=pix_counts(db, school_id=school.id),
        sources=milestone_sources(db, programme=programme, school=school, milestones=milestones),
        pix_levels=PIX_LEVELS, history=school_history(db, programme=programme, school=school), names=display,
        slips=slips(db, programme=programme, school=school),
    )


@bp.route("/programmes/<int:programme_id>/progress/<uai>/<kind>", methods=["GET", "POST"])
@access(*EDITORS)
def edit_milestone(programme_id: int, uai: str, kind: str):
    """The milestone form. A concurrent change answers 409 with what the person typed kept."""
    db = get_session()
    programme = programme_or_404(programme_id)
    school = school_or_404(programme, uai)
    if kind not in MILESTONE_KINDS:
        abort(404)
    milestone = current_milestone(db, school_id=school.id, kind=kind) or blank_milestone(school_id=school.id, kind=kind)
    pix = pix_counts(db, school_id=school.id) if kind == PIX_KIND else None
    form_class = PixMilestoneForm if kind == PIX_KIND else MilestoneForm
    context = dict(programme=programme, simulated=programme.simulated, school=school, milestone=milestone, kind=kind,
                   names=display, pix_levels=PIX_LEVELS, conflict=None,
                   source=milestone_sources(db, programme=programme, school=school, milestones=[milestone]).get(kind))
    if request.method == "GET":
        form = form_class(data=_form_data(milestone, pix))
        return render_template("tracking/milestone_form.html", form=form, **context)
    form = form_class()
    if not form.validate_on_submit():
        return render_template("tracking/milestone_form.html", form=form, **context), 422
    try:
        version = int(form.version.data)
    except ValueError:
        abort(400)
    try:
        update_milestone(db, programme=programme, school=school, kind=kind, change=_change(form, kind), version=version,
                         author=_author("form"), today=date.today())
        db.commit()
    except InvalidProgress as error:
        db.rollback()
        for problem in error.problems:
            field = getattr(form, FORM_FIELDS.get(problem.column or "", ""), None) or form.status
            field.errors = [*field.errors, problem.reason]
        return render_template("tracking/milestone_form.html", form=form, **context), 422
    except VersionConflict as conflict:
        db.rollback()
        form.version.data = str(conflict.current_version)
        context["conflict"] = conflict
        return render_template("tracking/milestone_form.html", form=form, **context), 409
    flash(_("Jalon « %(name)s » enregistré.", name=display.MILESTONE_NAMES[kind]), "info")
    return redirect(url_for("tracking.school_page", programme_id=programme.id, uai=school.uai))


def _form_data(milestone: Milestone, pix: dict[str, int] | None) -> dict[str, object]:
    data: dict[str, object] = {
        "status": milestone.status, "actual_on": milestone.actual_on, "count": milestone.count,
        "note": milestone.note, "version": milestone.version,
    }
    for level, certified in (pix or {}).items():
        data[f"pix_{level}"] = certified
    return data


def _change(form: MilestoneForm, kind: str) -> MilestoneChange:
    """Everything the form shows is what the person wants: every field is given."""
    fields: dict[str, object] = {"status": form.status.data, "actual_on": form.actual_on.data, "note": form.note.data}
    if kind == "teachers_trained":
        fields["count"] = form.count.data
    if kind == PIX_KIND:
        fields["pix"] = {level: getattr(form, f"pix_{level}").data or 0 for level in PIX_LEVELS}
    return MilestoneChange(**fields)
