"""The contract's JSON files as the `rollout plan` commands read and write them.

The subcommands (compare, export, replan) must fail the same way on bad input: one line per
problem, naming the file, exit code 2, nothing written. Each problem here is therefore an
InputError whose message names the file, so a command only says what it does with the
documents, not how a broken file is reported.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from planner.checker import check_plan
from planner.scenario import ScenarioError, validate_scenario


class InputError(ValueError):
    """An input file that cannot be used; the message names the file and what is wrong."""


def read_json(path: Path) -> Any:
    """The parsed content of a JSON file, or an InputError saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None


def load_scenario(path: Path) -> dict[str, Any]:
    """A scenario file that passes the contract's validation, as the plain dict the tools share."""
    data = read_json(path)
    try:
        validate_scenario(data, source=str(path))
    except ScenarioError as error:
        raise InputError("\n".join(f"{path}: {problem}" for problem in error.problems)) from None
    return data


def read_plan(path: Path) -> dict[str, Any]:
    """A plan file read without its scenario: only its shape can be checked."""
    data = read_json(path)
    if not isinstance(data, dict) or data.get("format") != "rollout-plan/1":
        raise InputError(f"{path}: not a rollout-plan/1 document (its 'format' field says otherwise)")
    return data


def load_plan(path: Path, scenario: dict[str, Any]) -> dict[str, Any]:
    """A plan file that satisfies the contract for `scenario`.

    Exports go to trainers' calendars and comparisons to decision makers, so a plan that does
    not fit its scenario (another scenario, a hand edit gone wrong) is refused rather than
    reported with numbers that mean nothing.
    """
    data = read_plan(path)
    problems = check_plan(scenario, data)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{path}: does not fit the scenario: {problems[0]}{more}")
    return data


def write_json(path: Path, data: Any) -> None:
    """Write a document as `rollout plan` does: UTF-8, indented, and atomically.

    The file appears whole or not at all, so an interrupted run never leaves half a plan that
    the next tool would read as a broken input.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, path)
