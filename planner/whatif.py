"""What-if edits: a scenario changed as a district leader wants to try it, on a copy.

A named scenario stores only its edits, never a copy of the programme, so the same edits can be
applied to next month's data. Each edit is a small JSON object with a `kind` (the vocabulary
below is shared with `planner.relaxation_edits`, which writes relaxations in it). Edits apply in
order, so an edit may name a wave or trainer that an earlier edit added.

Every bad edit is reported at once as `edits[i].field: message`, so that a form, the API or the
command line can say which edit to fix; the input document is never modified and the result
always passes `validate_scenario`.
"""

from __future__ import annotations

import copy
import datetime
import math
import re
from collections.abc import Callable
from typing import Any

from planner.scenario import PRIORITIES, ScenarioError, validate_scenario

Edit = dict[str, Any]
Document = dict[str, Any]

CASCADE_MINIMUM = {
    "teachers_per_session": 1,
    "trainers_per_session": 1,
    "schools_per_leadership_session": 1,
    "trainer_lag": 0,
}
SCHOOL_FIELDS = {"school_pin": "pinned_wave", "school_earliest": "earliest_wave", "school_latest": "latest_wave"}
# The keys each kind accepts besides `kind`; a misspelt key is an error, not a silent no-op.
KEYS = {
    "wave_caps": {"wave", "max_schools", "max_pupils"},
    "trainer_capacity": {"trainer", "wave", "capacity"},
    "trainer_add": {"trainer"},
    "trainer_remove": {"trainer"},
    "cascade": set(CASCADE_MINIMUM),
    "priority_weights": set(PRIORITIES),
    "school_pin": {"uai", "wave"},
    "school_earliest": {"uai", "wave"},
    "school_latest": {"uai", "wave"},
    "wave_add": {"wave"},
}
EDIT_KINDS = tuple(KEYS)
# Keys a kind may leave out (cascade: any of its settings).
OPTIONAL = {"cascade": set(CASCADE_MINIMUM)}
_ENTRY = re.compile(r"^(waves|schools|trainers)\[(\d+)\](.*)$")


