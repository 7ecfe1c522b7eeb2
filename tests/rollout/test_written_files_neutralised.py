"""Every CSV and XLSX the product writes neutralises text a spreadsheet would run as a formula.

A programme whose names, labels, codes and notes are hostile (`=HYPERLINK(…)`, `+1`, `-1`,
`@SUM(1)`, a leading tab or carriage return) is downloaded through every download route of
`app.url_map`, and through the planner's exports of its plan; each file is parsed and no text
cell may start with `=`, `+`, `-`, `@`, a tab or a carriage return unless it is a number. A
new download route fails this test until it is listed here.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session, select

from planner.compare import compare_plans
from planner.export import plan_to_csv
from rollout.core.author import Author
from rollout.imports.routes import DOWNLOADS
from rollout.planning import tasks
from rollout.planning.runs import run_plan
from rollout.models import (
    AuditEvent,
    Basin,
    Milestone,
    Plan,
    Programme,
    School,
    Trainer,
    UsageRecord,
    Wave,
)
from rollout.sharing.links import create_link
from rollout.usage import taxonomy

HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)", "\tx", "\rx")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")
DOWNLOAD_NAMES = re.compile(r"export|report|download|file")
DASHBOARD_FIGURES = ("plan_vs_actual", "wave_timeline", "cascade", "usage_by_category", "pedagogical_share", "school_map",
                     "equity", "leadership", "leadership_schools", "trainer_load")
SCHOOL_FIGURES = ("school_milestones", "school_history", "school_services", "school_profiles", "school_adoption",
                  "school_years")
DASHBOARD_CSVS = [f"{figure}.csv" for figure in DASHBOARD_FIGURES] + [f"{figure}.csv?school={{school}}"
                                                                       for figure in SCHOOL_FIGURES]
SPREADSHEETS = {
    "imports.download": [f"/programmes/{{programme}}/export/{resource}.{fmt}"
                         for resource in DOWNLOADS for fmt in ("csv", "xlsx")],
    "usage.report_page": [f"/programmes/{{programme}}/usage/report?format=csv&by={by}"
                          for by in ("school", "month", "category")],
    "dashboards.figure_csv": [f"/programmes/{{programme}}/dashboard/{csv}" for csv in DASHBOARD_CSVS],
    "shared.figure_csv": [f"/partage/{{secret}}/{csv}" for csv in DASHBOARD_CSVS if not csv.startswith("school_history")],
}
"""Every route that writes a spreadsheet, with the URLs that cover each of its forms."""
WITHOUT_PROGRAMME_TEXT = ("by=category", "by=month", "/plan_vs_actual.csv", "/wave_timeline.csv", "/cascade.csv",
                          "/usage_by_category.csv", "/equity.csv", "/leadership.csv", "/leadership_schools.csv",
                          "/school_milestones.csv", "/school_services.csv", "/school_profiles.csv", "/school_adoption.csv",
                          "/school_years.csv")
"""Files of numbers, dates and the product's own words only (no school is live in the hostile
programme, so the wave timeline and the leadership groups list none; a school's usage is counted
by category): nothing of the programme to neutralise."""
NOT_SPREADSHEETS = {
    "api_v1.get_usage_report": "/api/v1/usage/report?programme={programme}",
    "planning.scenario_file": "/programmes/{programme}/plans/{plan}/scenario.json",
    "planning.plan_file": "/programmes/{programme}/plans/{plan}/plan.json",
    "scenarios.export": "/programmes/{programme}/scenarios/{scenario}/scenario.json",
}
"""Download routes that write JSON, which no spreadsheet runs (checked to stay JSON)."""
PLAN_SPREADSHEETS = {
    "planning.plan_table": [f"/programmes/{{programme}}/plans/{{plan}}/plan.{fmt}" for fmt in ("csv", "xlsx")],
    "planning.figure_csv": [f"/programmes/{{programme}}/plans/{{plan}}/figures/{name}.csv"
                            for name in ("plan_map", "plan_pupils", "plan_trainers", "plan_vendor")],
}
"""Spreadsheets of a solved plan, downloaded from the plan the planner's test below solves."""


def _hostile(engine: sa.Engine, world) -> None:
    """Give every text the downloads write a hostile value, codes included."""
    with Session(engine) as session:
        for index, school in enumerate(session.exec(select(School).where(School.programme_id == world.programme_id))):
            school.name, school.commune = HOSTILE[index % 6], HOSTILE[(index + 1) % 6]
            school.previous_platform, school.head_teacher_name = HOSTILE[(index + 2) % 6], HOSTILE[(index + 3) % 6]
            session.add(Milestone(school_id=school.id, kind="leadership_briefed", status="in_progress", note=HOSTILE[index % 6]))
            session.add(UsageRecord(school_id=school.id, period_start=date(2016, 3, 7), service=HOSTILE[index % 6],
                                    profile="National_ENS", audience="teacher", visits=3, visitors=1))
        for model, fields in ((Basin, ("code", "name")), (Wave, ("code", "label")), (Trainer, ("code", "name", "email"))):
            for index, record in enumerate(session.exec(select(model).where(model.programme_id == world.programme_id))):
                for offset, name in enumerate(fields):
                    setattr(record, name, f"{HOSTILE[(index + offset) % 6]}{index}")
        first = session.exec(select(School).where(School.programme_id == world.programme_id, School.uai == world.uais[0])).one()
        session.add(AuditEvent(actor=HOSTILE[1], channel="form", district_id=world.district_id, entity="school",
                               entity_id=str(first.id), action="update", changes={"commune": [None, HOSTILE[2]]}))
        wave = session.exec(select(Wave.code).where(Wave.programme_id == world.programme_id)).first()
        trainers = session.exec(select(Trainer.code).where(Trainer.programme_id == world.programme_id)).all()
        session.add(Plan(programme_id=world.programme_id, name=HOSTILE[3], status="optimal", scenario={}, is_baseline=True,
                         result={"assignments": [], "teacher_sessions": [
                             {"trainer": code, "uai": world.uais[0], "wave": wave, "sessions": 1} for code in trainers]}))
        session.flush()
        taxonomy.summarise_programme(session, programme_id=world.programme_id)
        session.commit()


