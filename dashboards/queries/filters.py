"""The dashboards' filters, read from the query string so that a copied link shows the same view.

Parsing is strict: a value the programme does not have (an unknown basin or wave code, a
misspelt priority, a date that is no date) is refused with the filter named, so a stakeholder
never reads figures silently computed without the filter they asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from rollout.models import PRIORITIES
from rollout.usage.report import parse_bound

NAMES = ("basin", "priority", "wave", "school", "year", "start", "end")


class InvalidFilter(ValueError):
    """A filter's value the programme cannot answer for; `name` is the query parameter."""

    def __init__(self, name: str, value: str) -> None:
        super().__init__(f"{name}={value!r}")
        self.name = name
        self.value = value


@dataclass(frozen=True)
class Filters:
    """What the reader chose; None: not filtered. `school` is a UAI (the school dashboard's
    school, one school on the others). `year` is the school year's first calendar year (2016 for
    2016-2017); a French school year runs from 1 September to 31 August."""

    basin: str | None = None
    priority: str | None = None
    wave: str | None = None
    school: str | None = None
    year: int | None = None
    start: date | None = None
    end: date | None = None

    @property
    def first_day(self) -> date | None:
        """The first day usage is counted from: the later of `start` and the school year's first day."""
        bounds = [day for day in (self.start, date(self.year, 9, 1) if self.year else None) if day]
        return max(bounds) if bounds else None

    @property
    def last_day(self) -> date | None:
        """The last day usage is counted to: the earlier of `end` and the school year's last day."""
        bounds = [day for day in (self.end, date(self.year + 1, 8, 31) if self.year else None) if day]
        return min(bounds) if bounds else None

    @property
    def keeps_some_schools(self) -> bool:
        """Whether a school filter (basin, priority, wave, school) leaves some of the programme's
        schools out: only then is it worth naming the selected ones to a query (naming all of a
        country's 5,287 costs more than asking for the programme's)."""
        return bool(self.basin or self.priority or self.wave or self.school)

    def query(self) -> dict[str, str]:
        """The filters as query-string values (a link to the same view)."""
        values = {"school": self.school, "basin": self.basin, "priority": self.priority, "wave": self.wave,
                  "year": school_year(self.year) if self.year else None,
                  "start": bound_text(self.start, end=False) if self.start else None,
                  "end": bound_text(self.end, end=True) if self.end else None}
        return {name: value for name, value in values.items() if value}


def bound_text(day: date, *, end: bool) -> str:
    """A date bound as the filter form writes it: `YYYY-MM` when it is its month's first day
    (a start) or last day (an end), else `YYYY-MM-DD`. The form offers months: the figures are
    monthly, and whole months are read from the summaries alone (a day inside a month makes the
    page read that month's base rows, docs/dashboards.md)."""
    whole = day.day == 1 if not end else (day + timedelta(days=1)).day == 1
    return f"{day:%Y-%m}" if whole else day.isoformat()


def school_year(first: int) -> str:
    """`2016-2017` for the school year starting in September 2016."""
    return f"{first}-{first + 1}"


def _school_year(text: str) -> int:
    first, _, second = text.partition("-")
    if not (first.isdigit() and second.isdigit() and len(first) == 4 and int(second) == int(first) + 1):
        raise InvalidFilter("year", text)
    return int(first)


def _day(name: str, text: str) -> date:
    try:
        return parse_bound(text, end=name == "end")
    except ValueError:
        raise InvalidFilter(name, text) from None


def _one_of(name: str, text: str, allowed: Collection[str]) -> str:
    if text not in allowed:
        raise InvalidFilter(name, text)
    return text


def parse_filters(args: Mapping[str, str], *, basins: Collection[str], waves: Collection[str],
                  schools: Collection[str] = ()) -> Filters:
    """The filters of a query string; empty values mean "all". `schools`: the programme's UAIs
    (at least the one asked for). Raises InvalidFilter."""
    given = {name: args.get(name, "").strip() for name in NAMES}
    filters = Filters(
        basin=_one_of("basin", given["basin"], basins) if given["basin"] else None,
        priority=_one_of("priority", given["priority"], PRIORITIES) if given["priority"] else None,
        wave=_one_of("wave", given["wave"], waves) if given["wave"] else None,
        school=_one_of("school", given["school"].upper(), schools) if given["school"] else None,
        year=_school_year(given["year"]) if given["year"] else None,
        start=_day("start", given["start"]) if given["start"] else None,
        end=_day("end", given["end"]) if given["end"] else None,
    )
    if filters.start and filters.end and filters.start > filters.end:
        raise InvalidFilter("end", given["end"])
    return filters
