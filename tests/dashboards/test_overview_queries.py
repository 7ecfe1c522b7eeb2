"""The overview's SQL aggregations on SQLite and PostgreSQL: the `world` programme with its
baseline adopted (W1, W1, W2, W2, W3, W3 by UAI), two schools live, usage in two months.

The usage numbers must be the usage report's for the same dates: the test asks both."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from dashboards.queries import overview
from dashboards.queries.filters import Filters, InvalidFilter, parse_filters
from rollout.models import (
    Basin,
    Milestone,
    PixCertification,
    Programme,
    School,
    Trainer,
    UsageRecord,
)
from rollout.usage import taxonomy
from rollout.usage.report import usage_report
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)

AS_OF = date(2016, 6, 30)
USAGE = (  # (school index, period start, service, audience, visits, visitors)
    (0, date(2016, 1, 4), "Cahier de textes", "teacher", 40, 12),
    (0, date(2016, 1, 11), "Vie scolaire", "teacher", 60, 15),
    (0, date(2016, 2, 1), "Messagerie", "pupil", 100, 80),
    (1, date(2016, 2, 1), "Manuels numériques", "teacher", 30, 7),
    (1, date(2016, 2, 8), "Mes documents", "pupil", 10, 5),
    (3, date(2016, 9, 5), "Cahier de textes", "teacher", 50, 9),
)


@pytest.fixture
def live(engine: sa.Engine, tracked):  # noqa: F811
    """`tracked` with its first two schools live (the second three weeks late), usage, a trained
    trainer, teachers trained and certified."""
    with Session(engine) as session:
        schools = session.exec(select(School).where(School.programme_id == tracked.programme_id).order_by(School.uai)).all()
        milestones = {(m.school_id, m.kind): m for m in session.exec(select(Milestone))}
        for school, actual in zip(schools[:2], (date(2015, 12, 18), date(2016, 1, 8))):
            milestone = milestones[(school.id, "school_live")]
            milestone.status, milestone.actual_on = "done", actual
            session.add(milestone)
        briefed = milestones[(schools[0].id, "leadership_briefed")]
        briefed.status, briefed.actual_on = "done", date(2015, 8, 1)
        trained = milestones[(schools[0].id, "teachers_trained")]
        trained.status, trained.actual_on, trained.count = "done", date(2015, 12, 1), 25
        session.add_all([briefed, trained, PixCertification(school_id=schools[0].id, level="initie", certified=4)])
        trainer = session.exec(select(Trainer).where(Trainer.programme_id == tracked.programme_id)).first()
        trainer.trained = True
        session.add(trainer)
        for index, start, service, audience, visits, visitors in USAGE:
            session.add(UsageRecord(school_id=schools[index].id, period_start=start, service=service, profile=audience,
                                    audience=audience, visits=visits, visitors=visitors))
        session.flush()
        taxonomy.summarise_programme(session, programme_id=tracked.programme_id)
        session.commit()
    return tracked


def _programme(session: Session, world) -> Programme:
    return session.get(Programme, world.programme_id)


def test_school_rollouts_carry_the_baseline_go_live_and_status(engine, live) -> None:
    with Session(engine) as session:
        programme = _programme(session, live)
        schools = overview.selected_schools(session, programme=programme, filters=Filters())
        rollouts = overview.school_rollouts(session, programme=programme, schools=schools, as_of=AS_OF)
    assert [r.wave for r in rollouts] == ["W1", "W1", "W2", "W2", "W3", "W3"]
    assert [r.actual_live for r in rollouts[:3]] == [date(2015, 12, 18), date(2016, 1, 8), None]
    assert rollouts[0].planned_live == date(2015, 12, 18)
    assert all(r.status in ("green", "amber", "red") for r in rollouts)


def test_school_filters_pick_schools_by_wave_priority_and_basin(engine, live) -> None:
    with Session(engine) as session:
        programme = _programme(session, live)
        everyone = overview.selected_schools(session, programme=programme, filters=Filters())
        by_wave = overview.selected_schools(session, programme=programme, filters=Filters(wave="W2"))
        north = session.exec(select(Basin.id).where(Basin.programme_id == programme.id, Basin.code == "N")).one()
        by_basin = overview.selected_schools(session, programme=programme, filters=Filters(basin="N"))
        by_priority = overview.selected_schools(session, programme=programme, filters=Filters(priority="none"))
    assert [s.uai for s in by_wave] == [s.uai for s in everyone[2:4]]
    assert [s.uai for s in by_basin] == [s.uai for s in everyone if s.basin_id == north]
    assert [s.uai for s in by_priority] == [s.uai for s in everyone if s.priority == "none"]


@pytest.mark.parametrize("filters", [Filters(), Filters(start=date(2016, 2, 1)), Filters(year=2015),
                                     Filters(year=2015, end=date(2016, 1, 31))])
def test_usage_numbers_equal_the_usage_reports_for_the_same_dates(engine, live, filters: Filters) -> None:
    with Session(engine) as session:
        programme = _programme(session, live)
        schools = overview.selected_schools(session, programme=programme, filters=filters)
        shares = overview.school_shares(session, programme=programme, schools=schools, filters=filters)
        months = overview.month_usage(session, programme=programme, schools=schools, filters=filters)
        by_school = usage_report(session, programme_id=programme.id, by="school", start=filters.first_day, end=filters.last_day)
        by_month = usage_report(session, programme_id=programme.id, by="month", start=filters.first_day, end=filters.last_day)
        cascade = overview.cascade_counts(session, programme=programme, schools=schools, filters=filters)
        rollouts = overview.school_rollouts(session, programme=programme, schools=schools, as_of=AS_OF)
    assert [(s.uai, s.visits, s.share) for s in shares] == [(r.group, r.visits, r.pedagogical_share) for r in by_school]
    assert [(m.month, m.pedagogical + m.administrative + m.other, m.pedagogical, m.administrative) for m in months] == [
        (r.group, r.visits, r.pedagogical_visits, r.administrative_visits) for r in by_month]
    cards = overview.headline(rollouts, cascade, shares, as_of=AS_OF)
    total = sum(r.visits for r in by_school)
    assert cards.visits == total
    assert cards.pedagogical_share == (sum(r.pedagogical_visits for r in by_school) / total if total else None)


def test_month_usage_splits_categories_by_month(engine, live) -> None:
    with Session(engine) as session:
        programme = _programme(session, live)
        schools = overview.selected_schools(session, programme=programme, filters=Filters())
        months = overview.month_usage(session, programme=programme, schools=schools, filters=Filters())
    assert [(m.month, m.pedagogical, m.administrative, m.other) for m in months] == [
        ("2016-01", 40, 60, 0), ("2016-02", 30, 100, 10), ("2016-09", 50, 0, 0)]


def test_the_cascade_and_the_headline(engine, live) -> None:
    with Session(engine) as session:
        programme = _programme(session, live)
        schools = overview.selected_schools(session, programme=programme, filters=Filters())
        cascade = overview.cascade_counts(session, programme=programme, schools=schools, filters=Filters())
        rollouts = overview.school_rollouts(session, programme=programme, schools=schools, as_of=AS_OF)
        shares = overview.school_shares(session, programme=programme, schools=schools, filters=Filters())
        pupils = sum(s.pupils for s in schools[:2])
        trained = len(session.exec(select(Trainer).where(Trainer.programme_id == live.programme_id, Trainer.trained)).all())
    assert cascade.trainers_trained == trained >= 1 and cascade.leadership_briefed == 1
    assert (cascade.teachers_trained, cascade.teachers_certified) == (25, 4)
    assert cascade.teachers_active == 15 + 7 + 9  # each school's best period
    cards = overview.headline(rollouts, cascade, shares, as_of=AS_OF)
    assert (cards.schools_live, cards.schools_total, cards.pupils_live) == (2, 6, pupils)
    assert cards.pedagogical_share == pytest.approx(120 / 290)


def test_a_wave_filter_narrows_waves_and_schools(engine, live) -> None:
    with Session(engine) as session:
        programme = _programme(session, live)
        waves = overview.wave_windows(session, programme=programme, filters=Filters(wave="W1"))
        schools = overview.selected_schools(session, programme=programme, filters=Filters(wave="W1"))
        cascade = overview.cascade_counts(session, programme=programme, schools=schools, filters=Filters(wave="W1"))
    assert [w.code for w in waves] == ["W1"]
    assert len(schools) == 2 and cascade.teachers_active == 15 + 7


@pytest.mark.parametrize(("args", "expected"), [
    ({}, Filters()),
    ({"basin": "N", "priority": "REP+", "wave": "W2"}, Filters(basin="N", priority="REP+", wave="W2")),
    ({"year": "2016-2017"}, Filters(year=2016)),
    ({"start": "2016-01", "end": "2016-02"}, Filters(start=date(2016, 1, 1), end=date(2016, 2, 29))),
    ({"start": "15/01/2016", "basin": " "}, Filters(start=date(2016, 1, 15))),
])
def test_filters_are_read_from_the_query_string(args: dict[str, str], expected: Filters) -> None:
    assert parse_filters(args, basins={"N", "S"}, waves={"W1", "W2"}) == expected


@pytest.mark.parametrize(("args", "name"), [
    ({"basin": "X"}, "basin"), ({"priority": "rep"}, "priority"), ({"wave": "W9"}, "wave"),
    ({"year": "2016"}, "year"), ({"year": "2016-2018"}, "year"), ({"start": "hier"}, "start"),
    ({"end": "2016-13-01"}, "end"), ({"start": "2016-03-01", "end": "2016-02-01"}, "end"),
])
def test_invalid_filters_are_refused_by_name(args: dict[str, str], name: str) -> None:
    with pytest.raises(InvalidFilter) as refused:
        parse_filters(args, basins={"N", "S"}, waves={"W1", "W2"})
    assert refused.value.name == name


def test_the_school_year_and_the_dates_intersect() -> None:
    filters = Filters(year=2015, start=date(2015, 1, 1), end=date(2016, 3, 31))
    assert (filters.first_day, filters.last_day) == (date(2015, 9, 1), date(2016, 3, 31))
    assert filters.query() == {"year": "2015-2016", "start": "2015-01", "end": "2016-03"}
