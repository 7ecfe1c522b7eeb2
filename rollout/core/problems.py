"""Why a change or a file is refused, in words the person can act on.

Every refusal names the field (the import column) and the value; an import adds the row. The
same problems serve forms (shown beside the field), the API (`{"message", "field"}`) and imports
(the preview's table of invalid rows), so all channels validate alike. A problem says what is
wrong as a code with the values its message needs; its words come from `rollout.core.messages`,
in the language of whoever reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from flask_babel import gettext as _
from pydantic import ValidationError

from planner.uai import check_letter, uai_problem
from rollout.core.messages import check_code, message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a change or an uploaded file, placed as precisely as possible:
    `code` says what (a key of `rollout.core.messages.MESSAGES`), `params` the values its
    message needs."""

    code: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_code(self.code)

    @property
    def reason(self) -> str:
        """What is wrong, in the current language."""
        return message(self.code, self.params)

    def describe(self, filename: str) -> str:
        """`file, ligne 12, colonne visits = '-3' : doit être ≥ 0` (the parts that are known)."""
        place = {"file": filename, "row": self.row, "column": self.column, "value": repr(self.value), "reason": self.reason}
        if self.row is None:
            if self.column is None:
                return _("%(file)s : %(reason)s", **place)
            if self.value is None:
                return _("%(file)s, colonne %(column)s : %(reason)s", **place)
            return _("%(file)s, colonne %(column)s = %(value)s : %(reason)s", **place)
        if self.column is None:
            return _("%(file)s, ligne %(row)d : %(reason)s", **place)
        if self.value is None:
            return _("%(file)s, ligne %(row)d, colonne %(column)s : %(reason)s", **place)
        return _("%(file)s, ligne %(row)d, colonne %(column)s = %(value)s : %(reason)s", **place)


class InvalidValue(ValueError):
    """A value a parser or a validator refuses, as a code and the values its message needs;
    whoever reads the value places it (`at`). Raised inside a pydantic validator, it keeps its
    code through `problems_of`."""

    def __init__(self, code: str, **params: Any) -> None:
        check_code(code)
        self.code = code
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        return message(self.code, self.params)

    def at(self, *, row: int | None = None, column: str | None = None, value: str | None = None) -> Problem:
        return Problem(self.code, row=row, column=column, value=value, params=self.params)


_UAI_SHAPE = re.compile(r"[0-9]{7}[A-Z]")


def uai_refusal(value: object) -> InvalidValue | None:
    """Why `value` is no UAI, or None when it is one. `planner.uai` gives its reasons in
    English, for its own contract; people are told with a code."""
    if uai_problem(value) is None:
        return None
    if isinstance(value, str) and _UAI_SHAPE.fullmatch(value):
        return InvalidValue("uai_check_letter", expected=check_letter(value[:7]))
    return InvalidValue("uai_expected")


# Pydantic's error types as codes; other types keep pydantic's own message ("invalid_value").
_CODES = {
    "missing": "required",
    "string_too_short": "required",
    "int_parsing": "integer_expected",
    "int_from_float": "integer_expected",
    "float_parsing": "number_expected",
    "bool_parsing": "yes_no_expected",
    "date_parsing": "date_expected",
    "date_from_datetime_parsing": "date_expected",
    "string_pattern_mismatch": "no_spaces",
    "finite_number": "number_expected",
}
# Error types whose message needs a value of pydantic's context: (code, param, context key).
_BOUNDED = {
    "greater_than_equal": ("at_least", "minimum", "ge"),
    "greater_than": ("more_than", "minimum", "gt"),
    "less_than_equal": ("at_most", "maximum", "le"),
    "string_too_long": ("too_long", "max_length", "max_length"),
    "literal_error": ("one_of", "expected", "expected"),
}


def _coded(item: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The code and params of one of pydantic's errors."""
    kind, context = item["type"], item.get("ctx") or {}
    if isinstance(context.get("error"), InvalidValue):
        return context["error"].code, context["error"].params
    if kind in _BOUNDED:
        code, param, key = _BOUNDED[kind]
        return code, {param: context[key]}
    if kind in _CODES:
        return _CODES[kind], {}
    return "invalid_value", {"detail": str(item["msg"]).removeprefix("Value error, ")}


class InvalidChange(ValueError):
    """A change refused, with every problem found (each naming its field and value)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(describe(problem) for problem in self.problems))

    @property
    def field(self) -> str | None:
        return self.problems[0].column if self.problems else None


class StaleVersion(InvalidChange):
    """The record changed since the version the user edited: refused rather than overwritten."""

    def __init__(self, *, key: str, expected: int, current: int) -> None:
        self.current_version = current
        super().__init__([Problem("stale_version", column="version", value=str(expected),
                                  params={"key": key, "expected": expected, "current": current})])


def describe(problem: Problem) -> str:
    """`column = 'value' : reason` (the parts that are known), for a message without a file."""
    if problem.column is None:
        return problem.reason
    if problem.value is None:
        return _("%(column)s : %(reason)s", column=problem.column, reason=problem.reason)
    return _("%(column)s = %(value)s : %(reason)s", column=problem.column, value=repr(problem.value), reason=problem.reason)


def refuse(code: str, *, column: str | None = None, value: Any = None, **params: Any) -> InvalidChange:
    """One problem as an exception, ready to raise."""
    return InvalidChange([Problem(code, column=column, value=None if value is None else str(value), params=params)])


def problems_of(error: ValidationError, given: Mapping[str, Any] | None = None) -> list[Problem]:
    """Pydantic's errors as problems naming the field and the value the user gave."""
    problems = []
    for item in error.errors():
        column = str(item["loc"][0]) if item.get("loc") else None
        if given is not None and column in given:
            value = given[column]
        else:
            value = item.get("input") if item["type"] != "missing" else None
        code, params = _coded(item)
        problems.append(Problem(code, column=column, value=None if value is None or isinstance(value, dict) else str(value),
                                params=params))
    return problems
