"""The equity measures per school on SQLite and PostgreSQL: delays from the milestones, usage
from the usage report's own rows."""

from __future__ import annotations

from sqlmodel import Session

from dashboards.queries.equity import school_equity
from dashboards.queries.filters import Filters
from dashboards.queries.overview import selected_schools
from rollout.models import Programme
from rollout.usage.report import usage_report
from tests.dashboards.test_overview_queries import live  # noqa: F401  (fixture)
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)


def test_school_measures_come_from_milestones_and_the_usage_report(engine, live) -> None:  # noqa: F811
    with Session(engine) as session:
        programme = session.get(Programme, live.programme_id)
        schools = selected_schools(session, programme=programme, filters=Filters(year=2015))
        measures = school_equity(session, programme=programme, schools=schools, filters=Filters(year=2015))
        report = {row.group: row for row in usage_report(session, programme_id=programme.id, by="school",
                                                         start=Filters(year=2015).first_day, end=Filters(year=2015).last_day)}
    assert [m.delay_days for m in measures] == [0, 21, None, None, None, None]
    assert measures[0].teachers_trained == 25 and measures[1].teachers_trained == 0
    assert [m.priority for m in measures] == [s.priority for s in schools]
    for measure in measures:
        row = report.get(measure.uai)
        assert (measure.visits, measure.teacher_adoption, measure.pupil_adoption) == (
            (row.visits, row.teacher_adoption, row.pupil_adoption) if row else (0, None, None))
