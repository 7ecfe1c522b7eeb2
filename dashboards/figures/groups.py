"""What the dashboards comparing groups of schools share (equity, leadership): means and
ratios that leave unknown values out, panel titles that wrap, and one panel of bars per measure
with each group in its own colour and pattern, so that no panel relies on colour."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.template import NAME

TITLE_WIDTH = 18  # characters a panel title line holds at the page's width
NAME_WIDTH = 16  # characters a group's name holds on one line under its bar
NO_DATA = "—"


def mean(values: Sequence[float | int | None]) -> float | None:
    """The mean of the known values; None when none is known."""
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator; None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def wrapped(title: str, width: int = TITLE_WIDTH) -> str:
    """A panel's title on lines of at most `width` characters: several panels share one figure's
    width, and a title on one line ran into its neighbour's."""
    return "<br>".join(textwrap.wrap(title, width)) or title


def panel_bars(groups: Sequence[str], schools: Sequence[int], measures: Mapping[str, Sequence[float | None]],
               style: Mapping[str, tuple[str, str]], percent: frozenset[str], labels: Mapping[str, str]) -> go.Figure:
    """One panel per measure (in `measures`' order), one bar per group in the same order in
    every panel, named with its number of schools; `style` gives each group its (colour, pattern
    shape). A group without data says — rather than showing an empty bar as 0."""
    names = [wrapped(f"{labels[group]} ({count})", NAME_WIDTH) for group, count in zip(groups, schools)]
    figure = make_subplots(rows=1, cols=len(measures), subplot_titles=[wrapped(labels[m]) for m in measures],
                           horizontal_spacing=0.06)
    for column, (measure, values) in enumerate(measures.items(), start=1):
        figure.add_trace(go.Bar(
            x=names, y=list(values), showlegend=False, name=labels[measure],
            marker={"color": [style[g][0] for g in groups], "pattern": {"shape": [style[g][1] for g in groups]}},
            texttemplate=[NO_DATA if value is None else "%{y:.0%}" if measure in percent else "%{y:.0f}"
                          for value in values], textposition="outside",
        ), row=1, col=column)
        if measure in percent:
            figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=column)
    figure.update_layout(template=NAME)
    figure.update_annotations(font_size=12)
    return figure
