"""Exports read back the way their users read them: the csv module, and an iCalendar parser."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner

from planner.cli import export_command
from planner.export import calendar_file_name, plan_to_csv, plan_to_icalendar, spreadsheet_safe
from tiny_scenarios import make_plan, make_scenario

STAMP = datetime.datetime(2027, 1, 2, 9, 30, tzinfo=datetime.timezone.utc)
AWKWARD_NAME = 'Collège Jean-Moulin, annexe; dite "la Tour" \\ Saint-Denis'


def awkward_scenario() -> dict[str, Any]:
    """The hand-made scenario with a school name full of separators and escapes."""
    scenario = make_scenario()
    scenario["schools"][0]["name"] = AWKWARD_NAME
    return scenario


def rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_has_one_row_per_school_in_rollout_order_with_its_trainers_and_leadership() -> None:
    table = rows(plan_to_csv(awkward_scenario(), make_plan()))

    assert [row["uai"] for row in table] == ["0930001W", "0930002X", "0930003Y"]
    first = table[0]
    assert first["name"] == AWKWARD_NAME
    assert (first["basin"], first["priority"], first["pupils"]) == ("Nord", "REP+", "500")
    assert (first["wave"], first["wave_start"], first["wave_end"]) == ("W1", "2027-01-04", "2027-02-12")
    assert (first["trainers"], first["teacher_sessions"]) == ("AT-1 (2)", "2")
    assert (first["leadership_vendor"], first["leadership_wave"]) == ("V-1", "W1")
    assert (table[1]["trainers"], table[1]["leadership_wave"]) == ("AT-2 (2)", "W2")


def test_csv_lists_every_trainer_of_a_school_sorted() -> None:
    scenario, plan = make_scenario(), make_plan()
    scenario["trainers"].append(dict(scenario["trainers"][1], id="AT-0"))
    plan["teacher_sessions"][0]["sessions"] = 1
    plan["teacher_sessions"].append({"trainer": "AT-0", "uai": "0930001W", "wave": "W1", "sessions": 1})

    first = rows(plan_to_csv(scenario, plan))[0]

    assert (first["trainers"], first["teacher_sessions"]) == ("AT-0 (1), AT-1 (1)", "2")


def test_excel_csv_starts_with_a_bom_and_uses_semicolons() -> None:
    text = plan_to_csv(awkward_scenario(), make_plan(), excel=True)

    assert text.startswith("\ufeffuai;name;basin;")
    table = rows(text.removeprefix("\ufeff"), delimiter=";")
    assert table[0]["name"] == AWKWARD_NAME
    assert len(table) == 3


def parse_calendar(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def events(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def test_academic_calendar_has_one_all_day_event_per_school_spanning_the_wave() -> None:
    text = plan_to_icalendar(awkward_scenario(), make_plan(), "AT-1", stamp=STAMP)

    found = events(parse_calendar(text))
    assert len(found) == 2
    first = found[0]
    assert str(first["summary"]) == f"Formation des enseignants — {AWKWARD_NAME} (2 sessions)"
    assert first.decoded("dtstart") == datetime.date(2027, 1, 4)
    assert first.decoded("dtend") == datetime.date(2027, 2, 13)
    assert first.decoded("dtstamp") == STAMP
    assert "DTSTART;VALUE=DATE:20270104" in text
    assert str(found[1]["summary"]) == "Formation des enseignants — C (1 session)"


def test_calendar_text_is_escaped_folded_and_crlf_terminated() -> None:
    text = plan_to_icalendar(awkward_scenario(), make_plan(), "AT-1", stamp=STAMP)

    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "Jean-Moulin\\, annexe\\; dite" in unfolded and "\\\\ Saint-Denis" in unfolded
    description = str(events(parse_calendar(text))[0]["description"])
    assert "\n" in description and "(0930001W), bassin Nord" in description


def test_vendor_calendar_has_one_event_per_session() -> None:
    found = events(parse_calendar(plan_to_icalendar(make_scenario(), make_plan(), "V-1", stamp=STAMP)))

    summaries = [str(event["summary"]) for event in found]
    assert summaries == [
        "Formation de formateurs académiques — 1 formateur",
        "Formation des équipes de direction — 2 établissements",
        "Formation des équipes de direction — 1 établissement",
    ]
    assert "South" in str(found[0]["description"])
    assert found[2].decoded("dtstart") == datetime.date(2027, 3, 1)
    assert len({str(event["uid"]) for event in found}) == 3


def test_uids_are_stable_across_runs_and_distinct_across_scenarios() -> None:
    first = plan_to_icalendar(make_scenario(), make_plan(), "V-1", stamp=STAMP)
    again = plan_to_icalendar(make_scenario(), make_plan(), "V-1")
    renamed = make_scenario() | {"name": "other"}
    other = plan_to_icalendar(renamed, make_plan(), "V-1", stamp=STAMP)

    def uids(text: str) -> list[str]:
        return [str(event["uid"]) for event in events(parse_calendar(text))]

    assert uids(first) == uids(again)
    assert not set(uids(first)) & set(uids(other))


def test_a_trainer_without_sessions_gets_an_empty_calendar() -> None:
    plan = make_plan()
    plan["teacher_sessions"] = [s for s in plan["teacher_sessions"] if s["trainer"] != "AT-2"]

    assert events(parse_calendar(plan_to_icalendar(make_scenario(), plan, "AT-2"))) == []


def write_inputs(tmp_path: Path, plan: dict[str, Any] | None = None) -> tuple[str, str]:
    scenario_path, plan_path = tmp_path / "scenario.json", tmp_path / "plan.json"
    scenario_path.write_text(json.dumps(awkward_scenario()), encoding="utf-8")
    plan_path.write_text(json.dumps(plan or make_plan()), encoding="utf-8")
    return str(scenario_path), str(plan_path)


def test_export_command_writes_the_excel_csv_and_one_calendar_per_trainer(tmp_path: Path) -> None:
    scenario_path, plan_path = write_inputs(tmp_path)
    out, calendars = tmp_path / "plan.csv", tmp_path / "agendas"

    result = CliRunner().invoke(
        export_command, [scenario_path, plan_path, "--csv", str(out), "--excel", "--ical-dir", str(calendars)]
    )

    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfuai;")
    assert sorted(p.name for p in calendars.iterdir()) == ["AT-1.ics", "AT-2.ics", "V-1.ics"]
    assert b"\r\n" in (calendars / "AT-1.ics").read_bytes()


@pytest.mark.parametrize(
    ("plan_change", "message"),
    [
        (lambda plan: plan["assignments"].pop(), "does not fit the scenario: school 0930003Y is not assigned"),
        (lambda plan: plan.update(format="other"), "not a rollout-plan/1 document"),
    ],
)
def test_export_command_refuses_a_plan_that_does_not_fit_and_writes_nothing(tmp_path: Path, plan_change, message) -> None:
    plan = make_plan()
    plan_change(plan)
    scenario_path, plan_path = write_inputs(tmp_path, plan)

    result = CliRunner().invoke(export_command, [scenario_path, plan_path, "--csv", str(tmp_path / "out.csv")])

    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()


def test_export_command_needs_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(export_command, list(write_inputs(tmp_path)))

    assert result.exit_code == 2
    assert "--csv" in result.output


def test_calendar_file_names_are_safe() -> None:
    assert calendar_file_name("AT/04 Nord") == "AT_04_Nord.ics"


def test_a_plan_that_was_not_found_has_nothing_to_export() -> None:
    plan = make_plan() | {"status": "INFEASIBLE", "assignments": []}

    with pytest.raises(ValueError, match="no schools to export"):
        plan_to_csv(make_scenario(), plan)


def test_an_invalid_scenario_is_reported_with_its_file_and_path(tmp_path: Path) -> None:
    scenario = make_scenario()
    scenario["schools"][0]["uai"] = "0930001A"
    _, plan_path = write_inputs(tmp_path)
    scenario_path = tmp_path / "scenario.json"
    scenario_path.write_text(json.dumps(scenario), encoding="utf-8")

    result = CliRunner().invoke(export_command, [str(scenario_path), plan_path, "--csv", str(tmp_path / "out.csv")])

    assert result.exit_code == 2
    assert f"{scenario_path}: schools[0].uai: '0930001A' has a wrong check letter (expected W)" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_a_school_name_a_spreadsheet_would_run_is_written_after_a_quote() -> None:
    scenario = make_scenario()
    scenario["schools"][0]["name"] = '=HYPERLINK("http://x","clic")'
    for text, delimiter in ((plan_to_csv(scenario, make_plan()), ","), (plan_to_csv(scenario, make_plan(), excel=True)[1:], ";")):
        names = {row["uai"]: row["name"] for row in rows(text, delimiter)}
        assert names[scenario["schools"][0]["uai"]] == "'" + scenario["schools"][0]["name"]
    assert [spreadsheet_safe(value) for value in ("+1", "-x", "@a", "\tb", "\rc", "Collège", -3, 2.5)] == [
        "'+1", "'-x", "'@a", "'\tb", "'\rc", "Collège", -3, 2.5]
