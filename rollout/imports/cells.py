"""Typing the cells of an uploaded table as French spreadsheets write them: `48,85`, `1 234`,
`12/09/2016`, `oui`. Every import reads its cells with these parsers, so a file one import
accepts, the others accept too. Each parser raises InvalidValue (a ValueError) with the code of
its reason; the import places it at its row and column.

Numbers: French Excel groups thousands with a no-break space (U+00A0) or a narrow no-break
space (U+202F), people type a plain space; the decimal mark is `,` (or `.` from an English
export). A group separator must separate groups of three digits, so two numbers typed in one
cell (`12 34`) are refused rather than glued together. Whole numbers refuse any decimal mark
(`12,0` is not silently 12) and scientific notation (`1e3`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Callable, Mapping

from rollout.core.problems import InvalidValue
from rollout.core.text import fold

ALL = ("*", "tous", "toutes", "all")
_TRUE = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_FALSE = {"non", "n", "no", "faux", "false", "0"}
_PRIORITIES = {"": "none", "none": "none", "non": "none", "aucune": "none", "hors ep": "none", "rep": "REP", "rep+": "REP+",
               "rep plus": "REP+", "repplus": "REP+"}

_GROUPED = r"-?(?:[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)"
_INTEGER = re.compile(_GROUPED)
_DECIMAL = re.compile(_GROUPED + r"(?:[.,][0-9]+)?")
_GROUP_SEPARATORS = str.maketrans("", "", " \u00a0\u202f")

_CLOCK = r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ]" + _CLOCK + ")?")
_FRENCH_DAY = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})(?: " + _CLOCK + ")?")
_SERIAL_DAY = re.compile(r"([0-9]{5})(?:[.,]0+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01, and Excel counts a 29 February 1900
SERIAL_DAYS = (date(1990, 1, 1), date(2100, 12, 31))
"""The Excel serial dates read as dates: outside, a five-digit number is more likely a count."""


class NoSuchDay(InvalidValue):
    """A cell written as a date whose day does not exist (`31/02/2016`): callers that word
    their own reasons tell it apart from a cell that is no date at all."""

    def __init__(self) -> None:
        super().__init__("no_such_day")


def integer(text: str) -> int:
    """A whole number, sign included (the domain says which signs it accepts)."""
    if text.isdigit() and text.isascii():
        return int(text)
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        raise InvalidValue("integer_expected")
    return int(text.translate(_GROUP_SEPARATORS))


def count(text: str) -> int:
    """A whole number ≥ 0. Plain digits come first: the usage import reads 750,000 count cells."""
    if text.isdigit() and text.isascii():
        return int(text)
    number = integer(text)
    if number < 0:
        raise InvalidValue("at_least", minimum=0)
    return number


def decimal(text: str) -> float:
    """A number with `,` or `.` as decimal mark. Scientific notation, `nan` and `inf` (which
    `float` would take) are refused: nobody types them in a district's table, and a number that
    big or small in a cell is a mistake to show."""
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        raise InvalidValue("number_expected")
    return float(text.translate(_GROUP_SEPARATORS).replace(",", "."))


def day(text: str) -> date:
    """The day of a cell in any form French spreadsheets write: `2016-09-12`, `12/09/2016`,
    `12/09/16` (2000–2099), `12-09-2016`, `12.09.2016`, the same followed by a time (an XLSX
    date-time, `2016-09-12T08:30:00`, keeps its day), or an Excel serial number (`42625`, what a
    date cell formatted as a number shows)."""
    text = text.strip()
    if match := _ISO_DAY.fullmatch(text):
        year, month, of_month = match.group(1, 2, 3)
        return _real_day(int(year), int(month), int(of_month), match.group(4, 5, 6))
    if match := _FRENCH_DAY.fullmatch(text):
        of_month, separator, month, year = match.group(1, 2, 3, 4)
        if len(year) == 2 and separator != "/":
            raise InvalidValue("date_expected")
        return _real_day(int(year) + (2000 if len(year) == 2 else 0), int(month), int(of_month), match.group(5, 6, 7))
    if match := _SERIAL_DAY.fullmatch(text):
        serial = _EXCEL_EPOCH + timedelta(days=int(match.group(1)))
        if SERIAL_DAYS[0] <= serial <= SERIAL_DAYS[1]:
            return serial
    raise InvalidValue("date_expected")


def _real_day(year: int, month: int, of_month: int, time: tuple[str | None, ...]) -> date:
    """The day, once its time (when written) is a time of day and the day is in the calendar."""
    hours, minutes, seconds = (int(part or 0) for part in time)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise InvalidValue("date_expected")
    try:
        return date(year, month, of_month)
    except ValueError:
        raise NoSuchDay() from None


def yes_no(text: str) -> bool:
    key = fold(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidValue("yes_no_expected")


def priority(text: str) -> str:
    key = re.sub(r"\s+", " ", fold(text))
    if key not in _PRIORITIES:
        raise InvalidValue("priority_expected")
    return _PRIORITIES[key]


def codes(text: str) -> list[str] | None:
    """`093-01 093-02` (space, comma, semicolon or | between codes) → the codes in order;
    `*` or `tous` → None (every one)."""
    if fold(text) in ALL:
        return None
    found = [code for code in re.split(r"[\s,;|]+", text) if code]
    if not found:
        raise InvalidValue("basins_expected")
    return found


def capacities(text: str) -> dict[str, int]:
    """`W2=0 W3=4` (or `W2:0`) → {wave code: sessions}."""
    result: dict[str, int] = {}
    for item in re.split(r"[\s,;|]+", text):
        if not item:
            continue
        code, separator, sessions = item.partition("=") if "=" in item else item.partition(":")
        if not separator or not code:
            raise InvalidValue("capacities_expected")
        result[code] = integer(sessions)
    return result


def read_count(cells: Mapping[str, str], column: str, problem: Callable[..., None], *,
               required: bool = False) -> int | None:
    """The count in `cells[column]` for an importer reading a row: None when the cell is blank
    (reported as "required" when `required`) or unreadable (reported through `problem(column,
    code, **params)`), so that every problem of the row is found in one pass."""
    text = cells.get(column, "")
    if not text:
        if required:
            problem(column, "required")
        return None
    try:
        return count(text)
    except InvalidValue as error:
        problem(column, error.code, **error.params)
        return None
