"""Pure Plotly figures: plain data in, `go.Figure` out; no Flask, no database, no request.

Importing the package registers the `rollout` template (`template.py`), so every figure drawn
here looks the same wherever it is shown.
"""

from dashboards.figures import template

__all__ = ["template"]
