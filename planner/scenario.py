"""The `rollout-scenario/1` contract as typed data, and its validation.

Validation reports every problem at once, each prefixed with the JSON path of the entry at
fault (`schools[17].uai: ...`), because a district leader fixes a scenario file in one pass
only if the planner lists everything wrong with it, in the file's own terms. Pydantic checks
the types of each entry separately (so one bad school does not hide the others); the
cross-entry rules (unique ids, known wave ids, windows) are checked afterwards on the entries
that parsed.
"""

from __future__ import annotations

import datetime
import math
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from planner.uai import uai_problem

FORMAT = "rollout-scenario/1"
PRIORITIES = ("none", "REP", "REP+")
TIERS = ("vendor", "academic")


class ScenarioError(ValueError):
    """A scenario that breaks the contract; `problems` lists every problem found, with its path.

    Its text is one line per problem, each naming the source file, so that a user can jump to
    every entry at fault from the message alone.
    """

    def __init__(self, problems: list[str], *, source: str = "scenario") -> None:
        self.problems = problems
        self.source = source
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))


class _Entry(BaseModel):
    """Contract entries accept extra fields: the planner may ignore what it does not know."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Wave(_Entry):
    """A training wave; the list order is the rollout order."""

    id: StrictStr = Field(min_length=1)
    start: datetime.date
    end: datetime.date
    max_schools: StrictInt | None = Field(default=None, ge=0)
    max_pupils: StrictInt | None = Field(default=None, ge=0)


class School(_Entry):
    """A school to roll out, with the window in which its equipment and deadline allow it."""

    uai: StrictStr
    name: StrictStr = ""
    basin: StrictStr = Field(min_length=1)
    pupils: StrictInt = Field(ge=0)
    teachers: StrictInt = Field(ge=1)
    priority: Literal["none", "REP", "REP+"]
    earliest_wave: StrictStr | None = None
    latest_wave: StrictStr | None = None
    pinned_wave: StrictStr | None = None


def starts_trained(tier: str, trained: bool) -> bool:
    """Whether a trainer is trained on the platform from the start: vendor trainers always are.

    A plain function so that whoever writes a scenario (the database's bridge in
    `rollout.planning.scenario`) applies the same rule as the planner.
    """
    return tier == "vendor" or trained


class Trainer(_Entry):
    """A vendor or academic trainer and the sessions it can run per wave."""

    id: StrictStr = Field(min_length=1)
    name: StrictStr = ""
    tier: Literal["vendor", "academic"]
    basins: list[StrictStr] | None = None
    capacity: StrictInt = Field(ge=0)
    capacity_by_wave: dict[str, StrictInt] = Field(default_factory=dict)
    trained: StrictBool = False

    def capacity_in(self, wave_id: str) -> int:
        """Sessions this trainer can run in a wave, after the per-wave override."""
        return self.capacity_by_wave.get(wave_id, self.capacity)

    def serves(self, basin: str) -> bool:
        """Whether this trainer may train teachers of `basin` (vendors train none)."""
        return self.tier == "academic" and (self.basins is None or basin in self.basins)

    @property
    def starts_trained(self) -> bool:
        """Vendor trainers are always trained on the platform."""
        return starts_trained(self.tier, self.trained)


class Cascade(_Entry):
    """The sizes of the train-the-trainer cascade."""

    teachers_per_session: StrictInt = Field(ge=1)
    trainers_per_session: StrictInt = Field(ge=1)
    schools_per_leadership_session: StrictInt = Field(ge=1)
    trainer_lag: StrictInt = Field(ge=0)


class Objective(_Entry):
    """Priority weights of the objective; a missing weight is 1."""

    priority_weights: dict[str, Annotated[float, Field(strict=True)]] = Field(default_factory=dict)

    def weight(self, priority: str) -> float:
        """The weight of a priority; the contract makes a missing weight 1."""
        return self.priority_weights.get(priority, 1.0)


class Scenario(_Entry):
    """A validated scenario; build it with `validate_scenario`, which reports every problem."""

    format: Literal["rollout-scenario/1"]
    name: StrictStr = ""
    waves: list[Wave] = Field(min_length=1)
    schools: list[School]
    trainers: list[Trainer]
    cascade: Cascade
    objective: Objective = Field(default_factory=Objective)

    @cached_property
    def wave_index(self) -> dict[str, int]:
        """0-based position of each wave id, the unit of the objective and of `trainer_lag`."""
        return {wave.id: position for position, wave in enumerate(self.waves)}

    def window(self, school: School) -> tuple[int, int]:
        """First and last wave positions allowed for a school (pinned, earliest, latest)."""
        if school.pinned_wave is not None:
            pinned = self.wave_index[school.pinned_wave]
            return pinned, pinned
        first = self.wave_index[school.earliest_wave] if school.earliest_wave else 0
        last = self.wave_index[school.latest_wave] if school.latest_wave else len(self.waves) - 1
        return first, last

    def sessions_needed(self, school: School) -> int:
        """Teacher-training sessions a school needs (rule 3)."""
        return -(-school.teachers // self.cascade.teachers_per_session)

    @property
    def vendors(self) -> list[Trainer]:
        return [trainer for trainer in self.trainers if trainer.tier == "vendor"]

    @property
    def academics(self) -> list[Trainer]:
        return [trainer for trainer in self.trainers if trainer.tier == "academic"]


def validate_scenario(data: dict, *, source: str = "scenario") -> Scenario:
    """Type and cross-check a `rollout-scenario/1` document; raise ScenarioError listing all problems."""
    if not isinstance(data, dict):
        raise ScenarioError([f"(document): expected a JSON object, got {_kind(data)}"], source=source)
    problems: list[str] = []
    if data.get("format") != FORMAT:
        if "format" not in data:
            problems.append("format: missing (expected 'rollout-scenario/1')")
        else:
            problems.append(f"format: {data['format']!r} is not {FORMAT!r}")
    if "name" in data and not isinstance(data["name"], str):
        problems.append(f"name: {data['name']!r} is not a string")
    waves = _entries(data, "waves", Wave, problems)
    schools = _entries(data, "schools", School, problems)
    trainers = _entries(data, "trainers", Trainer, problems)
    _single(data, "cascade", Cascade, problems, required=True)
    _single(data, "objective", Objective, problems, required=False)
    if "waves" in data and isinstance(data["waves"], list) and not data["waves"]:
        problems.append("waves: the list is empty (at least one wave is needed)")
    wave_ids = _check_waves(waves, problems)
    _check_schools(schools, wave_ids, problems)
    _check_trainers(trainers, wave_ids, problems)
    _check_weights(data.get("objective"), problems)
    if problems:
        raise ScenarioError(sorted(problems, key=_path_order), source=source)
    return Scenario.model_validate(data)


def _entries(data: dict, field: str, model: type[_Entry], problems: list[str]) -> list[tuple[int, Any]]:
    """Validate each entry of a list field on its own, so one bad entry hides no other."""
    if field not in data:
        problems.append(f"{field}: missing")
        return []
    items = data[field]
    if not isinstance(items, list):
        problems.append(f"{field}: expected a list, got {_kind(items)}")
        return []
    parsed = []
    for index, item in enumerate(items):
        entry = _parse(model, item, f"{field}[{index}]", problems)
        if entry is not None:
            parsed.append((index, entry))
    return parsed


def _single(data: dict, field: str, model: type[_Entry], problems: list[str], *, required: bool) -> Any:
    if field not in data:
        if required:
            problems.append(f"{field}: missing")
        return None
    return _parse(model, data[field], field, problems)


def _parse(model: type[_Entry], item: object, path: str, problems: list[str]) -> Any:
    """The typed entry, or when some fields are wrong, a partial entry of the well-typed ones.

    The partial entry lets the cross-entry checks run on what is right: a wave with a bad date
    still defines its id, so the schools that name it are not reported as well.
    """
    if not isinstance(item, dict):
        problems.append(f"{path}: expected an object, got {_kind(item)}")
        return None
    try:
        return model.model_validate(item)
    except ValidationError as error:
        for detail in error.errors():
            problems.append(f"{_join(path, detail['loc'])}: {_phrase(detail)}")
        bad = {detail["loc"][0] for detail in error.errors() if detail["loc"]}
        return model.model_construct(**{key: value for key, value in item.items() if key not in bad})


def _join(path: str, loc: tuple) -> str:
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _phrase(detail: dict) -> str:
    """Turn a pydantic error into the contract's plain phrasing."""
    kind, value, ctx = detail["type"], detail.get("input"), detail.get("ctx", {})
    if kind == "missing":
        return "missing"
    if kind == "greater_than_equal":
        limit = ctx.get("ge")
        return f"{value!r} is negative" if limit == 0 else f"{value!r} is less than {limit}"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return f"{value!r} is not an integer"
    if kind in ("string_type",):
        return f"{value!r} is not a string"
    if kind == "string_too_short":
        return "is empty"
    if kind == "bool_type":
        return f"{value!r} is not true or false"
    if kind == "literal_error":
        return f"{value!r} is not one of {ctx.get('expected')}"
    if kind.startswith("date"):
        return f"{value!r} is not an ISO date (YYYY-MM-DD)"
    if kind in ("list_type", "dict_type", "float_type", "float_parsing"):
        expected = {"list_type": "a list", "dict_type": "an object"}.get(kind, "a number")
        return f"{value!r} is not {expected}"
    return f"{value!r}: {detail['msg']}"


