"""A figure's per-school values as numpy arrays, which Plotly takes as a whole.

Given a list, Plotly checks and copies it value by value (`to_scalar_or_list`, `deepcopy`)
when a trace is made, again when it is added to a figure, and when the figure is written: at
the country's 5,287 collèges that was most of a dashboard page's figure time (the overview's
timeline and per-school share, the map). A numpy array is checked once by its dtype and copied
as a block, and its numbers are written as typed arrays (base64), which plotly.js reads as
such. Figures with a handful of values (a bar per group or per wave) keep plain lists: they
cost nothing either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np


def numbers(values: Iterable[float | int | None]) -> np.ndarray:
    """Whole numbers as integers (written in as few bytes as they need), others as float64, an
    unknown one (None) as NaN, which plotly.js leaves out as it does None."""
    listed = list(values)
    if all(isinstance(value, int) for value in listed):
        return np.array(listed, dtype=np.int64)
    return np.array([np.nan if value is None else value for value in listed], dtype=float)


def objects(values: Iterable[Any]) -> np.ndarray:
    """Texts, dates or anything else, one per point, as a one-dimensional object array (even
    when the values are themselves sequences)."""
    listed = list(values)
    array = np.empty(len(listed), dtype=object)
    array[:] = listed
    return array


def days(values: Iterable[date | None]) -> np.ndarray:
    """Dates as the ISO texts ("2016-01-08") a date axis reads, written as they are: a date
    object is written through Plotly's chain of encoders, ten times slower per value."""
    return objects(None if day is None else day.isoformat() for day in values)


def rows(*columns: Sequence[Any]) -> np.ndarray:
    """Columns of equal length side by side, a row per point (a trace's `customdata`, read by
    `%{customdata[0]}` in its hover text)."""
    array = np.empty((len(columns[0]) if columns else 0, len(columns)), dtype=object)
    for index, column in enumerate(columns):
        array[:, index] = objects(column)
    return array


def grid(lines: Sequence[Sequence[Any]]) -> np.ndarray:
    """A table of texts (a heatmap's cells), a line per row, as a two-dimensional object array."""
    array = np.empty((len(lines), len(lines[0]) if lines else 0), dtype=object)
    for index, line in enumerate(lines):
        array[index, :] = objects(line)
    return array