class WhatIfError(ValueError):
    """Edits that cannot be applied; `problems` names each bad edit as `edits[i].field: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def apply_edits(scenario: Document, edits: list[Edit]) -> Document:
    """A new `rollout-scenario/1` document: `scenario` with `edits` applied in order.

    Raises WhatIfError listing every bad edit; `scenario` itself is left as it was.
    """
    if not isinstance(edits, list):
        raise WhatIfError([f"edits: expected a list, got {type(edits).__name__}"])
    editor = _Editor(copy.deepcopy(scenario))
    for index, edit in enumerate(edits):
        editor.apply(index, edit)
    if not editor.problems:
        editor.check_result()
    if editor.problems:
        raise WhatIfError(editor.problems)
    return editor.document


class _Editor:
    """Applies edits one by one to a copy, remembering which edit made which entry, so that a
    problem the contract's validation finds in the result is reported against that edit."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[str] = []
        self.added_waves: dict[str, int] = {}
        self.added_trainers: dict[str, int] = {}
        self.school_edits: dict[str, int] = {}

    # -- lookups -----------------------------------------------------------------------------

    def _waves(self) -> list[dict[str, Any]]:
        return self.document["waves"]

    def _trainers(self) -> list[dict[str, Any]]:
        return self.document["trainers"]

    def _wave(self, path: str, wave_id: object, *, nullable: bool) -> tuple[bool, dict[str, Any] | None]:
        """Whether `wave_id` is acceptable, and the wave it names (None for a null wave)."""
        if wave_id is None and nullable:
            return True, None
        for wave in self._waves():
            if wave.get("id") == wave_id:
                return True, wave
        self.problems.append(f"{path}: {wave_id!r} is not a wave id")
        return False, None

    def _trainer(self, path: str, trainer_id: object) -> dict[str, Any] | None:
        for trainer in self._trainers():
            if trainer.get("id") == trainer_id:
                return trainer
        self.problems.append(f"{path}: {trainer_id!r} is not a trainer id")
        return None

    def _integer(self, path: str, value: object, minimum: int, *, nullable: bool = False) -> bool:
        if value is None and nullable:
            return True
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(f"{path}: {value!r} is not an integer" + (" or null" if nullable else ""))
            return False
        if value < minimum:
            self.problems.append(f"{path}: {value!r} is less than {minimum}")
            return False
        return True

    # -- edits -------------------------------------------------------------------------------

    def apply(self, index: int, edit: object) -> None:
        path = f"edits[{index}]"
        if not isinstance(edit, dict):
            self.problems.append(f"{path}: expected an object, got {type(edit).__name__}")
            return
        kind = edit.get("kind")
        if kind not in KEYS:
            self.problems.append(f"{path}.kind: {kind!r} is not an edit kind (one of {', '.join(EDIT_KINDS)})")
            return
        before = len(self.problems)
        for key in sorted(set(edit) - KEYS[kind] - {"kind"}):
            self.problems.append(f"{path}.{key}: not a field of a {kind} edit")
        for key in sorted(KEYS[kind] - OPTIONAL.get(kind, set()) - set(edit)):
            self.problems.append(f"{path}.{key}: missing")
        if len(self.problems) == before:
            self._handlers()[kind](index, path, edit)

    def _handlers(self) -> dict[str, Callable[[int, str, Edit], None]]:
        return {
            "wave_caps": self._wave_caps,
            "trainer_capacity": self._trainer_capacity,
            "trainer_add": self._trainer_add,
            "trainer_remove": self._trainer_remove,
            "cascade": self._cascade,
            "priority_weights": self._priority_weights,
            "school_pin": self._school_window,
            "school_earliest": self._school_window,
            "school_latest": self._school_window,
            "wave_add": self._wave_add,
        }

    def _wave_caps(self, index: int, path: str, edit: Edit) -> None:
        known, wave = self._wave(f"{path}.wave", edit["wave"], nullable=False)
        good = [self._integer(f"{path}.{cap}", edit[cap], 0, nullable=True) for cap in ("max_schools", "max_pupils")]
        if known and all(good) and wave is not None:
            wave["max_schools"], wave["max_pupils"] = edit["max_schools"], edit["max_pupils"]

    def _trainer_capacity(self, index: int, path: str, edit: Edit) -> None:
        trainer = self._trainer(f"{path}.trainer", edit["trainer"])
        known, wave = self._wave(f"{path}.wave", edit["wave"], nullable=True)
        good = self._integer(f"{path}.capacity", edit["capacity"], 0)
        if trainer is None or not known or not good:
            return
        if wave is None:
            trainer["capacity"] = edit["capacity"]
        else:
            by_wave = trainer.get("capacity_by_wave")
            trainer["capacity_by_wave"] = {**(by_wave if isinstance(by_wave, dict) else {}), wave["id"]: edit["capacity"]}

    def _trainer_add(self, index: int, path: str, edit: Edit) -> None:
        trainer = edit["trainer"]
        if not isinstance(trainer, dict):
            self.problems.append(f"{path}.trainer: expected a trainer object, got {type(trainer).__name__}")
            return
        trainer_id = trainer.get("id")
        if not isinstance(trainer_id, str) or not trainer_id:
            self.problems.append(f"{path}.trainer.id: {trainer_id!r} is not a trainer id (a non-empty string)")
            return
        if any(existing.get("id") == trainer_id for existing in self._trainers()):
            self.problems.append(f"{path}.trainer.id: {trainer_id!r} is already a trainer of the scenario")
            return
        basins = trainer.get("basins")
        if isinstance(basins, list):
            known = {school.get("basin") for school in self.document["schools"]}
            for position, basin in enumerate(basins):
                if isinstance(basin, str) and basin not in known:
                    self.problems.append(f"{path}.trainer.basins[{position}]: {basin!r} is not a basin of the scenario's schools")
        self.added_trainers[trainer_id] = index
        self._trainers().append(copy.deepcopy(trainer))

    def _trainer_remove(self, index: int, path: str, edit: Edit) -> None:
        trainer = self._trainer(f"{path}.trainer", edit["trainer"])
        if trainer is not None:
            self._trainers().remove(trainer)
            self.added_trainers.pop(trainer["id"], None)

    def _cascade(self, index: int, path: str, edit: Edit) -> None:
        settings = {key: value for key, value in edit.items() if key != "kind"}
        if not settings:
            self.problems.append(f"{path}: changes nothing (give any of {', '.join(CASCADE_MINIMUM)})")
            return
        if all([self._integer(f"{path}.{key}", value, CASCADE_MINIMUM[key]) for key, value in settings.items()]):
            self.document["cascade"].update(settings)

    def _priority_weights(self, index: int, path: str, edit: Edit) -> None:
        good = True
        for priority in PRIORITIES:
            weight = edit[priority]
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
                self.problems.append(f"{path}.{priority}: {weight!r} is not a finite non-negative number")
                good = False
        if good:
            objective = self.document.setdefault("objective", {})
            objective["priority_weights"] = {priority: float(edit[priority]) for priority in PRIORITIES}

    def _school_window(self, index: int, path: str, edit: Edit) -> None:
        school = next((s for s in self.document["schools"] if s.get("uai") == edit["uai"]), None)
        if school is None:
            self.problems.append(f"{path}.uai: {edit['uai']!r} is not a school of the scenario")
        known, wave = self._wave(f"{path}.wave", edit["wave"], nullable=True)
        if school is not None and known:
            school[SCHOOL_FIELDS[edit["kind"]]] = None if wave is None else wave["id"]
            self.school_edits[school["uai"]] = index

    def _wave_add(self, index: int, path: str, edit: Edit) -> None:
        wave = edit["wave"]
        if not isinstance(wave, dict):
            self.problems.append(f"{path}.wave: expected a wave object, got {type(wave).__name__}")
            return
        wave_id = wave.get("id")
        if not isinstance(wave_id, str) or not wave_id:
            self.problems.append(f"{path}.wave.id: {wave_id!r} is not a wave id (a non-empty string)")
            return
        if any(existing.get("id") == wave_id for existing in self._waves()):
            self.problems.append(f"{path}.wave.id: {wave_id!r} is already a wave of the scenario")
            return
        last = self._waves()[-1] if self._waves() else None
        start, previous_end = _date(wave.get("start")), _date(last.get("end")) if last else None
        if start is not None and previous_end is not None and start <= previous_end:
            self.problems.append(
                f"{path}.wave.start: {wave['start']!r} is not after the end of the last wave "
                f"{last['id']!r} ({last['end']})"
            )
            return
        self.added_waves[wave_id] = index
        self._waves().append({"max_schools": None, "max_pupils": None} | copy.deepcopy(wave))

    # -- the result --------------------------------------------------------------------------

    def check_result(self) -> None:
        """The contract's validation of the edited document, each problem told against its edit."""
        try:
            validate_scenario(self.document)
        except ScenarioError as error:
            self.problems.extend(self._blame(problem) for problem in error.problems)

    def _blame(self, problem: str) -> str:
        """A validation problem of the result, as a problem of the edit that made the entry at fault."""
        location, _, message = problem.partition(": ")
        match = _ENTRY.match(location)
        if match:
            section, position, rest = match.group(1), int(match.group(2)), match.group(3)
            entry = self.document[section][position]
            if section == "waves" and entry.get("id") in self.added_waves:
                return f"edits[{self.added_waves[entry['id']]}].wave{rest}: {message}"
            if section == "trainers" and entry.get("id") in self.added_trainers:
                return f"edits[{self.added_trainers[entry['id']]}].trainer{rest}: {message}"
            if section == "schools" and entry.get("uai") in self.school_edits:
                return f"edits[{self.school_edits[entry['uai']]}].wave: school {entry['uai']}: {rest.lstrip('.')} {message}"
        return f"edits: the edited scenario is not valid: {problem}"


def _date(value: object) -> datetime.date | None:
    """An ISO date, or None when it is not one (the contract's validation then says so)."""
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
