"""The trainers heatmap: "sessions / capacity" in every cell, ⚠ beyond capacity, neutral names."""

from __future__ import annotations

from dashboards.figures import trainers
from dashboards.figures.trainers import TrainerLoad, TrainerRow

LOAD = TrainerLoad(waves=["Vague 1", "Vague 2"], trainers=[
    TrainerRow(1, "Éditeur", "vendor", sessions=[3, 0], capacity=[6, 6]),
    TrainerRow(3, "Formatrice Nord", "academic", sessions=[8, 2], capacity=[8, 0]),
])


def test_each_cell_says_sessions_over_capacity_and_marks_an_overload_with_a_symbol() -> None:
    figure = trainers.plot_trainer_load(LOAD)
    heatmap = figure.data[0]
    assert heatmap.type == "heatmap" and list(heatmap.x) == ["Vague 1", "Vague 2"]
    assert [list(line) for line in heatmap.text] == [["3 / 6", "0 / 6"], ["8 / 8", "2 / 0 ⚠"]]
    assert [list(line) for line in heatmap.z] == [[0.5, 0], [1, 2]]
    assert heatmap.zmax == 2 and heatmap.colorscale[-1][1] == trainers.VERMILLION


def test_without_overload_the_scale_ends_at_full() -> None:
    calm = TrainerLoad(waves=["Vague 1"], trainers=[TrainerRow(1, "Éditeur", "vendor", [3], [6])])
    heatmap = trainers.plot_trainer_load(calm).data[0]
    assert heatmap.zmax == 1 and heatmap.colorscale[-1][1] == trainers.BLUE


def test_the_table_has_a_row_per_trainer_and_wave() -> None:
    table = trainers.trainer_load_table(LOAD)
    assert table.rows[0] == ("Éditeur", "Éditeur", "Vague 1", 3, 6, "non")
    assert table.rows[3] == ("Formatrice Nord", "Académie", "Vague 2", 2, 0, "oui")


def test_neutral_names_keep_each_trainers_number() -> None:
    shown = trainers.neutral(LOAD, lambda number: f"Formateur {number}")
    assert [row.name for row in shown.trainers] == ["Formateur 1", "Formateur 3"]
    assert shown.trainers[1].sessions == LOAD.trainers[1].sessions
