"""The trainers dashboard: how many sessions the adopted plan gives each trainer in each wave,
against what the trainer can run.

The plan never exceeds the capacities it was solved with (the checker's rule 6), but
capacities change after adoption (a trainer on leave, a wave shortened): the heatmap compares
the adopted plan's load with today's capacities, so an overload shows where the plan needs
revising. Each cell says "sessions / capacity", and an overloaded one adds ⚠, so the warning
never relies on colour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import plotly.graph_objects as go

from dashboards.figures.arrays import grid, objects
from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import BLUE, NAME, VERMILLION

OVER = "⚠"



LABELS: dict[str, str] = {
    "trainer": _("Formateur"),
    "tier": _("Rôle"),
    "wave": _("Vague"),
    "sessions": _("Sessions prévues"),
    "capacity": _("Capacité"),
    "over": _("Au-delà de la capacité"),
    "yes": _("oui"),
    "no": _("non"),
    "vendor": _("Éditeur"),
    "academic": _("Académie"),
}


@dataclass(frozen=True)
class TrainerRow:
    """One trainer: its place among the programme's planned trainers (1, 2…, by code), what the
    page calls it, its tier, and per wave (in the load's order) sessions and capacity."""

    number: int
    name: str
    tier: str
    sessions: list[int]
    capacity: list[int]


@dataclass(frozen=True)
class TrainerLoad:
    """The heatmap's rows (trainers) and columns (wave labels)."""

    waves: list[str]
    trainers: list[TrainerRow]


def neutral(load: TrainerLoad, label: Callable[[int], str]) -> TrainerLoad:
    """The load with every trainer named `label(number)` ("Formateur 3"): a share link shows no
    one's name, and the number stays the trainer's whatever the filters."""
    return replace(load, trainers=[replace(row, name=label(row.number)) for row in load.trainers])


def _ratio(sessions: int, capacity: int) -> float:
    """How full a cell is: 1 at capacity; any session with no capacity counts as twice full."""
    if capacity:
        return sessions / capacity
    return 2.0 if sessions else 0.0


def _cell_text(sessions: int, capacity: int) -> str:
    return f"{sessions} / {capacity}" + (f" {OVER}" if sessions > capacity else "")


def _load_figure(load: TrainerLoad, labels: Mapping[str, str]) -> go.Figure:
    z = [[_ratio(s, c) for s, c in zip(row.sessions, row.capacity)] for row in load.trainers]
    top = max([1.0, *(value for line in z for value in line)])
    figure = go.Figure(go.Heatmap(
        x=load.waves, y=objects(row.name for row in load.trainers), z=grid(z, "float32"), zmin=0, zmax=top,
        text=grid([[_cell_text(s, c) for s, c in zip(row.sessions, row.capacity)] for row in load.trainers]),
        texttemplate="%{text}", hovertemplate="%{y} — %{x}<br>%{text}<extra></extra>", xgap=2, ygap=2,
        colorscale=[[0, "#ffffff"], [1 / top, BLUE], [1, VERMILLION if top > 1 else BLUE]],
        showscale=False,  # each cell says its numbers; plotly.js's colour bar sets style attributes the CSP refuses
    ))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category", side="top")
    figure.update_layout(template=NAME, height=max(300, 60 + 28 * len(load.trainers)))
    return figure


def plot_trainer_load(load: TrainerLoad, labels: Mapping[str, str] = LABELS) -> go.Figure:
    """A row per trainer, a column per wave; colour from empty (white) to full (blue), beyond
    capacity towards vermillion, gaps between cells (which also keep plotly.js from testing a
    drawing method with a style attribute the CSP refuses)."""
    return _load_figure(load, labels)


def trainer_load_table(load: TrainerLoad, labels: Mapping[str, str] = LABELS) -> Table:
    rows = [(row.name, labels.get(row.tier, row.tier), wave, sessions, capacity,
             labels["yes"] if sessions > capacity else labels["no"])
            for row in load.trainers for wave, sessions, capacity in zip(load.waves, row.sessions, row.capacity)]
    return Table((labels["trainer"], labels["tier"], labels["wave"], labels["sessions"], labels["capacity"],
                  labels["over"]), rows)
