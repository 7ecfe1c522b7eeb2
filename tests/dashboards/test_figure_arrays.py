"""The figures' per-school arrays: what Plotly receives and what the page's JSON says."""

from __future__ import annotations

import json
import math
from datetime import date

import plotly.graph_objects as go

from dashboards.figures.arrays import SMALL, days, grid, numbers, objects, rows

MANY = range(SMALL)


def test_a_short_sequence_stays_a_list() -> None:
    assert numbers([3, None]) == [3, None] and objects(["a"]) == ["a"] and days([date(2016, 1, 8)]) == ["2016-01-08"]
    assert rows(["Collège A"], [3]) == [["Collège A", 3]] and grid([["3 / 6"]]) == [["3 / 6"]] and grid([]) == []


def test_whole_numbers_stay_whole_and_an_unknown_number_is_left_out() -> None:
    assert numbers(MANY).dtype.kind == "i" and list(numbers(MANY)) == list(MANY)
    shares = numbers([0.25, None, *MANY])
    assert shares.dtype.kind == "f" and shares[0] == 0.25 and math.isnan(shares[1]) and shares[2] == 0


def test_texts_dates_and_rows_keep_one_entry_per_point() -> None:
    assert objects([("a", 1)] * SMALL).shape == (SMALL,)  # sequences stay one value each
    assert list(days([date(2016, 1, 8), None] * SMALL)[:2]) == ["2016-01-08", None]
    assert rows([f"Collège {n}" for n in MANY], list(MANY))[1].tolist() == ["Collège 1", 1]
    cells = grid([["3 / 6", "0 / 6 ⚠"]] * SMALL)
    assert cells.shape == (SMALL, 2) and cells[0].tolist() == ["3 / 6", "0 / 6 ⚠"]
    assert grid([[0.5, 2]] * SMALL, "float32").dtype == "float32"


def test_the_figure_says_the_same_values_as_with_lists() -> None:
    names, visits, shares = [f"Collège {n}" for n in MANY], list(MANY), [n / SMALL for n in MANY]
    listed = go.Figure(go.Bar(x=names, y=shares, customdata=[[n, v] for n, v in zip(names, visits)]))
    typed = go.Figure(go.Bar(x=objects(names), y=numbers(shares), customdata=rows(names, visits)))
    written = json.loads(typed.to_json())["data"][0]
    expected = json.loads(listed.to_json())["data"][0]
    assert written["y"]["dtype"] == "f8"  # numbers as a typed array, which plotly.js reads
    assert {key: value for key, value in written.items() if key != "y"} == {
        key: value for key, value in expected.items() if key != "y"}