_SECTIONS = ("format", "name", "waves", "schools", "trainers", "cascade", "objective")


def _path_order(problem: str) -> tuple[int, int]:
    """Sort problems as they appear in the file: by section, then by entry index (stable within)."""
    section, _, rest = problem.partition(":")[0].partition("[")
    section = section.split(".")[0]
    rank = _SECTIONS.index(section) if section in _SECTIONS else len(_SECTIONS)
    index = int(rest.split("]")[0]) if rest.split("]")[0].isdigit() else -1
    return rank, index


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _check_waves(waves: list[tuple[int, Wave]], problems: list[str]) -> dict[str, int]:
    """Unique wave ids and forward dates; return the position of each known wave id."""
    positions: dict[str, int] = {}
    for index, wave in waves:
        if not hasattr(wave, "id"):
            continue
        if wave.id in positions:
            problems.append(f"waves[{index}].id: {wave.id!r} is a duplicate (also waves[{positions[wave.id]}])")
        else:
            positions[wave.id] = index
        start, end = getattr(wave, "start", None), getattr(wave, "end", None)
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            problems.append(f"waves[{index}].end: {wave.end} is before start {wave.start}")
    return positions


def _check_schools(schools: list[tuple[int, School]], wave_ids: dict[str, int], problems: list[str]) -> None:
    seen: dict[str, int] = {}
    for index, school in schools:
        path = f"schools[{index}]"
        if not hasattr(school, "uai"):
            pass
        elif problem := uai_problem(school.uai):
            problems.append(f"{path}.uai: {problem}")
        elif school.uai in seen:
            problems.append(f"{path}.uai: {school.uai!r} is a duplicate (also schools[{seen[school.uai]}])")
        else:
            seen[school.uai] = index
        known: dict[str, int] = {}
        for field in ("earliest_wave", "latest_wave", "pinned_wave"):
            wave_id = getattr(school, field)
            if wave_id is None:
                continue
            if wave_id not in wave_ids:
                problems.append(f"{path}.{field}: {wave_id!r} is not a wave id")
            else:
                known[field] = wave_ids[wave_id]
        earliest, latest, pinned = (known.get(f) for f in ("earliest_wave", "latest_wave", "pinned_wave"))
        if earliest is not None and latest is not None and earliest > latest:
            problems.append(
                f"{path}.earliest_wave: {school.earliest_wave!r} is after latest_wave {school.latest_wave!r}"
            )
        if pinned is not None and earliest is not None and pinned < earliest:
            problems.append(
                f"{path}.pinned_wave: {school.pinned_wave!r} is before earliest_wave {school.earliest_wave!r}"
            )
        if pinned is not None and latest is not None and pinned > latest:
            problems.append(
                f"{path}.pinned_wave: {school.pinned_wave!r} is after latest_wave {school.latest_wave!r}"
            )


