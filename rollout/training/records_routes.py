"""Pages of the training records this package derives milestones from: online course counts
per course and school, Pix+ Édu certifications per school, and the form that records one
certification. Readers (stakeholders included) see counts per school only, which is all the
product stores; project managers and leaders record. The uploads are the import pipeline's
pages (`rollout.imports.routes`, kinds `courses` and `certifications`): a kept preview, then
confirmed, all or nothing, as one import batch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from rollout.auth.access import EDITORS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404, school_or_404
from rollout.core.forms import show_problems
from rollout.core.pages import programme_page
from rollout.core.problems import InvalidChange
from rollout.db import get_session
from rollout.models import School
from rollout.models.training import CourseCompletion, CourseEnrolment, PixCertificationRecord
from rollout.tracking.display import PIX_NAMES
from rollout.tracking.milestones import PIX_LEVELS
from rollout.training.certifications import write_certifications

bp = Blueprint("training_records", __name__)


class CertificationForm(FlaskForm):
    """One dated certification of a school: teachers certified at a level on a day."""

    date = DateField(_l("Date de certification"), validators=[InputRequired()])
    level = SelectField(_l("Niveau"), choices=[SelectChoice(level, PIX_NAMES[level]) for level in PIX_LEVELS])
    certified = IntegerField(_l("Enseignants certifiés"), validators=[InputRequired(), NumberRange(min=0)])


@bp.get("/programmes/<int:programme_id>/training/courses")
@access(*READERS)
def courses(programme_id: int):
    """Each course's enrolled, in progress and completed teachers per school, and completions by month."""
    db = get_session()
    programme = programme_or_404(programme_id)
    schools = {school.id: school for school in db.exec(select(School).where(School.programme_id == programme.id))}
    enrolments = db.exec(select(CourseEnrolment).where(CourseEnrolment.programme_id == programme.id)
                         .order_by(CourseEnrolment.course, CourseEnrolment.school_id)).all()
    by_course: dict[str, list[CourseEnrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_course[enrolment.course].append(enrolment)
    months: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for completion in db.exec(select(CourseCompletion).where(CourseCompletion.programme_id == programme.id)):
        months[completion.course][completion.month] += completion.completed
    return programme_page("training/courses.html", programme, by_course=dict(by_course), schools=schools,
                          months={course: sorted(counts.items()) for course, counts in months.items()})


@bp.get("/programmes/<int:programme_id>/training/certifications")
@access(*READERS)
def certifications(programme_id: int):
    """Each school's teachers certified per level, from its dated certifications."""
    db = get_session()
    programme = programme_or_404(programme_id)
    statement = (select(School, PixCertificationRecord).join(PixCertificationRecord, PixCertificationRecord.school_id == School.id)
                 .where(School.programme_id == programme.id))
    totals: dict[int, dict[str, int]] = {}
    first: dict[int, date] = {}
    schools: dict[int, School] = {}
    for school, record in db.exec(statement):
        schools[school.id] = school
        totals.setdefault(school.id, dict.fromkeys(PIX_LEVELS, 0))[record.level] += record.certified
        if record.certified > 0:
            first[school.id] = min(first.get(school.id, record.certified_on), record.certified_on)
    ordered = sorted(schools.values(), key=lambda school: school.name)
    return programme_page("training/certifications.html", programme, schools=ordered, totals=totals, first=first,
                          levels=PIX_LEVELS, level_names=PIX_NAMES)


@bp.route("/programmes/<int:programme_id>/training/certifications/<uai>", methods=["GET", "POST"])
@access(*EDITORS)
def school_certifications(programme_id: int, uai: str):
    """A school's dated certifications and the form that records one (a date and level already
    recorded has its count replaced); the school's totals and milestone follow."""
    db = get_session()
    programme = programme_or_404(programme_id)
    school = school_or_404(programme, uai)
    form = CertificationForm()
    if form.validate_on_submit() and form.date.data > date.today():
        form.date.errors = [*form.date.errors, _("date dans le futur")]
    elif form.validate_on_submit():
        try:
            write_certifications(db, programme=programme, rows={(school.id, form.date.data, form.level.data): form.certified.data},
                                 author=current_author("form"), today=date.today())
            db.commit()
        except InvalidChange as error:
            db.rollback()
            show_problems(form, error.problems)
        else:
            flash(_("Certification enregistrée : %(n)d enseignant(s) au niveau %(level)s le %(day)s.",
                    n=form.certified.data, level=PIX_NAMES[form.level.data], day=form.date.data.strftime("%d/%m/%Y")), "info")
            return redirect(url_for("training_records.school_certifications", programme_id=programme.id, uai=school.uai))
    records = db.exec(select(PixCertificationRecord).where(PixCertificationRecord.school_id == school.id)
                      .order_by(PixCertificationRecord.certified_on, PixCertificationRecord.level)).all()
    status = 422 if form.is_submitted() else 200
    return programme_page("training/certifications_school.html", programme, school=school, records=records, form=form,
                          level_names=PIX_NAMES), status
