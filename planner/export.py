"""Export a plan for the people who carry it out: a CSV table of schools and one calendar per trainer.

The CSV is what a district office opens in a spreadsheet; `excel=True` writes what French
Excel opens correctly on a double click (a UTF-8 byte-order mark, so accents survive, and `;`
separators, because `,` is the decimal separator there). The calendars (RFC 5545, written by
the `icalendar` package, which handles escaping, CRLF and line folding) put each trainer's
sessions in their agenda as all-day events spanning the wave, since the plan decides the wave
and the trainer and school settle the day.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping

import icalendar

from planner.plan import PLANNED

CSV_COLUMNS = (
    "uai",
    "name",
    "basin",
    "priority",
    "pupils",
    "wave",
    "wave_start",
    "wave_end",
    "trainers",
    "teacher_sessions",
    "leadership_vendor",
    "leadership_wave",
)
PRODID = "-//rollout//Plan de déploiement ENT//FR"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
    carriage return), after a single quote; anything else as it is. A school or plan name comes
    from someone's file, and opening a plan must never run what it holds (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plan_rows(scenario: dict[str, Any], plan: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row of CSV_COLUMNS per school, in rollout order (wave, then UAI), with who trains it
    and when; cells as they are, for a writer that neutralises them (`plan_to_csv`, or the
    application's XLSX writer)."""
    _require_plan(plan)
    waves = {wave["id"]: wave for wave in scenario["waves"]}
    position = {wave_id: index for index, wave_id in enumerate(waves)}
    wave_of = {a["uai"]: a["wave"] for a in plan["assignments"]}
    trainers: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for entry in plan["teacher_sessions"]:
        trainers[entry["uai"]].append((entry["trainer"], entry["sessions"]))
    leadership = {uai: entry for entry in plan["leadership_training"] for uai in entry["schools"]}
    rows = []
    for school in sorted(scenario["schools"], key=lambda s: (position[wave_of[s["uai"]]], s["uai"])):
        wave = waves[wave_of[school["uai"]]]
        runs = sorted(trainers[school["uai"]])
        lead = leadership.get(school["uai"])
        rows.append((
            school["uai"],
            school.get("name", ""),
            school["basin"],
            school["priority"],
            school["pupils"],
            wave["id"],
            wave["start"],
            wave["end"],
            ", ".join(f"{trainer} ({sessions})" for trainer, sessions in runs),
            sum(sessions for _, sessions in runs),
            lead["vendor"] if lead else "",
            lead["wave"] if lead else "",
        ))
    return rows


def plan_to_csv(scenario: dict[str, Any], plan: dict[str, Any], *, excel: bool = False) -> str:
    """`plan_rows` under a header, every cell spreadsheet-safe.

    With `excel`, the text starts with a byte-order mark and uses `;`; otherwise it is plain
    RFC 4180 CSV with `,`. Either way rows end with CRLF, as the csv module writes them.
    """
    rows = plan_rows(scenario, plan)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",")
    writer.writerow(CSV_COLUMNS)
    for cells in rows:
        writer.writerow(spreadsheet_safe(cell) for cell in cells)
    return ("\ufeff" if excel else "") + buffer.getvalue()


@dataclass(frozen=True)
class EventState:
    """What was recorded of a planned event, as its calendar entry tells it."""

    note: str
    cancelled: bool = False


@dataclass(frozen=True)
class _Event:
    """One calendar entry before it is written: what, when (inclusive dates) and its identity."""

    key: tuple[str, ...]
    summary: str
    description: str
    start: datetime.date
    end: datetime.date


