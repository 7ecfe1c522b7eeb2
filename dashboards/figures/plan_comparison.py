"""The plan comparison's figure: pupils with the platform over time, one curve per plan.

A plan's curve steps up at each wave's end by the pupils of the schools it puts in that wave,
so the curve further up and to the left reaches pupils sooner, which is what the objective
rewards. Each curve has its own dash as well as its colour, for readers who do not tell the
colours apart and for print. Pure: the page passes plain (date, pupils) points and translated
labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go

from dashboards.figures.labels import _
from dashboards.figures.table import Table
from dashboards.figures.template import NAME

DASHES = ("solid", "dash", "dot", "dashdot")

LABELS: dict[str, str] = {
    "date": _("Date"),
    "plan": _("Plan"),
    "pupils_live": _("Élèves ayant accès"),
}


@dataclass(frozen=True)
class PupilsCurve:
    """One plan's running total of pupils with the platform, at each date it changes."""

    name: str
    points: Sequence[tuple[date, int]]


def plot_plan_comparison(curves: Sequence[PupilsCurve], labels: Mapping[str, str] = LABELS) -> go.Figure:
    """The curves of 2 to 4 plans on one chart, as steps (pupils arrive at a wave's end)."""
    figure = go.Figure()
    for index, curve in enumerate(curves):
        figure.add_trace(go.Scatter(
            x=[day for day, _ in curve.points], y=[pupils for _, pupils in curve.points], name=curve.name,
            mode="lines+markers", line={"shape": "hv", "dash": DASHES[index % len(DASHES)]},
        ))
    figure.update_layout(
        template=NAME, hovermode="x unified",
        xaxis={"title": {"text": labels["date"]}}, yaxis={"title": {"text": labels["pupils_live"]}, "rangemode": "tozero"},
    )
    return figure


def plan_comparison_table(curves: Sequence[PupilsCurve], labels: Mapping[str, str] = LABELS) -> Table:
    """The figure's numbers: one row per plan and date."""
    rows = [(curve.name, day.isoformat(), pupils) for curve in curves for day, pupils in curve.points]
    return Table((labels["plan"], labels["date"], labels["pupils_live"]), rows)
