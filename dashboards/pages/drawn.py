"""What every dashboard's builder draws with: a figure as a page shows it, its JSON, translated labels, the data's date."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import plotly.graph_objects as go
from flask import g
from flask_babel import gettext as _

from dashboards.figures.table import Table
from rollout.db import get_session
from rollout.models import Programme
from rollout.tracking.colour import evaluation_date


@dataclass(frozen=True)
class Drawn:
    """One figure of a page: its title, what it shows (caption), the figure and its table.

    `figure` is the JSON the page sends once `written`: what the cache keeps, since rebuilding
    a Figure from its data would validate every trace again, the slowest part of a page."""

    name: str
    title: str
    caption: str
    figure: go.Figure | str
    table: Table

    def written(self) -> Drawn:
        """The same figure with its JSON written (`figure_json`), ready to be cached."""
        return replace(self, figure=figure_json(self.figure))


def translated(texts: dict[str, str]) -> dict[str, str]:
    """The figures' labels in the reader's language: the figures stay pure, so the page translates them."""
    return {key: _(text) for key, text in texts.items()}


def as_of_date(programme: Programme) -> date:
    """The date colours are evaluated at, read once per request: the overview's data and the
    page both need it, and for a simulated country it is 5,287 index lookups (25 ms)."""
    found = g.setdefault("as_of", {})
    if programme.id not in found:
        found[programme.id] = evaluation_date(get_session(), programme=programme, today=date.today())
    return found[programme.id]


def figure_json(figure: go.Figure | str) -> str:
    """The figure as JSON that cannot end its `<script>` block, whatever a school is named
    (a figure already written, `Drawn.written`, as it is)."""
    if isinstance(figure, str):
        return figure
    return figure.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
