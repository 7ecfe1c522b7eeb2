"""The cell parsers every import shares, fed what French spreadsheets really write: no-break
spaces between thousands, decimal commas, dates in every order, Excel serial numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rollout.imports import cells

NBSP, NNBSP = "\u00a0", "\u202f"
NOT_A_DAY = "date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)"


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0),
    ("42", 42),
    ("007", 7),
    (" 42 ", 42),
    ("-3", -3),
    ("1 234", 1234),
    (f"1{NBSP}234", 1234),
    (f"1{NNBSP}234", 1234),
    (f"12{NNBSP}345{NNBSP}678", 12345678),
    (f"-1{NBSP}234", -1234),
    ("1234567", 1234567),
])
def test_integer_reads_digits_with_french_thousands_separators(text: str, expected: int) -> None:
    assert cells.integer(text) == expected


@pytest.mark.parametrize("text", [
    "", " ", "12,0", "12.0", "12.5", "1e3", "1E3", "1.234", "1,234", "12 34", "1 2345", "+3", "--3", "3-",
    "abc", "12 élèves", "nan", "inf", "١٢", "1_000", "0x10",
])
def test_integer_refuses_anything_but_a_whole_number(text: str) -> None:
    with pytest.raises(ValueError, match="^nombre entier attendu$"):
        cells.integer(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0), ("250", 250), ("1 234", 1234), (f"1{NBSP}234", 1234), (f"1{NNBSP}234", 1234), ("-0", 0),
])
def test_count_reads_whole_numbers_from_zero(text: str, expected: int) -> None:
    assert cells.count(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("-3", "doit être ≥ 0"),
    (f"-1{NNBSP}234", "doit être ≥ 0"),
    ("12,5", "nombre entier attendu"),
    ("12,0", "nombre entier attendu"),
    ("1e3", "nombre entier attendu"),
    ("", "nombre entier attendu"),
    ("²", "nombre entier attendu"),
])
def test_count_refuses_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^{reason}$"):
        cells.count(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("48,85", 48.85),
    ("48.85", 48.85),
    ("2,3522", 2.3522),
    ("-2.3", -2.3),
    ("-0,5", -0.5),
    ("12", 12.0),
    ("12,0", 12.0),
    ("1 234,5", 1234.5),
    (f"1{NBSP}234,5", 1234.5),
    (f"1{NNBSP}234{NNBSP}567,25", 1234567.25),
    (" 48,85 ", 48.85),
])
def test_decimal_reads_a_comma_or_a_point(text: str, expected: float) -> None:
    assert cells.decimal(text) == expected


@pytest.mark.parametrize("text", [
    "", "1e3", "1,5e-3", "nan", "inf", "-inf", "1.234,5", "1,234.5", "48,85,1", "12 34,5", ",5", "5,", "abc", "48,85 °",
])
def test_decimal_refuses_what_is_not_a_plain_number(text: str) -> None:
    with pytest.raises(ValueError, match=r"^nombre attendu \(par ex. 48,85\)$"):
        cells.decimal(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("2016-09-12", date(2016, 9, 12)),
    ("2016-9-2", date(2016, 9, 2)),
    ("12/09/2016", date(2016, 9, 12)),
    ("2/9/2016", date(2016, 9, 2)),
    ("12/09/16", date(2016, 9, 12)),
    ("01/01/00", date(2000, 1, 1)),
    ("12-09-2016", date(2016, 9, 12)),
    ("12.09.2016", date(2016, 9, 12)),
    (" 12/09/2016 ", date(2016, 9, 12)),
    ("2016-09-12T00:00:00", date(2016, 9, 12)),
    ("2016-09-12T08:30", date(2016, 9, 12)),
    ("2016-09-12T23:59:59.999000", date(2016, 9, 12)),
    ("2016-09-12 00:00:00", date(2016, 9, 12)),
    ("2016-09-12 08:30", date(2016, 9, 12)),
    ("12/09/2016 08:30", date(2016, 9, 12)),
    ("12/09/2016 08:30:15", date(2016, 9, 12)),
    ("42625", date(2016, 9, 12)),
    ("42625.0", date(2016, 9, 12)),
    ("42625,0", date(2016, 9, 12)),
    ("32874", date(1990, 1, 1)),
    ("73415", date(2100, 12, 31)),
    ("29/02/2016", date(2016, 2, 29)),
])
def test_day_reads_every_form_french_spreadsheets_write(text: str, expected: date) -> None:
    assert cells.day(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", NOT_A_DAY),
    ("mars 2016", NOT_A_DAY),
    ("7 mars 2016", NOT_A_DAY),
    ("2016-09", NOT_A_DAY),
    ("2016/09/12", NOT_A_DAY),
    ("12/09-2016", NOT_A_DAY),
    ("12-09-16", NOT_A_DAY),
    ("12.09.16", NOT_A_DAY),
    ("12/09/016", NOT_A_DAY),
    ("20160912", NOT_A_DAY),
    ("2016-09-12T24:00", NOT_A_DAY),
    ("2016-09-12T08:60", NOT_A_DAY),
    ("12/09/2016T08:30", NOT_A_DAY),
    ("2016-09-12T08:30+02:00", NOT_A_DAY),
    ("42625.5", NOT_A_DAY),
    ("2016", NOT_A_DAY),
    ("250", NOT_A_DAY),
    ("12345", NOT_A_DAY),
    ("32873", NOT_A_DAY),
    ("73416", NOT_A_DAY),
    ("٢٠١٦-٠٩-١٢", NOT_A_DAY),
    ("31/02/2016", "date inexistante"),
    ("29/02/2015", "date inexistante"),
    ("2016-13-01", "date inexistante"),
    ("00/09/2016", "date inexistante"),
    ("31/04/16 00:00", "date inexistante"),
])
def test_day_refuses_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        cells.day(text)
    assert str(raised.value) == reason


def test_an_impossible_day_is_told_apart_from_a_cell_that_is_no_date() -> None:
    with pytest.raises(cells.NoSuchDay):
        cells.day("31/02/2016")
    with pytest.raises(ValueError) as raised:
        cells.day("mars")
    assert not isinstance(raised.value, cells.NoSuchDay)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_any_day_reads_back_from_iso_and_french_text(day: date) -> None:
    assert cells.day(day.isoformat()) == day
    assert cells.day(day.strftime("%d/%m/%Y")) == day
    assert cells.day(day.strftime("%d.%m.%Y")) == day
    if cells.SERIAL_DAYS[0] <= day <= cells.SERIAL_DAYS[1]:
        assert cells.day(str((day - date(1899, 12, 30)).days)) == day


@given(st.integers(min_value=-10**15, max_value=10**15), st.sampled_from([" ", NBSP, NNBSP]))
def test_any_integer_reads_back_from_french_grouped_text(number: int, separator: str) -> None:
    grouped = f"{number:,}".replace(",", separator)
    assert cells.integer(grouped) == number
    assert cells.decimal(grouped + ",5") == pytest.approx(number + (0.5 if number >= 0 else -0.5))


@pytest.mark.parametrize(("text", "expected"), [
    ("oui", True), ("Oui", True), ("X", True), ("1", True), ("vrai", True), ("yes", True),
    ("non", False), ("NON", False), ("0", False), ("faux", False), ("no", False),
])
def test_yes_no(text: str, expected: bool) -> None:
    assert cells.yes_no(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("", "none"), ("Hors EP", "none"), ("aucune", "none"), ("REP", "REP"), ("rep+", "REP+"), ("REP  plus", "REP+"),
])
def test_priority(text: str, expected: str) -> None:
    assert cells.priority(text) == expected


def test_yes_no_and_priority_refuse_with_a_reason() -> None:
    with pytest.raises(ValueError, match="oui ou non attendu"):
        cells.yes_no("peut-être")
    with pytest.raises(ValueError, match="éducation prioritaire attendue"):
        cells.priority("REP++")


def test_codes_and_capacities() -> None:
    assert cells.codes("093-01, 093-02;093-03 | 093-04") == ["093-01", "093-02", "093-03", "093-04"]
    assert cells.codes("Tous") is None and cells.codes("*") is None
    assert cells.capacities("W2=0 W3:4;W4=12") == {"W2": 0, "W3": 4, "W4": 12}
    with pytest.raises(ValueError, match="nommez au moins un bassin"):
        cells.codes(" ; ")
    with pytest.raises(ValueError, match="W2=0 W3=4"):
        cells.capacities("W2")
    with pytest.raises(ValueError, match="nombre entier attendu"):
        cells.capacities("W2=1.5")
