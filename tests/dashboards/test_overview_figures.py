"""The overview's figures: the plain data each draws from, then what the figure holds (as
Optuna tests its visualisations), and the table that stands for it."""

from __future__ import annotations

from datetime import date

import plotly.io as pio

from dashboards.figures import overview
from dashboards.figures.overview import (
    CascadeCounts,
    MonthUsage,
    SchoolRollout,
    SchoolShare,
    WaveWindow,
)
from dashboards.figures.template import FRENCH_SEPARATORS, NAME, OKABE_ITO

WAVES = [WaveWindow("W1", "Vague 1", date(2015, 9, 1), date(2015, 12, 18)),
         WaveWindow("W2", None, date(2016, 1, 4), date(2016, 3, 31))]
SCHOOLS = [
    SchoolRollout("0930001A", "Collège A", 500, "W1", date(2015, 12, 18), date(2015, 12, 10), "green", 48.90, 2.40),
    SchoolRollout("0930002B", "Collège B", 300, "W1", date(2015, 12, 18), date(2016, 1, 8), "amber", 48.95, 2.50),
    SchoolRollout("0930003C", "Collège C", 200, "W2", date(2016, 3, 31), None, "red", None, None),
]


def test_the_template_is_registered_with_a_colour_blind_safe_palette_and_french_separators() -> None:
    template = pio.templates[NAME]
    assert list(template.layout.colorway) == list(OKABE_ITO)
    assert template.layout.separators == FRENCH_SEPARATORS


def test_plan_vs_actual_accumulates_schools_and_pupils_by_day() -> None:
    data = overview._plan_vs_actual_data(SCHOOLS)
    assert data.days == [date(2015, 12, 10), date(2015, 12, 18), date(2016, 1, 8), date(2016, 3, 31)]
    assert data.planned_schools == [0, 2, 2, 3]
    assert data.actual_schools == [1, 1, 2, 2]
    assert data.planned_pupils == [0, 800, 800, 1000]
    assert data.actual_pupils == [500, 500, 800, 800]
    figure = overview.plot_plan_vs_actual(SCHOOLS)
    assert [trace.name for trace in figure.data] == ["prévu (plan adopté)", "réel"] * 2
    assert figure.data[0].line.dash == "dash" and figure.data[1].line.dash is None
    assert figure.layout.template.layout.separators == FRENCH_SEPARATORS  # the rollout template
    table = overview.plan_vs_actual_table(SCHOOLS)
    assert table.rows[-1] == (date(2016, 3, 31), 3, 2, 1000, 800)


def test_the_timeline_marks_slipped_go_lives_by_symbol_as_well_as_colour() -> None:
    data = overview._timeline_data(WAVES, SCHOOLS)
    assert [(g.uai, g.late_days) for g in data.go_lives] == [("0930001A", 0), ("0930002B", 21)]
    figure = overview.plot_wave_timeline(WAVES, SCHOOLS)
    window, on_time, slipped = figure.data
    assert list(window.y) == ["W1 — Vague 1", "W1 — Vague 1", None, "W2", "W2", None]
    assert on_time.marker.symbol == "circle" and list(on_time.x) == ["2015-12-10"]  # ISO texts: written as they are
    assert slipped.marker.symbol == "x" and slipped.name == "ouvert en retard"
    assert overview.wave_timeline_table(WAVES, SCHOOLS).rows[1][-1] == 21


def test_the_cascade_is_a_funnel_in_the_cascades_order() -> None:
    counts = CascadeCounts(trainers_trained=8, leadership_briefed=6, teachers_trained=120, teachers_active=80,
                           teachers_certified=12)
    assert overview._cascade_data(counts).counts == [8, 6, 120, 80, 12]
    (funnel,) = overview.plot_cascade(counts).data
    assert funnel.type == "funnel" and funnel.y[0] == "Formateurs formés"
    assert overview.cascade_table(counts).rows[-1] == ("Enseignants certifiés Pix+ Édu", 12)


def test_usage_by_category_stacks_months_in_order_with_patterns() -> None:
    months = [MonthUsage("2016-02", 5, 3, 1), MonthUsage("2016-01", 1, 2, 3)]
    data = overview._usage_by_category_data(months)
    assert data.months == ["2016-01", "2016-02"]
    assert data.visits == {"pedagogical": [1, 5], "administrative": [2, 3], "other": [3, 1]}
    figure = overview.plot_usage_by_category(months)
    assert figure.layout.barmode == "stack"
    assert len({trace.marker.pattern.shape for trace in figure.data}) == 3
    assert overview.usage_by_category_table(months).columns == ("Mois", "Pédagogique", "Administratif", "Autre")


def test_the_pedagogical_share_is_sorted_with_the_two_reference_lines() -> None:
    shares = [SchoolShare("A", "a", 20, 0.05, 1), SchoolShare("B", "b", 10, 0.3, 3), SchoolShare("C", "c", 0, None, 0)]
    data = overview._pedagogical_share_data(shares)
    assert [s.uai for s in data.schools] == ["B", "A"]
    assert (data.national, data.target) == (0.05, 0.20)
    figure = overview.plot_pedagogical_share(shares)
    assert list(figure.data[0].y) == [0.3, 0.05]
    assert sorted(shape.y0 for shape in figure.layout.shapes) == [0.05, 0.20]
    assert {a.text for a in figure.layout.annotations} == {"Référence nationale (5 %)", "Objectif (20 %)"}
    assert figure.layout.yaxis.tickformat == ".0%"


def test_the_map_draws_located_schools_by_status_with_equal_distances_and_no_tiles() -> None:
    data = overview._school_map_data(SCHOOLS)
    assert {status: [s.uai for s in schools] for status, schools in data.by_status.items()} == {
        "green": ["0930001A"], "amber": ["0930002B"], "red": []}
    assert 1.5 < data.aspect < 1.55  # 1 / cos(48.9°)
    figure = overview.plot_school_map(SCHOOLS)
    assert {trace.type for trace in figure.data} == {"scatter"}  # no geo or mapbox trace: nothing fetched
    assert [trace.marker.symbol for trace in figure.data] == ["circle", "diamond", "x"]
    assert figure.layout.yaxis.scaleanchor == "x"


def test_labels_are_parameters() -> None:
    labels = overview.LABELS | {"baseline": "planned", "actual": "actual"}
    assert [trace.name for trace in overview.plot_plan_vs_actual(SCHOOLS, labels).data][:2] == ["planned", "actual"]
