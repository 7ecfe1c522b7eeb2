"""The usage report against numbers worked out by hand, on SQLite and PostgreSQL.

Schools (teachers, pupils): A (10, 100), B (20, 400), C (5, 50). Categories by the default
taxonomy: Cahier de textes and Exercices pedagogy, Manuels numériques resources, Notes and
Absences school life, Messagerie communication, Porte-documents other, "Jeux" unknown (other).
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from rollout.models import Programme
from rollout.usage.report import ReportRow, parse_bound, report_csv, report_json, usage_report
from rollout.usage.taxonomy import set_category
from usage_world import import_usage_file, usage_world  # noqa: F401  (the fixture)

A, B, C = "0930001W", "0930002X", "0930003Y"
ROWS = (
    "date,uai,service,profile,visits,visitors,period",
    # A in March: teachers' largest visitors count is 8 (Notes), pupils' 40 (Cahier de textes).
    f"2016-03-07,{A},Cahier de textes,National_ENS,30,6,week",
    f"2016-03-07,{A},Notes,National_ENS,60,8,week",
    f"2016-03-14,{A},Cahier de textes,National_ELV,100,40,week",
    f"2016-03-14,{A},Messagerie,National_ELV,50,30,week",
    f"2016-03-14,{A},Porte-documents,National_ENS,10,2,week",
    # A in April: teachers 5, pupils 10.
    f"2016-04-04,{A},Manuels numériques,National_ELV,20,10,week",
    f"2016-04-04,{A},Absences,National_ENS,40,5,week",
    # B in March: teachers 15, pupils 120 (not 120 + 50: visitors are never added up).
    f"2016-03-07,{B},Notes,National_ENS,100,15,week",
    f"2016-03-07,{B},Exercices,National_ELV,200,120,week",
    f"2016-03-07,{B},Jeux,National_ELV,50,50,week",
    # C in March: no visitors count, so its adoption is unknown and left out of the sums.
    f"2016-03-07,{C},Notes,National_DIR,7,,week",
)


@pytest.fixture
def session(engine, usage_world):
    with Session(engine) as session:
        programme = session.get(Programme, usage_world.programme_id)
        data = ("\n".join(ROWS) + "\n").encode()
        import_usage_file(session, programme, data, "hand.csv")
        session.commit()
        yield session


def _programme_id(session: Session) -> int:
    """The hand-made programme (the first one; the second belongs to another district)."""
    return min(session.exec(select(Programme.id)).all())


def _report(session: Session, **options) -> list[tuple]:
    rows = usage_report(session, programme_id=_programme_id(session), **options)
    return [
        (row.group, row.visits, row.pedagogical_visits, row.administrative_visits,
         _round(row.pedagogical_share), _round(row.teacher_adoption), _round(row.pupil_adoption))
        for row in rows
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def test_per_school(session) -> None:
    assert _report(session, by="school") == [
        # A: share 150/310; teachers (8 + 5) / (10 + 10); pupils (40 + 10) / (100 + 100).
        (A, 310, 150, 150, round(150 / 310, 6), 0.65, 0.25),
        (B, 350, 200, 100, round(200 / 350, 6), 0.75, 0.3),
        (C, 7, 0, 7, 0.0, None, None),
    ]
    names = [row.name for row in usage_report(session, programme_id=_programme_id(session), by="school")]
    assert names == [f"Collège {A}", f"Collège {B}", f"Collège {C}"]


def test_per_month_pools_the_schools_reporting_that_month(session) -> None:
    assert _report(session, by="month") == [
        # March: teachers (8 + 15) / (10 + 20), pupils (40 + 120) / (100 + 400); C has no visitors.
        ("2016-03", 607, 330, 217, round(330 / 607, 6), round(23 / 30, 6), 0.32),
        # April: 20 pedagogical visits of 60 is a third, not 0 (no integer division).
        ("2016-04", 60, 20, 40, round(1 / 3, 6), 0.5, 0.1),
    ]


def test_per_category(session) -> None:
    assert _report(session, by="category") == [
        ("pedagogy", 330, 330, 0, 1.0, round(6 / 30, 6), 0.32),
        ("resources", 20, 20, 0, 1.0, 0.0, 0.1),
        ("school_life", 207, 0, 207, 0.0, 0.7, 0.0),
        ("communication", 50, 0, 50, 0.0, 0.0, 0.3),
        ("other", 60, 0, 0, 0.0, round(2 / 30, 6), 0.1),
    ]


def test_date_bounds_are_inclusive_and_months_cover_their_days(session) -> None:
    april = _report(session, by="school", start=parse_bound("2016-04", end=False), end=parse_bound("2016-04", end=True))
    assert april == [(A, 60, 20, 40, round(1 / 3, 6), 0.5, 0.1)]
    first_week = _report(session, by="month", start=parse_bound("07/03/2016", end=False), end=parse_bound("2016-03-07", end=True))
    assert [row[:2] for row in first_week] == [("2016-03", 30 + 60 + 100 + 200 + 50 + 7)]
    assert _report(session, by="school", start=parse_bound("2017-01", end=False)) == []
    with pytest.raises(ValueError, match=r"'2016-3': date attendue \(AAAA-MM-JJ, AAAA-MM pour un mois"):
        parse_bound("2016-3", end=False)


def test_an_override_moves_a_label_and_the_report_follows(session) -> None:
    programme = session.get(Programme, _programme_id(session))
    set_category(session, programme=programme, label="jeux", category="pedagogy", actor="x", channel="form")
    session.commit()
    by_school = {row[0]: row for row in _report(session, by="school")}
    assert by_school[B][2] == 250 and by_school[B][4] == round(250 / 350, 6)


def test_csv_and_json_outputs_name_the_grouping_and_round_ratios(session) -> None:
    rows = usage_report(session, programme_id=_programme_id(session), by="month")
    assert report_csv(rows, by="month").splitlines() == [
        "month,visits,pedagogical_visits,administrative_visits,pedagogical_share,teacher_adoption,pupil_adoption",
        "2016-03,607,330,217,0.5437,0.7667,0.32",
        "2016-04,60,20,40,0.3333,0.5,0.1",
    ]
    school_rows = usage_report(session, programme_id=_programme_id(session), by="school")
    records = json.loads(report_json(school_rows, by="school"))
    assert records[2] == {
        "uai": C, "name": f"Collège {C}", "visits": 7, "pedagogical_visits": 0, "administrative_visits": 7,
        "pedagogical_share": 0.0, "teacher_adoption": None, "pupil_adoption": None,
    }
    assert isinstance(school_rows[0], ReportRow) and isinstance(school_rows[0].visits, int)


def test_a_school_name_a_spreadsheet_would_run_is_quoted_in_the_csv() -> None:
    row = ReportRow(group="0930001W", name="=HYPERLINK(1)", visits=1, pedagogical_visits=1, administrative_visits=0,
                    pedagogical_share=1.0, teacher_adoption=None, pupil_adoption=None)
    assert report_csv([row], by="school").splitlines()[1].startswith("0930001W,'=HYPERLINK(1),1,")