def _check_trainers(trainers: list[tuple[int, Trainer]], wave_ids: dict[str, int], problems: list[str]) -> None:
    seen: dict[str, int] = {}
    for index, trainer in trainers:
        path = f"trainers[{index}]"
        if not hasattr(trainer, "id"):
            pass
        elif trainer.id in seen:
            problems.append(f"{path}.id: {trainer.id!r} is a duplicate (also trainers[{seen[trainer.id]}])")
        else:
            seen[trainer.id] = index
        for wave_id, capacity in trainer.capacity_by_wave.items():
            if wave_id not in wave_ids:
                problems.append(f"{path}.capacity_by_wave.{wave_id}: {wave_id!r} is not a wave id")
            if capacity < 0:
                problems.append(f"{path}.capacity_by_wave.{wave_id}: {capacity} is negative")


def _check_weights(objective: object, problems: list[str]) -> None:
    """Weights must be known priorities with finite, non-negative values (else minimising is meaningless)."""
    if not isinstance(objective, dict) or not isinstance(objective.get("priority_weights"), dict):
        return
    for priority, weight in objective["priority_weights"].items():
        path = f"objective.priority_weights.{priority}"
        if priority not in PRIORITIES:
            problems.append(f"{path}: {priority!r} is not a priority (one of {', '.join(PRIORITIES)})")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            continue
        if not math.isfinite(weight) or weight < 0:
            problems.append(f"{path}: {weight!r} is not a finite non-negative number")
