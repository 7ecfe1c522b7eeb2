"""A plan's figures: schools by wave on the map, pupils reached against the greedy baseline,
academic trainers' sessions against capacity, vendor sessions; overloads said by a symbol."""

from __future__ import annotations

import copy

from dashboards.figures import plan as figures
from planner.greedy import greedy_plan
from tests.planner.tiny_scenarios import make_plan, make_scenario

LOCATED = {"0930001W": (48.91, 2.45), "0930002X": (48.86, 2.48), "0930003Y": (48.95, 2.38)}


def _scenario() -> dict:
    scenario = make_scenario()
    for school in scenario["schools"]:
        school["latitude"], school["longitude"] = LOCATED[school["uai"]]
    return scenario


def test_the_map_gives_each_wave_its_colour_and_shape_and_skips_unlocated_schools() -> None:
    scenario = _scenario()
    scenario["schools"][1]["latitude"] = None
    figure = figures.plot_wave_map(scenario, make_plan())
    assert [trace.name for trace in figure.data] == ["W1", "W2", "W3"]
    assert [list(trace.text) for trace in figure.data] == [["A"], ["C"], []]
    symbols = [trace.marker.symbol for trace in figure.data]
    colours = [trace.marker.color for trace in figure.data]
    assert len(set(symbols)) == 3 and len(set(colours)) == 3
    assert figure.layout.yaxis.scaleanchor == "x" and figure.layout.yaxis.scaleratio > 1  # distances true at 48°N
    assert {trace.type for trace in figure.data} == {"scatter"}  # longitude/latitude axes: no tile server
    table = figures.wave_map_table(scenario, make_plan())
    assert table.rows == [("W1", "0930001W", "A", 48.91, 2.45), ("W2", "0930003Y", "C", 48.95, 2.38)]


def test_pupils_reached_accumulate_wave_after_wave_against_the_greedy_baseline() -> None:
    greedy = {"W1": 500, "W2": 300, "W3": 400}
    figure = figures.plot_pupils_reached(_scenario(), make_plan(), greedy)
    plan, baseline = figure.data
    assert list(plan.x) == ["W1", "W2", "W3"] and list(plan.y) == [500, 1200, 1200]
    assert list(baseline.y) == [500, 800, 1200] and baseline.line.dash == "dash" and baseline.marker.symbol != plan.marker.symbol
    table = figures.pupils_reached_table(_scenario(), make_plan(), greedy)
    assert table.rows == [("W1", 500, 500, 500), ("W2", 700, 1200, 800), ("W3", 0, 1200, 1200)]


def test_without_a_greedy_plan_the_figure_and_table_say_so() -> None:
    figure = figures.plot_pupils_reached(_scenario(), make_plan(), None)
    assert len(figure.data) == 1
    assert [note.text for note in figure.layout.annotations] == ["pas de référence gloutonne"]
    rows = figures.pupils_reached_table(_scenario(), make_plan(), None).rows
    assert {row[3] for row in rows} == {"pas de référence gloutonne"}


def test_the_greedy_baseline_of_the_hand_made_scenario_is_drawn_from_its_plan() -> None:
    scenario = _scenario()
    greedy = greedy_plan(copy.deepcopy(scenario))
    assert greedy is not None
    pupils = {s["uai"]: s["pupils"] for s in scenario["schools"]}
    per_wave = {wave["id"]: 0 for wave in scenario["waves"]}
    for row in greedy["assignments"]:
        per_wave[row["wave"]] += pupils[row["uai"]]
    drawn = figures.plot_pupils_reached(scenario, make_plan(), per_wave).data[1]
    assert drawn.y[-1] == sum(pupils.values())


def test_each_academic_trainers_sessions_per_wave_are_read_against_the_scenarios_capacity() -> None:
    scenario = _scenario()
    load = figures.academic_load(scenario, make_plan())
    assert [row.name for row in load.trainers] == ["North", "South"]  # academics only, vendor left out
    assert [(row.sessions, row.capacity) for row in load.trainers] == [([2, 1, 0], [2, 2, 2]), ([0, 2, 0], [3, 3, 3])]
    heatmap = figures.plot_academic_load(scenario, make_plan()).data[0]
    assert [list(line) for line in heatmap.text] == [["2 / 2", "1 / 2", "0 / 2"], ["0 / 3", "2 / 3", "0 / 3"]]


def test_an_academic_trainer_over_capacity_is_marked_with_a_symbol() -> None:
    scenario = _scenario()
    scenario["trainers"][1]["capacity_by_wave"] = {"W2": 0}
    heatmap = figures.plot_academic_load(scenario, make_plan()).data[0]
    assert heatmap.text[0][1] == f"1 / 0 {figures.OVER}"
    assert figures.academic_load_table(scenario, make_plan()).rows[1][-1] == "oui"


def test_vendor_sessions_are_stacked_by_kind_under_the_vendors_capacity() -> None:
    scenario = _scenario()
    figure = figures.plot_vendor_sessions(scenario, make_plan())
    training, leadership, capacity = figure.data
    assert list(training.y) == [1, 0, 0] and list(leadership.y) == [1, 1, 0]
    assert training.marker.pattern.shape != leadership.marker.pattern.shape  # not by colour alone
    assert list(capacity.y) == [2, 2, 0] and list(capacity.text) == ["", "", ""]
    assert figures.vendor_sessions_table(scenario, make_plan()).rows[0] == ("W1", 1, 1, 2, "non")


def test_a_wave_where_the_vendor_runs_more_than_its_capacity_is_marked() -> None:
    scenario = _scenario()
    scenario["trainers"][0]["capacity_by_wave"] = {"W1": 1}
    figure = figures.plot_vendor_sessions(scenario, make_plan())
    assert list(figure.data[2].text) == [figures.OVER, "", ""]
    assert figures.vendor_sessions_table(scenario, make_plan()).rows[0][-1] == "oui"


def test_labels_come_from_the_caller() -> None:
    english = figures.LABELS | {"plan": "This plan", "no_greedy": "no greedy baseline"}
    figure = figures.plot_pupils_reached(_scenario(), make_plan(), None, english)
    assert figure.data[0].name == "This plan" and figure.layout.annotations[0].text == "no greedy baseline"
