"""One school's numbers on SQLite and PostgreSQL: its milestones, and its usage, whose months and
school years must equal the usage report's for the same school and dates."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

import pytest
from sqlmodel import Session, select

from dashboards.figures.school import month_periods, year_periods
from dashboards.queries.filters import Filters
from dashboards.queries.school import school_milestones, school_usage
from rollout.models import Programme, School, UsageRecord
from rollout.usage import taxonomy
from rollout.usage.report import usage_report
from tests.dashboards.test_overview_queries import live  # noqa: F401  (fixture)
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)


def _first_school(session: Session, world) -> School:
    return session.exec(select(School).where(School.programme_id == world.programme_id).order_by(School.uai)).first()


def _report(session: Session, programme: Programme, uai: str, start: date | None, end: date | None):
    rows = [row for row in usage_report(session, programme_id=programme.id, by="school", start=start, end=end)
            if row.group == uai]
    return rows[0] if rows else None


@pytest.mark.parametrize("filters", [Filters(), Filters(year=2015), Filters(start=date(2016, 2, 1))])
def test_months_and_school_years_equal_the_usage_report(engine, live, filters: Filters) -> None:  # noqa: F811
    with Session(engine) as session:
        programme = session.get(Programme, live.programme_id)
        school = _first_school(session, live)
        session.add_all([  # a second school year, and a month whose rows carry no visitors count
            UsageRecord(school_id=school.id, period_start=date(2016, 9, 5), service="Manuels numériques", profile="pupil",
                        audience="pupil", visits=70, visitors=30),
            UsageRecord(school_id=school.id, period_start=date(2016, 10, 3), service="Notes", profile="parent",
                        audience="parent", visits=9, visitors=None),
        ])
        session.flush()
        taxonomy.summarise_programme(session, programme_id=programme.id)
        session.commit()
        usage = school_usage(session, programme=programme, school=school, filters=filters)
        months, years = month_periods(usage), year_periods(usage)
        assert months, filters
        for month in months:
            year, number = int(month.key[:4]), int(month.key[5:])
            start = max(date(year, number, 1), filters.first_day or date.min)
            row = _report(session, programme, school.uai, start, date(year, number, monthrange(year, number)[1]))
            assert (month.visits, month.pedagogical_share, month.teacher_adoption, month.pupil_adoption) == (
                row.visits, row.pedagogical_share, row.teacher_adoption, row.pupil_adoption), month.key
        for period in years:
            first = int(period.key[:4])
            start = max(date(first, 9, 1), filters.first_day or date.min)
            row = _report(session, programme, school.uai, start, date(first + 1, 8, 31))
            assert period.visits == row.visits and period.pedagogical_share == row.pedagogical_share, period.key
            assert period.teacher_adoption == pytest.approx(row.teacher_adoption) if row.teacher_adoption is not None \
                else period.teacher_adoption is None
            assert period.pupil_adoption == pytest.approx(row.pupil_adoption) if row.pupil_adoption is not None \
                else period.pupil_adoption is None


def test_usage_is_split_by_category_and_profile_with_the_taxonomy(engine, live) -> None:  # noqa: F811
    with Session(engine) as session:
        programme = session.get(Programme, live.programme_id)
        usage = school_usage(session, programme=programme, school=_first_school(session, live), filters=Filters())
    january, february = month_periods(usage)
    assert (january.key, january.categories["pedagogy"], january.categories["school_life"]) == ("2016-01", 40, 60)
    assert (january.audiences["teacher"], february.audiences["pupil"], february.categories["communication"]) == (100, 100, 100)
    assert [y.key for y in year_periods(usage)] == ["2015-2016"]


def test_milestones_come_in_order_with_actual_dates_only_when_done(engine, live) -> None:  # noqa: F811
    with Session(engine) as session:
        milestones = school_milestones(session, school=_first_school(session, live))
    assert [m.kind for m in milestones][:2] == ["leadership_briefed", "admins_trained"]
    live_on = next(m for m in milestones if m.kind == "school_live")
    assert (live_on.planned, live_on.actual, live_on.slip_days) == (date(2015, 12, 18), date(2015, 12, 18), 0)
    assert next(m for m in milestones if m.kind == "admins_trained").actual is None