def plan_to_icalendar(
    scenario: dict[str, Any],
    plan: dict[str, Any],
    trainer_id: str,
    *,
    stamp: datetime.datetime | None = None,
    states: Mapping[tuple[str, ...], EventState] | None = None,
) -> str:
    """The trainer's sessions as an iCalendar file (RFC 5545), all-day events over each wave.

    An academic trainer gets one event per school it trains (its sessions there are counted
    in the title); a vendor gets one event per session it runs. Each UID is a digest of the
    scenario name, the trainer, the wave and the school or session, so exporting the same plan
    again gives the same UIDs and a calendar that imports it twice does not show doubles.
    `stamp` (DTSTAMP, when the file was made) defaults to now. `states` tells, by an event's key
    (`("teachers", wave, uai)`, `("trainers"|"leadership", wave, n)` with n from 1 in the plan's
    order), what was recorded of it: its note ends the description, and a cancelled one is
    STATUS:CANCELLED, so that a subscribed calendar keeps the plan and shows what became of it.
    """
    _require_plan(plan)
    states = states or {}
    trainer = next((t for t in scenario["trainers"] if t["id"] == trainer_id), None)
    if trainer is None:
        raise KeyError(f"{trainer_id!r} is not a trainer of the scenario")
    stamp = stamp or datetime.datetime.now(datetime.timezone.utc)
    events = _vendor_events(scenario, plan, trainer_id) if trainer["tier"] == "vendor" else _academic_events(
        scenario, plan, trainer_id
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Formations ENT — {trainer.get('name') or trainer_id}")
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", _uid(scenario.get("name", ""), trainer_id, *event.key))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.start)
        entry.add("dtend", event.end + datetime.timedelta(days=1))
        entry.add("summary", event.summary)
        state = states.get(event.key)
        entry.add("description", f"{event.description}\n{state.note}" if state else event.description)
        if state is not None and state.cancelled:
            entry.add("status", "CANCELLED")
        entry.add("transp", "TRANSPARENT")
        calendar.add_component(entry)
    return calendar.to_ical().decode("utf-8")


def _require_plan(plan: dict[str, Any]) -> None:
    """Only a found plan has schools and sessions to export; say so instead of failing on a key."""
    if plan.get("status") not in PLANNED:
        raise ValueError(f"the plan has no schools to export (status {plan.get('status')})")


def _academic_events(scenario: dict[str, Any], plan: dict[str, Any], trainer_id: str) -> list[_Event]:
    """One event per (school, wave): the trainer settles the days with the school within the wave."""
    waves = _wave_dates(scenario)
    schools = {school["uai"]: school for school in scenario["schools"]}
    events = []
    for entry in plan["teacher_sessions"]:
        if entry["trainer"] != trainer_id:
            continue
        school = schools[entry["uai"]]
        count = entry["sessions"]
        start, end = waves[entry["wave"]]
        events.append(
            _Event(
                key=("teachers", entry["wave"], entry["uai"]),
                summary=f"Formation des enseignants — {school.get('name') or entry['uai']} ({_count(count, 'session')})",
                description=(
                    f"Établissement : {school.get('name', '')} ({entry['uai']}), bassin {school['basin']}.\n"
                    f"{_count(school['teachers'], 'enseignant')}, {_count(count, 'session')} "
                    f"à placer dans la vague {entry['wave']} ({start:%d/%m/%Y} – {end:%d/%m/%Y})."
                ),
                start=start,
                end=end,
            )
        )
    return sorted(events, key=lambda event: event.start)


def _vendor_events(scenario: dict[str, Any], plan: dict[str, Any], trainer_id: str) -> list[_Event]:
    """One event per vendor session, numbered within its wave so that two sessions stay distinct."""
    waves = _wave_dates(scenario)
    names = {school["uai"]: school.get("name") or school["uai"] for school in scenario["schools"]}
    trainer_names = {t["id"]: t.get("name") or t["id"] for t in scenario["trainers"]}
    events = []
    numbers: dict[tuple[str, str], int] = defaultdict(int)
    for entry in plan["trainer_training"]:
        if entry["vendor"] == trainer_id:
            numbers["trainers", entry["wave"]] += 1
            people = ", ".join(trainer_names.get(t, t) for t in entry["trainers"])
            events.append(
                _Event(
                    key=("trainers", entry["wave"], str(numbers["trainers", entry["wave"]])),
                    summary=f"Formation de formateurs académiques — {_count(len(entry['trainers']), 'formateur')}",
                    description=f"Formateurs : {people}.\nVague {entry['wave']}.",
                    start=waves[entry["wave"]][0],
                    end=waves[entry["wave"]][1],
                )
            )
    for entry in plan["leadership_training"]:
        if entry["vendor"] == trainer_id:
            numbers["leadership", entry["wave"]] += 1
            colleges = ", ".join(f"{names.get(uai, uai)} ({uai})" for uai in entry["schools"])
            events.append(
                _Event(
                    key=("leadership", entry["wave"], str(numbers["leadership", entry["wave"]])),
                    summary=f"Formation des équipes de direction — {_count(len(entry['schools']), 'établissement')}",
                    description=f"Établissements : {colleges}.\nVague {entry['wave']}.",
                    start=waves[entry["wave"]][0],
                    end=waves[entry["wave"]][1],
                )
            )
    return sorted(events, key=lambda event: event.start)


def _count(number: int, noun: str) -> str:
    """A French count with the noun agreed ("1 session", "2 sessions"), as a calendar title reads."""
    return f"{number} {noun}{'s' if number > 1 else ''}"


def _wave_dates(scenario: dict[str, Any]) -> dict[str, tuple[datetime.date, datetime.date]]:
    return {
        wave["id"]: (datetime.date.fromisoformat(wave["start"]), datetime.date.fromisoformat(wave["end"]))
        for wave in scenario["waves"]
    }


def _uid(*parts: str) -> str:
    """A globally unique, run-independent event identifier (RFC 5545 asks for one per event)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{digest}@rollout"


def calendar_file_name(trainer_id: str) -> str:
    """A file name for a trainer's calendar that is safe on every system, whatever the id holds."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", trainer_id) + ".ics"
