"""plotly.js as the installed `plotly` package ships it, and the stylesheets it would inject on load."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
INJECTED_STYLE = re.compile(rb'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)')
"""A stylesheet plotly.js adds when loaded unless an element with its id is there (maplibre's,
for map tiles the dashboards never use)."""


@cache
def plotly_style_ids() -> tuple[str, ...]:
    """The ids of the stylesheets plotly.js would inject on load: the page names them so that it
    does not, since the CSP (no inline style) would refuse them with a console error."""
    return tuple(found.decode() for found in INJECTED_STYLE.findall(plotly_js()))


@cache
def plotly_js() -> bytes:
    """Read once per process: a file handle per request would outlive responses nobody reads to the end."""
    return PLOTLY_JS.read_bytes()
