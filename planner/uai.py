"""The French school identifier (UAI, formerly RNE): seven digits and a check letter.

It lives in `planner` because it is pure domain knowledge that both the planner (scenario
validation) and the web application (the School model) need, and `planner` may not import
the application.
"""

from __future__ import annotations

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI_SHAPE = re.compile(r"^[0-9]{7}[A-Z]$")


class UAIError(ValueError):
    """A UAI that is malformed or whose check letter does not match its digits."""


def check_letter(digits: str) -> str:
    """The check letter of a seven-digit UAI number."""
    return CHECK_LETTERS[int(digits) % 23]


def uai_problem(value: object) -> str | None:
    """Why `value` is not a valid UAI, phrased for a user, or None when it is valid."""
    if not isinstance(value, str):
        return f"{value!r} is not a UAI (expected 7 digits and a check letter)"
    if not _UAI_SHAPE.match(value):
        return f"{value!r} is not a UAI (expected 7 digits and a check letter, e.g. 0931234L)"
    expected = check_letter(value[:7])
    if value[7] != expected:
        return f"{value!r} has a wrong check letter (expected {expected})"
    return None


def normalise_uai(value: str) -> str:
    """Strip and upper-case a UAI as people type it, then validate it; raise UAIError if invalid."""
    candidate = value.strip().upper() if isinstance(value, str) else value
    problem = uai_problem(candidate)
    if problem:
        raise UAIError(problem)
    return candidate
