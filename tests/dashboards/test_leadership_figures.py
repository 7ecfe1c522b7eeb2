"""The leadership figures: the three briefing groups' measures, their panels, and every school."""

from __future__ import annotations

import pytest

from dashboards.figures import leadership
from dashboards.figures.leadership import SchoolLeadership

SCHOOLS = [
    SchoolLeadership("A", "Collège A", "before", visits=100, pedagogical_visits=30, teacher_adoption=0.6,
                     pupil_adoption=0.3),
    SchoolLeadership("B", "Collège B", "before", visits=300, pedagogical_visits=30, teacher_adoption=0.2,
                     pupil_adoption=None),
    SchoolLeadership("C", "Collège C", "none", visits=0, pedagogical_visits=0, teacher_adoption=None,
                     pupil_adoption=None),
]


def test_each_briefing_group_gets_its_measures() -> None:
    data = leadership._leadership_data(SCHOOLS)
    assert data.groups == ["before", "late", "none"] and data.schools == [2, 0, 1]
    assert data.measures["teacher_adoption"] == [pytest.approx(0.4), None, None]
    assert data.measures["pupil_adoption"] == [0.3, None, None]
    assert data.measures["pedagogical_share"] == [pytest.approx(60 / 400), None, None]  # the group's visits, not a mean


def test_one_bar_panel_per_measure_with_patterns() -> None:
    figure = leadership.plot_leadership(SCHOOLS)
    assert [trace.type for trace in figure.data] == ["bar"] * 3
    assert list(figure.data[0].x) == ["Direction<br>informée avant<br>l'ouverture (2)",
                                      "Direction<br>informée après<br>l'ouverture (0)",
                                      "Direction non<br>informée (1)"]  # wrapped under the bars, with their schools
    assert list(figure.data[0].marker.pattern.shape) == ["", "/", "."]
    assert list(figure.data[1].texttemplate) == ["%{y:.0%}", "—", "—"]  # no school, no bar read as 0
    assert all(getattr(figure.layout, axis).tickformat == ".0%" for axis in ("yaxis", "yaxis2", "yaxis3"))
    table = leadership.leadership_table(SCHOOLS)
    assert table.rows[0] == (leadership.LABELS["before"], 2, 0.4, 0.3, 0.15)
    assert table.rows[1] == (leadership.LABELS["late"], 0, None, None, None)


def test_every_school_is_a_point_of_its_group_with_its_own_symbol() -> None:
    figure = leadership.plot_leadership_schools(SCHOOLS)
    assert [trace.type for trace in figure.data] == ["box"] * 9  # three measures × three groups
    teachers_before = figure.data[0]
    assert list(teachers_before.y) == [0.6, 0.2] and list(teachers_before.text) == ["Collège A", "Collège B"]
    assert teachers_before.boxpoints == "all" and teachers_before.marker.symbol == "circle"
    assert figure.data[2].marker.symbol == "square" and list(figure.data[2].y) == []  # C's adoption is unknown
    assert [trace.showlegend for trace in figure.data[:4]] == [True, True, True, False]
    table = leadership.leadership_schools_table(SCHOOLS)
    assert [row[:3] for row in table.rows] == [("A", "Collège A", leadership.LABELS["before"]),
                                               ("B", "Collège B", leadership.LABELS["before"]),
                                               ("C", "Collège C", leadership.LABELS["none"])]
    assert table.rows[1][3:] == (0.2, None, 0.1)


def test_beyond_the_points_limit_each_group_is_its_box_alone_and_the_title_says_so(monkeypatch) -> None:
    monkeypatch.setattr(leadership, "POINTS_LIMIT", 2)
    figure = leadership.plot_leadership_schools(SCHOOLS)
    assert [trace.type for trace in figure.data] == ["box"] * 9
    assert all(trace.y is None and trace.text is None for trace in figure.data)  # no school's point, no name
    teachers_before = figure.data[0]  # A 0.6 and B 0.2: quartiles by linear interpolation, whiskers at the ends
    assert [teachers_before.q1[0], teachers_before.median[0], teachers_before.q3[0]] == pytest.approx([0.3, 0.4, 0.5])
    assert (teachers_before.lowerfence[0], teachers_before.upperfence[0]) == (0.2, 0.6)
    assert list(figure.data[2].x) == [] and figure.data[2].q1 is None  # C's adoption is unknown: an empty box
    assert figure.layout.title.text.startswith("3 établissements ouverts") and "tableau des données" in figure.layout.title.text
    assert len(leadership.leadership_schools_table(SCHOOLS).rows) == 3  # every school stays in the table


def test_a_country_of_live_schools_sends_a_small_figure() -> None:
    schools = [SchoolLeadership(f"{index:07d}X", f"Collège {index}", leadership.GROUPS[index % 3], visits=100,
                                pedagogical_visits=index % 40, teacher_adoption=(index % 97) / 100, pupil_adoption=None)
               for index in range(5000)]
    assert len(leadership.plot_leadership_schools(schools).to_json()) < 20_000  # 1.4 MB with a point per school
