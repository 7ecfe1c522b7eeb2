"""A figure's per-school values as numpy arrays, which Plotly takes as a whole.

Given a list, Plotly checks and copies it value by value (`to_scalar_or_list`, `deepcopy`)
when a trace is made, again when it is added to a figure, and when the figure is written: at
the country's 5,287 collèges that was most of a dashboard page's figure time (the overview's
timeline and per-school share, the map). A numpy array is checked once by its dtype and copied
as a block, and its numbers are written as typed arrays (base64), which plotly.js reads as
such. An array has a fixed cost of its own, though, which a list of fewer than `SMALL` values
does not repay (measured: a box of 100 points costs the same either way, 800 cost twice as much
as lists): shorter sequences, a district's, stay lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np

SMALL = 150
"""Values below which a list costs less than an array."""


def numbers(values: Iterable[float | int | None]) -> np.ndarray | list[float | int | None]:
    """Whole numbers as integers (written in as few bytes as they need), others as float64, an
    unknown one (None) as NaN, which plotly.js leaves out as it does None."""
    listed = list(values)
    if len(listed) < SMALL:
        return listed
    if all(isinstance(value, int) for value in listed):
        return np.array(listed, dtype=np.int64)
    return np.array([np.nan if value is None else value for value in listed], dtype=float)


def objects(values: Iterable[Any]) -> np.ndarray | list[Any]:
    """Texts, dates or anything else, one per point, as a one-dimensional object array (even
    when the values are themselves sequences)."""
    listed = list(values)
    if len(listed) < SMALL:
        return listed
    array = np.empty(len(listed), dtype=object)
    array[:] = listed
    return array


def days(values: Iterable[date | None]) -> np.ndarray | list[str | None]:
    """Dates as the ISO texts ("2016-01-08") a date axis reads, written as they are: a date
    object is written through Plotly's chain of encoders, ten times slower per value."""
    return objects(None if day is None else day.isoformat() for day in values)


def rows(*columns: Sequence[Any]) -> np.ndarray | list[list[Any]]:
    """Columns of equal length side by side, a row per point (a trace's `customdata`, read by
    `%{customdata[0]}` in its hover text)."""
    if not columns or len(columns[0]) < SMALL:
        return [list(row) for row in zip(*columns)]
    array = np.empty((len(columns[0]), len(columns)), dtype=object)
    for index, column in enumerate(columns):
        array[:, index] = column
    return array


def grid(lines: Sequence[Sequence[Any]], dtype: type | str = object) -> np.ndarray | list[list[Any]]:
    """A table (a heatmap's cells: texts, or numbers with a numeric `dtype`), a line per row, as
    a two-dimensional array."""
    if sum(len(line) for line in lines) < SMALL:
        return [list(line) for line in lines]
    array = np.empty((len(lines), len(lines[0])), dtype=dtype)
    for index, line in enumerate(lines):
        array[index, :] = line
    return array
