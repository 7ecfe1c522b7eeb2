"""Problems carry a code and the values their message needs; the words come from the catalogue,
in the language of whoever reads them: French outside a request (the command line), the page's
language inside one."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from rollout.app import create_app
from rollout.core.problems import InvalidValue, Problem, StaleVersion, describe, problems_of, refuse
from rollout.imports import cells


@pytest.fixture
def app(tmp_path):
    """The application, for its catalogue only: no database is opened."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URL": "sqlite://"},
                      instance_path=str(tmp_path / "instance"))


def test_a_problem_reads_in_french_outside_a_request() -> None:
    problem = Problem("at_least", row=12, column="visits", value="-3", params={"minimum": 0})
    assert problem.reason == "doit être ≥ 0"
    assert problem.describe("stats.csv") == "stats.csv, ligne 12, colonne visits = '-3' : doit être ≥ 0"


@pytest.mark.parametrize(("problem", "french", "english"), [
    (Problem("required"), "f.csv : valeur obligatoire", "f.csv: required"),
    (Problem("required", row=4), "f.csv, ligne 4 : valeur obligatoire", "f.csv, row 4: required"),
    (Problem("required", column="uai"), "f.csv, colonne uai : valeur obligatoire", "f.csv, column uai: required"),
    (Problem("integer_expected", column="visits", value="x"), "f.csv, colonne visits = 'x' : nombre entier attendu",
     "f.csv, column visits = 'x': whole number expected"),
    (Problem("required", row=4, column="uai"), "f.csv, ligne 4, colonne uai : valeur obligatoire",
     "f.csv, row 4, column uai: required"),
])
def test_a_problem_is_described_in_the_language_of_the_request(app, problem: Problem, french: str, english: str) -> None:
    with app.test_request_context("/"):
        assert problem.describe("f.csv") == french
    with app.test_request_context("/?lang=en"):
        assert problem.describe("f.csv") == english


def test_an_application_context_without_a_request_speaks_french(app) -> None:
    with app.app_context():
        assert Problem("date_expected").reason == "date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)"


def test_a_refusal_and_a_stale_version_are_worded_by_the_catalogue(app) -> None:
    refused = refuse("at_most", column="sessions", value=40, maximum=30)
    conflict = StaleVersion(key="W2", expected=3, current=4)
    assert refused.problems == [Problem("at_most", column="sessions", value="40", params={"maximum": 30})]
    assert describe(refused.problems[0]) == "sessions = '40' : doit être ≤ 30"
    assert conflict.problems[0].code == "stale_version" and "(version 3, maintenant 4)" in str(conflict)
    with app.test_request_context("/?lang=en"):
        assert describe(refused.problems[0]) == "sessions = '40': must be ≤ 30"
        assert str(StaleVersion(key="W2", expected=3, current=4)).startswith(
            "version = '3': W2: someone else saved a change since this record was opened (version 3, now 4)")


def test_a_cell_parser_refuses_with_a_code_that_its_caller_places() -> None:
    with pytest.raises(InvalidValue) as raised:
        cells.count("-3")
    assert (raised.value.code, raised.value.params, str(raised.value)) == ("at_least", {"minimum": 0}, "doit être ≥ 0")
    assert raised.value.at(row=5, column="visits", value="-3") == Problem(
        "at_least", row=5, column="visits", value="-3", params={"minimum": 0})


class _Change(BaseModel):
    count: int = Field(ge=0)
    name: str = Field(max_length=5)
    tier: Literal["vendor", "relay"] = "vendor"
    day: str | None = None
    tags: list[int] = []

    @field_validator("day")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        return None if value is None else cells.day(value).isoformat()


def test_pydantic_errors_become_problems_with_codes() -> None:
    with pytest.raises(ValidationError) as raised:
        _Change.model_validate({"count": -1, "name": "too long", "tier": "other", "day": "31/02/2016", "tags": "x"})
    found = {problem.column: (problem.code, problem.params) for problem in problems_of(raised.value)}
    assert found["count"] == ("at_least", {"minimum": 0})
    assert found["name"] == ("too_long", {"max_length": 5})
    assert found["tier"] == ("one_of", {"expected": "'vendor' or 'relay'"})
    assert found["day"] == ("no_such_day", {})  # the parser's own code, through the validator
    assert found["tags"][0] == "invalid_value" and found["tags"][1]["detail"]  # pydantic's words, kept


def test_a_missing_or_untyped_field_is_required_or_an_integer_expected() -> None:
    with pytest.raises(ValidationError) as raised:
        _Change.model_validate({"name": "ok"})
    assert [(problem.column, problem.code) for problem in problems_of(raised.value)] == [("count", "required")]
    with pytest.raises(ValidationError) as raised:
        _Change.model_validate({"name": "ok", "count": "douze"})
    assert [(problem.column, problem.code, problem.value) for problem in problems_of(raised.value)] == [
        ("count", "integer_expected", "douze")]