def _download_routes(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.rule.endswith((".csv", ".xlsx", ".<fmt>")) or DOWNLOAD_NAMES.search(rule.endpoint)}


def _cells(content: bytes, name: str) -> list[str]:
    """Every text cell of a CSV (either delimiter) or of an XLSX's every sheet."""
    if content.startswith(b"PK"):
        workbook = load_workbook(io.BytesIO(content))
        formulas = [cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        assert formulas == [], f"{name}: formulas in {formulas}"
        return [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    text = content.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def _neutralised(cells: list[str]) -> list[str]:
    return [cell for cell in cells if cell.startswith("'") and cell[1:].startswith(HOSTILE)]


def _runnable(cells: list[str]) -> list[str]:
    return [cell for cell in cells if cell.startswith(DANGEROUS) and not NUMBER.fullmatch(cell)]


def test_every_download_route_is_covered(app) -> None:
    assert _download_routes(app) == set(SPREADSHEETS) | set(NOT_SPREADSHEETS) | set(PLAN_SPREADSHEETS), (
        "a download route is new: list its URLs in SPREADSHEETS (or NOT_SPREADSHEETS if it writes JSON)")


def _share_link(engine: sa.Engine, world) -> str:
    """The secret of a share link to the hostile programme (its CSVs are downloads too)."""
    with Session(engine) as session:
        _link, secret = create_link(session, programme=session.get(Programme, world.programme_id), label=HOSTILE[0], days=7,
                                    author=Author(actor="tests", channel="system"))
        session.commit()
    return secret


def test_no_written_file_holds_a_cell_a_spreadsheet_would_run(client, engine, world, login, token) -> None:
    _hostile(engine, world)
    secret = _share_link(engine, world)
    login(client, "district_leader")
    written = 0
    for urls in SPREADSHEETS.values():
        for url in urls:
            response = client.get(url.format(programme=world.programme_id, secret=secret, school=world.uais[0]))
            assert response.status_code == 200, url
            cells = _cells(response.data, url)
            assert _neutralised(cells) or any(part in url for part in WITHOUT_PROGRAMME_TEXT), url  # the programme's texts are in
            assert _runnable(cells) == [], url
            written += 1
    assert written == sum(len(urls) for urls in SPREADSHEETS.values())


def test_the_planners_exports_of_a_hostile_programme_hold_no_runnable_cell(client, engine, world, login, token,
                                                                          monkeypatch) -> None:
    _hostile(engine, world)
    headers = token("district_leader")
    monkeypatch.setattr(tasks, "solve_plan", lambda plan_id: None)  # solved below, in-process
    made = client.post(f"/api/v1/plans?programme={world.programme_id}", json={"name": HOSTILE[0], "time_limit": 10},
                       headers=headers)
    assert made.status_code == 202, made.text
    plan_id = made.json["id"]
    run_plan(engine, plan_id)
    scenario = client.post(f"/api/v1/programmes/{world.programme_id}/scenarios", json={"name": HOSTILE[0]}, headers=headers)
    assert scenario.status_code == 201, scenario.text
    login(client, "district_leader")
    files = {}
    for endpoint, url in NOT_SPREADSHEETS.items():
        response = client.get(url.format(programme=world.programme_id, plan=plan_id, scenario=scenario.json["id"]), headers=headers)
        assert response.status_code == 200 and response.is_json, endpoint
        files[endpoint] = response.json
    scenario, plan = files["planning.scenario_file"], files["planning.plan_file"]
    with Session(engine) as session:
        assert session.get(Plan, plan_id).name == HOSTILE[0]
    for excel in (False, True):
        cells = _cells(plan_to_csv(scenario, plan, excel=excel).encode(), "plan.csv")
        assert _neutralised(cells) and _runnable(cells) == []
    for urls in PLAN_SPREADSHEETS.values():
        for url in urls:
            response = client.get(url.format(programme=world.programme_id, plan=plan_id))
            assert response.status_code == 200, url
            cells = _cells(response.data, url)
            assert _neutralised(cells) and _runnable(cells) == [], url
    comparison = compare_plans(scenario, [plan] * len(HOSTILE), names=list(HOSTILE))
    assert _runnable(_cells(comparison.to_csv().encode(), "compare.csv")) == []
