"""Usage rows of different lengths that cover the same days (shared/contracts/usage.md).

The usage key (school, period start, service, profile) lets a month row starting on the 1st and
a day row for the 15th coexist, and the report adds up every row: the visits of the 15th would
count twice. Such rows are refused instead, whether both are in the file or one is stored.
Rows of one length never overlap one another (a week starts on a Monday, a month on its first
day), so only rows of two different lengths are compared: per school, service and profile,
the rows of each length are sorted once and searched by bisection, so a file of 250,000 rows
costs one pass, and a file of one length over stored rows of that length costs nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from calendar import monthrange
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

LONGEST_PERIOD = timedelta(days=30)
"""How far a period's last day may be after its first (a month of 31 days): stored rows this
far around a file's dates are the ones its rows can overlap."""


def period_end(start: date, period: str) -> date:
    """The last day a row covers."""
    if period == "week":
        return start + timedelta(days=6)
    if period == "month":
        return start.replace(day=monthrange(start.year, start.month)[1])
    return start


@dataclass(frozen=True)
class Overlap:
    """A file row (`key`) whose days `count` rows of another length also cover, `first` being
    the earliest of them; `stored` says whether those rows are stored or in the file."""

    key: tuple[Any, ...]
    period: str
    first: tuple[Any, ...]
    first_period: str
    count: int
    stored: bool


def find_overlaps(rows: Mapping[tuple, tuple], stored: Mapping[tuple, tuple[int, tuple]]) -> list[Overlap]:
    """Every file row that covers days a row of another length covers too, among the file's rows
    and the stored rows the file does not replace. `rows` maps a usage key to values whose first
    item is the period; `stored` maps a key to (id, values), as `rollout.usage.table` reads them."""
    kept = {key: values[0] for key, (_, values) in stored.items() if key not in rows}
    periods = {values[0] for values in rows.values()} | set(kept.values())
    if len(periods) < 2:
        return []
    groups: dict[tuple, dict[str, list[tuple[date, tuple, bool]]]] = defaultdict(lambda: defaultdict(list))
    for key, values in rows.items():
        groups[_series(key)][values[0]].append((key[1], key, False))
    for key, period in kept.items():
        series = _series(key)
        if series in groups:
            groups[series][period].append((key[1], key, True))
    found: list[Overlap] = []
    for by_period in groups.values():
        if len(by_period) > 1:
            found.extend(_series_overlaps(by_period))
    return found


def _series(key: tuple) -> tuple:
    """What rows must share to be compared: school, service, profile."""
    return key[0], key[2], key[3]


def _series_overlaps(by_period: dict[str, list[tuple[date, tuple, bool]]]) -> list[Overlap]:
    """The overlaps within one school, service and profile, for its file rows."""
    for spans in by_period.values():
        spans.sort()
    starts = {period: [span[0] for span in spans] for period, spans in by_period.items()}
    found = []
    for period, spans in by_period.items():
        for start, key, is_stored in spans:
            if is_stored:
                continue
            end = period_end(start, period)
            for other_period, others in by_period.items():
                if other_period == period:
                    continue
                covering = _covering(others, starts[other_period], other_period, start, end)
                for stored in (False, True):
                    same = [other for other in covering if other[2] is stored]
                    if same:
                        found.append(Overlap(key=key, period=period, first=same[0][1], first_period=other_period,
                                             count=len(same), stored=stored))
    return found


def _covering(spans: list[tuple[date, tuple, bool]], starts: list[date], period: str, start: date,
              end: date) -> list[tuple[date, tuple, bool]]:
    """The rows of one length (sorted, disjoint) that cover a day of [start, end], earliest first."""
    index = bisect_right(starts, end) - 1
    covering = []
    while index >= 0 and period_end(spans[index][0], period) >= start:
        covering.append(spans[index])
        index -= 1
    covering.reverse()
    return covering
