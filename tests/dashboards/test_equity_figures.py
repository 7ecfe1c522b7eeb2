"""The equity figure: the three groups' measures, then the panels that draw them."""

from __future__ import annotations

import pytest

from dashboards.figures import equity
from dashboards.figures.equity import SchoolEquity

SCHOOLS = [
    SchoolEquity("A", "REP+", teachers=40, teachers_trained=30, delay_days=0, visits=100, pedagogical_visits=30,
                 teacher_adoption=0.5, pupil_adoption=0.2),
    SchoolEquity("B", "REP+", teachers=60, teachers_trained=30, delay_days=20, visits=100, pedagogical_visits=10,
                 teacher_adoption=0.3, pupil_adoption=None),
    SchoolEquity("C", "none", teachers=50, teachers_trained=0, delay_days=None, visits=0, pedagogical_visits=0,
                 teacher_adoption=None, pupil_adoption=None),
]


def test_each_group_gets_its_measures() -> None:
    data = equity._equity_data(SCHOOLS)
    assert data.groups == ["REP+", "REP", "none"] and data.schools == [2, 0, 1]
    assert data.measures["delay_days"] == [10, None, None]
    assert data.measures["trained_share"] == [pytest.approx(0.6), None, 0]
    assert data.measures["teacher_adoption"] == [pytest.approx(0.4), None, None]
    assert data.measures["pupil_adoption"] == [0.2, None, None]
    assert data.measures["pedagogical_share"] == [pytest.approx(0.2), None, None]


def test_one_panel_per_measure_with_patterns_and_percent_axes() -> None:
    figure = equity.plot_equity(SCHOOLS)
    assert [trace.type for trace in figure.data] == ["bar"] * len(equity.MEASURES)
    assert list(figure.data[0].x) == ["REP+ (2)", "REP (0)", "Hors éducation<br>prioritaire (1)"]  # with their schools
    assert list(figure.data[0].marker.pattern.shape) == ["", "/", "."]
    assert figure.layout.yaxis.tickformat is None and figure.layout.yaxis2.tickformat == ".0%"
    table = equity.equity_table(SCHOOLS)
    assert table.rows[0][:3] == ("REP+", 2, 10)
    assert len(table.columns) == 2 + len(equity.MEASURES)


def test_panel_titles_are_wrapped_so_neighbours_do_not_run_into_each_other() -> None:
    from dashboards.figures.equity import plot_equity
    from dashboards.figures.groups import TITLE_WIDTH

    titles = [annotation.text for annotation in plot_equity([]).layout.annotations]
    assert len(titles) == 5
    assert all(len(line) <= TITLE_WIDTH for title in titles for line in title.split("<br>"))
    assert "Retard moyen<br>d'ouverture" in titles[0]
