"""Why a change or a file is refused, in words the person can act on.

Every refusal names the field (the import column) and the value; an import adds the row. The
same problems serve forms (shown beside the field), the API (`{"message", "field"}`) and imports
(the preview's table of invalid rows), so all channels validate alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a change or an uploaded file, placed as precisely as possible."""

    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def describe(self, filename: str) -> str:
        """`file: row 12, column visits = '-3': must be ≥ 0` (the parts that are known)."""
        place = [filename]
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column is not None:
            place.append(f"column {self.column}" + (f" = {self.value!r}" if self.value is not None else ""))
        return ", ".join(place) + f": {self.reason}"


# Pydantic's error types, said in French; other types keep pydantic's own message.
_REASONS = {
    "missing": "valeur obligatoire",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "bool_parsing": "oui ou non attendu",
    "date_parsing": "date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)",
    "string_too_short": "valeur obligatoire",
    "string_pattern_mismatch": "sans espace",
}


def _reason(kind: str, bounds: Mapping[str, Any]) -> str | None:
    if kind == "greater_than_equal":
        return f"doit être ≥ {bounds['ge']}"
    if kind == "less_than_equal":
        return f"doit être ≤ {bounds['le']}"
    if kind == "literal_error":
        return f"valeur attendue : {bounds['expected']}"
    if kind == "string_too_long":
        return f"au plus {bounds['max_length']} caractères"
    return _REASONS.get(kind)


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
        super().__init__([
            Problem(
                f"{key} : quelqu'un d'autre a enregistré une modification depuis l'ouverture de cette fiche "
                f"(version {expected}, maintenant {current}) : rechargez la fiche et refaites votre modification",
                column="version",
                value=str(expected),
            )
        ])


def describe(problem: Problem) -> str:
    """`column = 'value' : reason` (the parts that are known), for a message without a file."""
    if problem.column is None:
        return problem.reason
    value = f" = {problem.value!r}" if problem.value is not None else ""
    return f"{problem.column}{value} : {problem.reason}"


def refuse(reason: str, *, column: str | None = None, value: Any = None) -> InvalidChange:
    """One problem as an exception, ready to raise."""
    return InvalidChange([Problem(reason, column=column, value=None if value is None else str(value))])


def problems_of(error: ValidationError, given: Mapping[str, Any] | None = None) -> list[Problem]:
    """Pydantic's errors as problems naming the field and the value the user gave."""
    problems = []
    for item in error.errors():
        column = str(item["loc"][0]) if item.get("loc") else None
        if given is not None and column in given:
            value = given[column]
        else:
            value = item.get("input") if item["type"] != "missing" else None
        reason = _reason(item["type"], item.get("ctx") or {}) or str(item["msg"]).removeprefix("Value error, ")
        problems.append(Problem(reason, column=column, value=None if value is None or isinstance(value, dict) else str(value)))
    return problems
