"""What every figure has beside its drawing: its numbers as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Table:
    """A figure's numbers as rows under column headings: its HTML table and its CSV."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
