"""The school figures: the report's definitions folded month by month and year by year, the
milestones' slips told without colour, and each figure's table."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboards.figures import school
from dashboards.figures.school import Change, MilestoneDates, SchoolUsage, UsageRow

USAGE = SchoolUsage(teachers=40, pupils=500, rows=[
    UsageRow("2016-05", "pedagogy", "teacher", 60, 20, True),
    UsageRow("2016-05", "school_life", "teacher", 40, 10, True),
    UsageRow("2016-05", "communication", "pupil", 100, 250, True),
    UsageRow("2016-09", "resources", "pupil", 30, 100, True),
    UsageRow("2016-10", "other", "parent", 10, None, False),  # no visitors count: adoption unknown this month
])


def test_months_follow_the_usage_reports_definitions() -> None:
    may, september, october = school.month_periods(USAGE)
    assert (may.key, may.visits, may.pedagogical_share) == ("2016-05", 200, 0.3)
    assert (may.teacher_adoption, may.pupil_adoption) == (20 / 40, 250 / 500)  # the largest visitors, not their sum
    assert (september.teacher_adoption, september.pupil_adoption) == (0, 100 / 500)  # no teacher row: none came
    assert (october.teacher_adoption, october.pupil_adoption) == (None, None)
    assert october.audiences == {"teacher": 0, "pupil": 0, "parent": 10, "staff": 0}


def test_a_school_year_runs_september_to_august_and_averages_its_known_months() -> None:
    assert school.school_year_of("2016-08") == "2015-2016" and school.school_year_of("2016-09") == "2016-2017"
    first, second = school.year_periods(USAGE)
    assert (first.key, first.visits, second.key, second.visits) == ("2015-2016", 200, "2016-2017", 40)
    assert second.teacher_adoption == 0 and second.pupil_adoption == pytest.approx(100 / 500)  # October left out
    assert second.pedagogical_share == 30 / 40


def test_years_are_grouped_bars_each_with_its_pattern() -> None:
    figure = school.plot_school_years(USAGE)
    assert [trace.type for trace in figure.data] == ["bar"] * 4 and figure.layout.barmode == "group"
    assert [trace.name for trace in figure.data[1::2]] == ["2015-2016", "2016-2017"]
    assert figure.data[1].marker.pattern.shape != figure.data[3].marker.pattern.shape
    assert list(figure.data[1].x) == ["Part pédagogique", "Adoption enseignants", "Adoption élèves"]
    assert school.school_years_table(USAGE).rows[1] == ("2016-2017", 40, 0.75, 0.0, 0.2)


def test_usage_by_service_and_by_profile_stack_per_month() -> None:
    services, profiles = school.plot_usage_by_service(USAGE), school.plot_usage_by_profile(USAGE)
    assert services.layout.barmode == "stack" and len(services.data) == 5 and len(profiles.data) == 4
    assert list(services.data[0].y) == [60, 0, 0] and services.data[0].name == "Pédagogie"
    assert len({trace.marker.pattern.shape for trace in services.data}) == 5  # a pattern each, not colour alone
    assert school.usage_by_profile_table(USAGE).rows[0] == ("2016-05", 100, 100, 0, 0, 200)
    adoption = school.plot_school_adoption(USAGE)
    assert [trace.line.dash for trace in adoption.data] == ["solid", "dash"]
    assert school.adoption_table(USAGE).rows[2] == ("2016-10", None, None)


def test_a_late_milestone_says_so_in_text_and_symbol() -> None:
    milestones = [MilestoneDates("leadership_briefed", "done", date(2015, 8, 4), date(2015, 8, 1)),
                  MilestoneDates("school_live", "done", date(2015, 12, 18), date(2016, 1, 8)),
                  MilestoneDates("relays_active", "not_started", date(2016, 4, 16), None)]
    figure = school.plot_school_milestones(milestones)
    actual = figure.data[-1]
    assert list(actual.text) == ["-3 j", "⚠ +21 j", "non réalisé"]
    assert list(actual.marker.symbol) == ["diamond", "x", "diamond"]
    assert figure.data[-2].marker.symbol == "circle-open"
    assert school.milestones_table(milestones, school.LABELS | {"school_live": "Ouvert", "done": "Terminé"}).rows[1] == (
        "Ouvert", date(2015, 12, 18), date(2016, 1, 8), "Terminé", 21)


def test_the_history_lists_each_change() -> None:
    changes = [Change(datetime(2016, 1, 8, 9, 30), "direction@test.invalid", "formulaire", "Ouvert", "Statut : → Terminé")]
    figure = school.plot_school_history(changes)
    assert list(figure.data[0].y) == ["Ouvert"]
    assert school.history_table(changes).rows == [("08/01/2016 09:30", "direction@test.invalid", "formulaire", "Ouvert",
                                                   "Statut : → Terminé")]


def test_an_empty_history_says_so_instead_of_drawing_empty_axes() -> None:
    figure = school.plot_school_history([])
    assert figure.layout.annotations[0].text == "Aucune modification enregistrée."
    assert figure.layout.xaxis.visible is False
