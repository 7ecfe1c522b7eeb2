"""The figures' per-school arrays: what Plotly receives and what the page's JSON says."""

from __future__ import annotations

import json
import math
from datetime import date

import plotly.graph_objects as go

from dashboards.figures.arrays import days, grid, numbers, objects, rows


def test_whole_numbers_stay_whole_and_an_unknown_number_is_left_out() -> None:
    assert numbers([3, 1]).dtype.kind == "i" and list(numbers([3, 1])) == [3, 1]
    shares = numbers([0.25, None, 1])
    assert shares.dtype.kind == "f" and shares[0] == 0.25 and math.isnan(shares[1]) and shares[2] == 1


def test_texts_dates_and_rows_keep_one_entry_per_point() -> None:
    assert objects([("a", 1), ("b", 2)]).shape == (2,)  # sequences stay one value each
    assert list(days([date(2016, 1, 8), None])) == ["2016-01-08", None]
    assert rows(["Collège A", "Collège B"], [3, 0]).tolist() == [["Collège A", 3], ["Collège B", 0]]
    assert rows([], []).shape == (0, 2) and grid([]).shape == (0, 0)
    assert grid([["3 / 6", "0 / 6"], ["8 / 8", "2 / 0 ⚠"]]).tolist() == [["3 / 6", "0 / 6"], ["8 / 8", "2 / 0 ⚠"]]


def test_the_figure_says_the_same_values_as_with_lists() -> None:
    names, visits, shares = ["Collège A", "Collège B"], [1200, 30], [0.25, 0.5]
    listed = go.Figure(go.Bar(x=["A", "B"], y=shares, customdata=[[n, v] for n, v in zip(names, visits)],
                              hovertext=names))
    typed = go.Figure(go.Bar(x=objects(["A", "B"]), y=numbers(shares), customdata=rows(names, visits),
                             hovertext=objects(names)))
    written = json.loads(typed.to_json())["data"][0]
    expected = json.loads(listed.to_json())["data"][0]
    assert written["y"]["dtype"] == "f8"  # numbers as a typed array, which plotly.js reads
    assert {key: value for key, value in written.items() if key != "y"} == {
        key: value for key, value in expected.items() if key != "y"}
