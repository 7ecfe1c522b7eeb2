"""The leadership groups on SQLite and PostgreSQL: briefing against go-live from the milestones,
usage from the usage report's own rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from dashboards.queries.filters import Filters
from dashboards.queries.leadership import briefing, school_leadership
from dashboards.queries.overview import selected_schools
from rollout.models import Milestone, Programme, School
from rollout.usage.report import usage_report
from tests.dashboards.test_overview_queries import live  # noqa: F401  (fixture)
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)


@pytest.mark.parametrize(("briefed", "expected"), [
    (date(2015, 12, 1), "before"), (date(2015, 12, 18), "before"), (date(2015, 12, 19), "late"), (None, "none")])
def test_a_briefing_on_the_go_live_day_counts_as_before(briefed: date | None, expected: str) -> None:
    assert briefing(briefed, date(2015, 12, 18)) == expected


def test_live_schools_are_grouped_by_briefing_with_the_usage_reports_numbers(engine, live) -> None:  # noqa: F811
    with Session(engine) as session:
        programme = session.get(Programme, live.programme_id)
        second = session.exec(select(School).where(School.programme_id == programme.id).order_by(School.uai)).all()[1]
        late = session.exec(select(Milestone).where(Milestone.school_id == second.id,
                                                    Milestone.kind == "leadership_briefed")).one()
        late.status, late.actual_on = "done", date(2016, 2, 1)  # after its go-live on 8 January
        session.add(late)
        session.commit()
        filters = Filters(year=2015)
        schools = selected_schools(session, programme=programme, filters=filters)
        measures = school_leadership(session, programme=programme, schools=schools, filters=filters)
        report = {row.group: row for row in usage_report(session, programme_id=programme.id, by="school",
                                                         start=filters.first_day, end=filters.last_day)}
    assert [(m.uai, m.briefing) for m in measures] == [(schools[0].uai, "before"), (schools[1].uai, "late")]
    for measure in measures:  # only the two live schools
        row = report[measure.uai]
        assert (measure.visits, measure.pedagogical_visits, measure.teacher_adoption, measure.pupil_adoption) == (
            row.visits, row.pedagogical_visits, row.teacher_adoption, row.pupil_adoption)
    assert measures[0].pedagogical_share == report[measures[0].uai].pedagogical_share


def test_a_live_school_never_briefed_is_its_own_group(engine, live) -> None:  # noqa: F811
    with Session(engine) as session:
        programme = session.get(Programme, live.programme_id)
        schools = selected_schools(session, programme=programme, filters=Filters(school=sorted(live.uais)[1]))
        measures = school_leadership(session, programme=programme, schools=schools, filters=Filters())
    assert [m.briefing for m in measures] == ["none"]
