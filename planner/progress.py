"""`rollout-progress/1`: what has happened since a plan was made, as input to a re-plan.

The web app will build this document from the tracker's milestones, and people will write it
by hand in the meantime, so it is small and every problem is reported at once with its path in
the document (`schools[3].wave: ...`), like scenario validation:

```json
{"format": "rollout-progress/1", "as_of": "2027-03-15",
 "schools": [{"uai": "0930001W", "state": "live", "wave": "W1"},
             {"uai": "0930003Y", "state": "not_started"}],
 "trainers_trained": ["AT-2"]}
```

- `as_of`: the date the progress describes (ISO). Waves that start before it have begun.
- `schools`: schools whose state differs from the plan or is worth confirming. `state` is
  `live` or `in_progress` (the school is deploying, in `wave`, required: the wave it is really
  in) or `not_started` (`wave`, optional, is the wave it was expected in, for the reader only).
  A school not listed is taken to follow the plan.
- `trainers_trained`: academic trainers whose platform training is complete (optional).

This module checks the document on its own; `planner.replan` checks it against the scenario.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from planner.uai import uai_problem

FORMAT = "rollout-progress/1"
STATES = ("live", "in_progress", "not_started")
STARTED_STATES = ("live", "in_progress")


class ProgressError(ValueError):
    """A progress document that cannot be used; `problems` lists each problem with its path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class SchoolProgress:
    """Where one school really is: `wave` is set for `live` and `in_progress` schools."""

    uai: str
    state: str
    wave: str | None

    @property
    def started(self) -> bool:
        return self.state in STARTED_STATES


@dataclass(frozen=True)
class RolloutProgress:
    """A checked `rollout-progress/1` document."""

    as_of: datetime.date
    schools: tuple[SchoolProgress, ...]
    trainers_trained: tuple[str, ...] = ()


def parse_progress(data: object) -> RolloutProgress:
    """Check a `rollout-progress/1` document and type it; raise ProgressError listing every problem."""
    if not isinstance(data, dict):
        raise ProgressError(["(document): expected a JSON object"])
    problems: list[str] = []
    if data.get("format") != FORMAT:
        problems.append(f"format: {data.get('format')!r} is not {FORMAT!r}")
    as_of = _date(data.get("as_of"), "as_of", problems)
    schools = _schools(data.get("schools", []), problems)
    trainers = _trainers(data.get("trainers_trained", []), problems)
    if problems or as_of is None:
        raise ProgressError(problems)
    return RolloutProgress(as_of=as_of, schools=schools, trainers_trained=trainers)


def _date(value: object, path: str, problems: list[str]) -> datetime.date | None:
    if value is None:
        problems.append(f"{path}: missing (an ISO date, e.g. 2027-03-15)")
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{path}: {value!r} is not an ISO date (YYYY-MM-DD)")
    return None


def _schools(items: object, problems: list[str]) -> tuple[SchoolProgress, ...]:
    if not isinstance(items, list):
        problems.append("schools: expected a list")
        return ()
    seen: dict[str, int] = {}
    schools = []
    for index, item in enumerate(items):
        path = f"schools[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{path}: expected an object")
            continue
        uai, state, wave = item.get("uai"), item.get("state"), item.get("wave")
        count = len(problems)
        if problem := uai_problem(uai):
            problems.append(f"{path}.uai: {problem}")
        elif uai in seen:
            problems.append(f"{path}.uai: {uai!r} is listed twice (also schools[{seen[uai]}])")
        if state not in STATES:
            problems.append(f"{path}.state: {state!r} is not one of {', '.join(STATES)}")
        if wave is not None and not isinstance(wave, str):
            problems.append(f"{path}.wave: {wave!r} is not a wave id")
        elif wave is None and state in STARTED_STATES:
            problems.append(f"{path}.wave: missing (a {state} school must say which wave it is in)")
        if len(problems) == count:
            seen[uai] = index
            schools.append(SchoolProgress(uai=uai, state=state, wave=wave))
    return tuple(schools)


def _trainers(items: object, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(items, list):
        problems.append("trainers_trained: expected a list of trainer ids")
        return ()
    trained: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item:
            problems.append(f"trainers_trained[{index}]: {item!r} is not a trainer id")
        elif item in trained:
            problems.append(f"trainers_trained[{index}]: {item!r} is listed twice")
        else:
            trained.append(item)
    return tuple(trained)
