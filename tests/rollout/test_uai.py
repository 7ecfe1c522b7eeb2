"""The UAI check: a district's schools are keyed on it, so a typo must never get in."""

from __future__ import annotations

import pytest

from planner.uai import UAIError, check_letter, normalise_uai, uai_problem
from rollout.colleges.national_file import all_colleges


def test_every_real_uai_of_the_fixture_is_valid() -> None:
    colleges = all_colleges()
    assert len(colleges) == 6935
    invalid = [college.uai for college in colleges if uai_problem(college.uai) is not None]
    assert invalid == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0931234Q", "'0931234Q' has a wrong check letter (expected L)"),
        ("093123X", "'093123X' is not a UAI (expected 7 digits and a check letter, e.g. 0931234L)"),
        ("09312345X", "'09312345X' is not a UAI (expected 7 digits and a check letter, e.g. 0931234L)"),
        ("093A234X", "'093A234X' is not a UAI (expected 7 digits and a check letter, e.g. 0931234L)"),
        ("0931234x", "'0931234x' is not a UAI (expected 7 digits and a check letter, e.g. 0931234L)"),
        (931234, "931234 is not a UAI (expected 7 digits and a check letter)"),
    ],
)
def test_invalid_uai_is_explained(value: object, expected: str) -> None:
    assert uai_problem(value) == expected


def test_check_letter_skips_letters_that_look_like_digits() -> None:
    # 23 letters: I, O and Q are left out so they cannot be read as 1 and 0.
    letters = {check_letter(f"{n:07d}") for n in range(23)}
    assert letters.isdisjoint({"I", "O", "Q"}) and len(letters) == 23


def test_normalise_accepts_what_people_type() -> None:
    assert normalise_uai(" 0931234l ") == "0931234L"
    with pytest.raises(UAIError, match="expected L"):
        normalise_uai("0931234A")
