"""A what-if edit from the small form of its kind on the scenario page: each field read as the
imports read their cells (`rollout.imports.cells`), each unreadable one named, so the edit that
reaches `planner.whatif` is well typed and only the programme-dependent checks remain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from planner.whatif import CASCADE_MINIMUM, EDIT_KINDS
from rollout.core.problems import InvalidChange, InvalidValue, Problem, refuse
from rollout.imports import cells
from rollout.planning.scenario import PLANNED_TIERS

Edit = dict[str, Any]
WEIGHT_FIELDS = {"REP+": "weight_rep_plus", "REP": "weight_rep", "none": "weight_none"}


class _Reader:
    """Reads the fields of one form, collecting a problem per unreadable field."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.problems: list[Problem] = []

    def text(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.problems.append(Problem("required", column=name))
        return value

    def optional(self, name: str) -> str | None:
        """A select's value; its empty option stands for null (no wave, no cap)."""
        return self.text(name) or None

    def parsed(self, name: str, parse: Callable[[str], Any], *, blank: Any = ...) -> Any:
        value = self.text(name)
        if not value:
            if blank is not ...:
                return blank
            self.problems.append(Problem("required", column=name))
            return None
        try:
            return parse(value)
        except InvalidValue as error:
            self.problems.append(error.at(column=name, value=value))
            return None


def edit_from_form(kind: str, form: Mapping[str, str]) -> Edit:
    """The edit of `kind` the form's fields describe; InvalidChange naming each bad field."""
    if kind not in EDIT_KINDS:
        raise refuse("one_of", column="kind", value=kind, expected=", ".join(EDIT_KINDS))
    read = _Reader(form)
    edit: Edit = {"kind": kind, **_READERS[kind](read)}
    if read.problems:
        raise InvalidChange(read.problems)
    return edit


def _wave_caps(read: _Reader) -> Edit:
    return {"wave": read.required("wave"), "max_schools": read.parsed("max_schools", cells.count, blank=None),
            "max_pupils": read.parsed("max_pupils", cells.count, blank=None)}


def _trainer_capacity(read: _Reader) -> Edit:
    return {"trainer": read.required("trainer"), "wave": read.optional("wave"), "capacity": read.parsed("capacity", cells.count)}


def _trainer_add(read: _Reader) -> Edit:
    tier = read.required("tier")
    if tier and tier not in PLANNED_TIERS:
        read.problems.append(Problem("one_of", column="tier", value=tier, params={"expected": ", ".join(PLANNED_TIERS)}))
    trainer_id = read.required("id")
    return {"trainer": {
        "id": trainer_id, "name": read.text("name") or trainer_id, "tier": tier,
        "basins": read.parsed("basins", cells.codes, blank=None), "capacity": read.parsed("capacity", cells.count),
        "capacity_by_wave": {}, "trained": read.text("trained") == "y",
    }}


def _trainer_remove(read: _Reader) -> Edit:
    return {"trainer": read.required("trainer")}


def _cascade(read: _Reader) -> Edit:
    settings = {name: read.parsed(name, cells.count, blank=None) for name in CASCADE_MINIMUM}
    return {name: value for name, value in settings.items() if value is not None}


def _priority_weights(read: _Reader) -> Edit:
    return {priority: read.parsed(field, cells.decimal) for priority, field in WEIGHT_FIELDS.items()}


def _school(read: _Reader) -> Edit:
    return {"uai": read.required("uai").upper(), "wave": read.optional("wave")}


def _wave_add(read: _Reader) -> Edit:
    start, end = read.parsed("start", cells.day), read.parsed("end", cells.day)
    return {"wave": {
        "id": read.required("id"), "label": read.text("label") or read.text("id"),
        "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
        "max_schools": read.parsed("max_schools", cells.count, blank=None),
        "max_pupils": read.parsed("max_pupils", cells.count, blank=None),
    }}


_READERS: dict[str, Callable[[_Reader], Edit]] = {
    "wave_caps": _wave_caps, "trainer_capacity": _trainer_capacity, "trainer_add": _trainer_add,
    "trainer_remove": _trainer_remove, "cascade": _cascade, "priority_weights": _priority_weights,
    "school_pin": _school, "school_earliest": _school, "school_latest": _school, "wave_add": _wave_add,
}
