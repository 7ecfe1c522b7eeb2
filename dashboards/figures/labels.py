"""The marker of the figures' labels.

Figures stay pure, so they never translate: each module lists its labels in French as
`LABELS`, marked with `_` for the message catalogue's extraction, and the page translates them
(`gettext(LABELS[key])`) in the reader's language before drawing.
"""

from __future__ import annotations


def _(text: str) -> str:
    """Marks a label for the message catalogue and returns it as it is."""
    return text
