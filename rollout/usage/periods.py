"""What period a usage row covers, read from its `date` cell and optional `period` cell.

A row's period is known, in this order:
1. from its `period` cell when the file has that column and the cell is filled: `day`/`jour`,
   `week`/`semaine`, `month`/`mois` (also `daily`/`quotidien`, `weekly`/`hebdomadaire`,
   `monthly`/`mensuel`);
2. else from the date's form: `YYYY-MM` is a month;
3. else it is a day.
A week starts on a Monday and a month on its first day: a row whose date is not the start of its
period is refused rather than moved, so two exports of the same week always share one key.
"""

from __future__ import annotations

import re
from datetime import date

from rollout.core.problems import InvalidValue
from rollout.core.text import fold
from rollout.imports.cells import NoSuchDay, day

PERIOD_WORDS = {
    "day": "day", "jour": "day", "daily": "day", "quotidien": "day", "journalier": "day",
    "week": "week", "semaine": "week", "weekly": "week", "hebdomadaire": "week",
    "month": "month", "mois": "month", "monthly": "month", "mensuel": "month",
}

ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(InvalidValue):
    """A date or period cell that cannot be read; its code says what is expected."""


def parse_date(text: str) -> tuple[date, bool]:
    """The date a cell names and whether it was written as a month (`YYYY-MM`). A day is read
    as every import reads one (`rollout.imports.cells.day`: `DD/MM/YY`, `DD.MM.YYYY`, an XLSX
    date-time, an Excel serial number…); the reasons stay this module's own (here a month is a date too)."""
    if match := ISO_MONTH.match(text):
        try:
            return date(int(match[1]), int(match[2]), 1), True
        except ValueError:
            raise PeriodError("no_such_day") from None
    try:
        return day(text), False
    except NoSuchDay:
        raise PeriodError("no_such_day") from None
    except InvalidValue:
        raise PeriodError("day_or_month_expected") from None


def parse_period(text: str) -> str:
    """The period a `period` cell names (French or English)."""
    period = PERIOD_WORDS.get(fold(text))
    if period is None:
        raise PeriodError("period_expected")
    return period


def period_of(start: date, *, written_as_month: bool, stated: str | None) -> str:
    """The row's period (see the module's rule); PeriodError when the date cannot start it."""
    period = stated or ("month" if written_as_month else "day")
    if written_as_month and period != "month":
        raise PeriodError("month_starts_only_a_month")
    if period == "week" and start.weekday() != 0:
        raise PeriodError("week_starts_on_monday")
    if period == "month" and start.day != 1:
        raise PeriodError("month_starts_on_first_day")
    return period
