"""Typing the cells of an uploaded table as French spreadsheets write them: `48,85`, `1 234`,
`12/09/2016`, `oui`. Each converter raises ValueError with a reason a user understands; the
import places it at its row and column."""

from __future__ import annotations

import re
from datetime import date, datetime

from rollout.core.text import fold

ALL = ("*", "tous", "toutes", "all")
_TRUE = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_FALSE = {"non", "n", "no", "faux", "false", "0"}
_PRIORITIES = {"": "none", "none": "none", "non": "none", "aucune": "none", "hors ep": "none", "rep": "REP", "rep+": "REP+",
               "rep plus": "REP+", "repplus": "REP+"}


def integer(text: str) -> int:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    try:
        number = float(cleaned.replace(",", "."))
    except ValueError:
        raise ValueError("nombre entier attendu") from None
    if not number.is_integer():
        raise ValueError("nombre entier attendu")
    return int(number)


def decimal(text: str) -> float:
    try:
        return float(re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", "."))
    except ValueError:
        raise ValueError("nombre attendu (par ex. 48,85)") from None


def day(text: str) -> date:
    for shape in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            continue
    raise ValueError("date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)")


def yes_no(text: str) -> bool:
    key = fold(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError("oui ou non attendu")


def priority(text: str) -> str:
    key = re.sub(r"\s+", " ", fold(text))
    if key not in _PRIORITIES:
        raise ValueError("éducation prioritaire attendue : REP+, REP ou vide (none)")
    return _PRIORITIES[key]


def codes(text: str) -> list[str] | None:
    """`093-01 093-02` (space, comma, semicolon or | between codes) → the codes in order;
    `*` or `tous` → None (every one)."""
    if fold(text) in ALL:
        return None
    found = [code for code in re.split(r"[\s,;|]+", text) if code]
    if not found:
        raise ValueError("nommez au moins un bassin, ou * pour tous")
    return found


def capacities(text: str) -> dict[str, int]:
    """`W2=0 W3=4` (or `W2:0`) → {wave code: sessions}."""
    result: dict[str, int] = {}
    for item in re.split(r"[\s,;|]+", text):
        if not item:
            continue
        code, separator, sessions = item.partition("=") if "=" in item else item.partition(":")
        if not separator or not code:
            raise ValueError("capacités par vague attendues sous la forme W2=0 W3=4")
        result[code] = integer(sessions)
    return result
