"""Dashboard filters: strict parsing, and date bounds written as the form offers them."""

from __future__ import annotations

from datetime import date

import pytest

from dashboards.queries.filters import Filters, InvalidFilter, parse_filters
from tests.dashboards.test_overview_queries import live  # noqa: F401  (fixture)
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)


def _parsed(**args: str) -> Filters:
    return parse_filters(args, basins=["N"], waves=["W1"])


def test_month_bounds_cover_whole_months_and_come_back_as_months() -> None:
    filters = _parsed(start="2016-10", end="2017-02")
    assert (filters.first_day, filters.last_day) == (date(2016, 10, 1), date(2017, 2, 28))
    assert filters.query() == {"start": "2016-10", "end": "2017-02"}
    assert _parsed(**filters.query()) == filters


@pytest.mark.parametrize(("start", "end", "written"), [
    ("2016-10-12", "2017-03-17", {"start": "2016-10-12", "end": "2017-03-17"}),
    ("2016-10-01", "2016-12-31", {"start": "2016-10", "end": "2016-12"}),
    ("2016-02-01", "2016-02-29", {"start": "2016-02", "end": "2016-02"}),
    ("2016-02-02", "2016-02-28", {"start": "2016-02-02", "end": "2016-02-28"}),
])
def test_a_day_inside_a_month_keeps_its_day(start: str, end: str, written: dict[str, str]) -> None:
    filters = _parsed(start=start, end=end)
    assert filters.query() == written
    assert _parsed(**filters.query()) == filters


@pytest.mark.parametrize("args", [{"start": "2016-13"}, {"end": "mars"}, {"start": "2017-01", "end": "2016-12"}])
def test_a_bound_that_is_no_month_or_day_is_refused_by_name(args: dict[str, str]) -> None:
    with pytest.raises(InvalidFilter) as refused:
        _parsed(**args)
    assert refused.value.name in args


@pytest.mark.parametrize(("query", "inputs"), [
    ("?start=2016-01&end=2016-02", [("month", "start", "2016-01"), ("month", "end", "2016-02")]),
    ("?start=2016-01-12", [("date", "start", "2016-01-12"), ("month", "end", "")]),
])
def test_the_form_offers_months_and_keeps_a_typed_day(client, live, login, query, inputs) -> None:  # noqa: F811
    login(client, "stakeholder")
    page = client.get(f"/programmes/{live.programme_id}/dashboard{query}").text
    for kind, name, value in inputs:
        assert f'type="{kind}" name="{name}" value="{value}"' in page
