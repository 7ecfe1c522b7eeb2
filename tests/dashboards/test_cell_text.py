"""Table cells are written as Babel writes them, in both catalogue languages."""

from __future__ import annotations

import random
from datetime import date

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from dashboards.cells import EMPTY, cell_text

CHANCE = random.Random(11)
NUMBERS = [0, 1, -1, 999, 1000, -1234567, 12_345_678_901, 0.0, 0.0005, 0.0015, -0.0004, 2.5, 123.4565, 1e-9, 1e16] + [
    CHANCE.uniform(-1e7, 1e7) for _ in range(300)] + [CHANCE.random() for _ in range(300)]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_numbers_are_written_as_babels_default_pattern_writes_them(locale: str) -> None:
    assert [cell_text(value, locale) for value in NUMBERS] == [format_decimal(value, locale=locale) for value in NUMBERS]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_dates_are_babels_medium_dates_and_nothing_is_a_dash(locale: str) -> None:
    days = [date(2016, 3, 7), date(2017, 12, 31)]
    assert [cell_text(day, locale) for day in days] == [format_date(day, format="medium", locale=locale) for day in days]
    assert cell_text(None, locale) == EMPTY
    assert cell_text("Collège", locale) == "Collège"
