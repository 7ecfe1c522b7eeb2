"""The `rollout` Plotly template: one font, the Okabe-Ito palette, French number separators.

Okabe-Ito's eight colours stay distinct for the common colour-vision deficiencies; the figures
still never carry a status by colour alone (marker symbols, bar patterns, dashes and text do
it too), since a printed page or a screen reader loses colours anyway.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

NAME = "rollout"
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
"""Blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black."""
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = OKABE_ITO
GREY = "#999999"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FRENCH_SEPARATORS = ", "
"""Plotly's `separators`: decimal comma, then a (narrow) space between thousands."""


def _template() -> go.layout.Template:
    return go.layout.Template(
        layout=go.Layout(
            font={"family": FONT, "size": 14, "color": "#222222"},
            colorway=list(OKABE_ITO),
            separators=FRENCH_SEPARATORS,
            paper_bgcolor="white",
            plot_bgcolor="white",
            hoverlabel={"font": {"family": FONT}},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            margin={"l": 60, "r": 20, "t": 50, "b": 50},
            xaxis={"gridcolor": "#e5e5e5", "linecolor": "#555555", "zeroline": False, "automargin": True},
            yaxis={"gridcolor": "#e5e5e5", "linecolor": "#555555", "zeroline": False, "automargin": True},
        )
    )


pio.templates[NAME] = _template()
