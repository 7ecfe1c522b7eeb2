"""A solved plan's page shows its result (one sentence on objective, bound and gap, the figures
with their tables, the schools wave by wave) and exports it as CSV, XLSX and one calendar per
trainer; every reader of the district may read them, no one of another district."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import datetime

import icalendar
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session, select

from planner.export import CSV_COLUMNS
from rollout.models import Plan, Trainer, utcnow
from rollout.planning import tasks
from rollout.planning.greedy_baseline import GREEDY, greedy_baseline
from rollout.planning.results import figure_table, summary_sentence
from rollout.planning.runs import run_plan

FIGURES = ("plan_map", "plan_pupils", "plan_trainers", "plan_vendor")


@pytest.fixture
def solved(client, world, token, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> int:
    """A plan of the world's programme, queued by API and solved in-process as a worker would."""
    monkeypatch.setattr(tasks, "solve_plan", lambda plan_id: None)
    made = client.post(f"/api/v1/plans?programme={world.programme_id}", json={"name": "Scénario A", "time_limit": 10},
                       headers=token("district_leader"))
    assert made.status_code == 202, made.text
    run_plan(engine, made.get_json()["id"])
    return made.get_json()["id"]


def _plan(engine: sa.Engine, plan_id: int) -> Plan:
    with Session(engine) as session:
        return session.get(Plan, plan_id)


def test_a_solved_plans_page_shows_its_sentence_figures_and_schools(client, world, login, engine, solved) -> None:
    plan = _plan(engine, solved)
    assert plan.status == "optimal"
    assert plan.result["stats"][GREEDY] == greedy_baseline(plan.scenario) is not None  # stored by the worker
    login(client, "district_leader")
    text = client.get(f"/programmes/{world.programme_id}/plans/{solved}").text
    assert "ce plan est optimal, il est prouvé qu&#39;aucun plan ne peut faire mieux" in text
    for name in FIGURES:
        assert f'<script type="application/json" id="figure-{name}">' in text and f'data-figure="figure-{name}"' in text
    assert "figures.js" in text and "Référence gloutonne" in text
    table = re.search(r'<table id="plan-schools">(.*?)</table>', text, re.S).group(1)
    assert [uai for uai in re.findall(r"<tr><td>W\d</td><td>(\w+)</td>", table)] == sorted(
        world.uais, key=lambda uai: ([row["wave"] for row in plan.result["assignments"] if row["uai"] == uai][0], uai))
    assert "Formatrice Nord (" in table  # the trainers of each school's teachers, with their sessions
    links = re.findall(r'href="([^"]*/calendar\.ics\?trainer=[^"]+)"', text)
    assert {link.rsplit("=", 1)[1] for link in links} >= {"V-1", "AT-001"}
    english = client.get(f"/programmes/{world.programme_id}/plans/{solved}?lang=en").text
    assert "this plan is optimal, no plan can do better (proven)" in english and "Export the plan" in english
    figure = json.loads(re.search(r'id="figure-plan_pupils">(.*?)</script>', english, re.S).group(1))
    assert [trace["name"] for trace in figure["data"]] == ["This plan", "Greedy baseline"]


def test_the_plan_downloads_as_csv_xlsx_and_one_calendar_per_trainer(client, world, login, engine, solved) -> None:
    plan = _plan(engine, solved)
    base = f"/programmes/{world.programme_id}/plans/{solved}"
    login(client, "stakeholder")  # a reader: exports are for everyone who reads the plan
    spreadsheet = client.get(f"{base}/plan.csv")
    assert spreadsheet.status_code == 200 and spreadsheet.mimetype == "text/csv"
    assert spreadsheet.headers["Content-Disposition"] == f'attachment; filename="plan-{solved}.csv"'
    text = spreadsheet.data.decode("utf-8")
    assert text.startswith("\ufeff")  # French Excel reads the accents
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert tuple(rows[0]) == CSV_COLUMNS and sorted(row[0] for row in rows[1:]) == sorted(world.uais)
    waves = {row["uai"]: row["wave"] for row in plan.result["assignments"]}
    assert all(row[5] == waves[row[0]] for row in rows[1:])

    workbook = client.get(f"{base}/plan.xlsx")
    assert workbook.status_code == 200 and workbook.headers["Content-Disposition"] == f'attachment; filename="plan-{solved}.xlsx"'
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(cells[0]) == CSV_COLUMNS and [row[0] for row in cells[1:]] == [row[0] for row in rows[1:]]
    assert all(isinstance(row[4], int) and isinstance(row[6], datetime) for row in cells[1:])  # numbers and dates stay so

    calendar = client.get(f"{base}/calendar.ics?trainer=AT-001")
    assert calendar.status_code == 200 and calendar.mimetype == "text/calendar"
    assert calendar.headers["Content-Disposition"] == f'attachment; filename="plan-{solved}-AT-001.ics"'
    events = icalendar.Calendar.from_ical(calendar.data).walk("VEVENT")
    taught = [row for row in plan.result["teacher_sessions"] if row["trainer"] == "AT-001"]
    assert taught and len(events) == len(taught)
    vendor = icalendar.Calendar.from_ical(client.get(f"{base}/calendar.ics?trainer=V-1").data).walk("VEVENT")
    assert len(vendor) == len(plan.result["trainer_training"]) + len(plan.result["leadership_training"])
    assert client.get(f"{base}/calendar.ics?trainer=AT-404").status_code == 404
    assert client.get(f"{base}/calendar.ics").status_code == 404
    assert client.get(f"{base}/plan.ods").status_code == 404


def test_each_figures_table_downloads_as_the_csv_a_long_table_on_the_page_points_to(app, client, world, login, engine,
                                                                                    solved) -> None:
    """The page writes a figure's table up to 500 rows and links to this CSV beyond: same rows."""
    plan = _plan(engine, solved)
    base = f"/programmes/{world.programme_id}/plans/{solved}"
    login(client, "stakeholder")
    for name in FIGURES:
        response = client.get(f"{base}/figures/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv", name
        assert response.headers["Content-Disposition"] == f'attachment; filename="plan-{solved}-{name}.csv"'
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
        with app.test_request_context():
            table = figure_table(plan, name)
        assert tuple(rows[0]) == tuple(table.columns) and len(rows) - 1 == len(table.rows) > 0, name
    mapped = list(csv.reader(io.StringIO(client.get(f"{base}/figures/plan_map.csv").data.decode("utf-8").lstrip("\ufeff")),
                             delimiter=";"))
    assert {cell for row in mapped[1:] for cell in row} >= set(world.uais)  # a row per school
    assert client.get(f"{base}/figures/plan_secret.csv").status_code == 404


def test_a_trainer_whose_code_holds_quotes_and_slashes_gets_a_sane_calendar_file_name(client, world, login, token, engine,
                                                                                      monkeypatch) -> None:
    with Session(engine) as session:
        trainer = session.exec(select(Trainer).where(Trainer.programme_id == world.programme_id, Trainer.code == "AT-001")).one()
        trainer.code = 'AT/"1"\r\nX: y'
        session.add(trainer)
        session.commit()
    monkeypatch.setattr(tasks, "solve_plan", lambda plan_id: None)
    made = client.post(f"/api/v1/plans?programme={world.programme_id}", json={"name": "Codes", "time_limit": 10},
                       headers=token("district_leader"))
    run_plan(engine, made.get_json()["id"])
    login(client, "district_leader")
    text = client.get(f"/programmes/{world.programme_id}/plans/{made.get_json()['id']}").text
    links = re.findall(r'href="([^"]*/calendar\.ics\?trainer=[^"]+)"', text)
    link = next(href for href in links if "%22" in href)  # the quotes are in the query, encoded
    response = client.get(html.unescape(link))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="plan-{made.get_json()["id"]}-AT__1___X__y.ics"'


def test_every_reader_of_the_district_may_read_and_no_one_else(app, world, login, solved) -> None:
    base = f"/programmes/{world.programme_id}/plans/{solved}"
    urls = [base, f"{base}/plan.csv", f"{base}/plan.xlsx", f"{base}/calendar.ics?trainer=V-1", f"{base}/figures/plan_map.csv"]
    for role in ("district_leader", "project_manager", "stakeholder", "admin"):
        reader = app.test_client()
        login(reader, role)
        assert [reader.get(url).status_code for url in urls] == [200] * 5, role
    stranger = app.test_client()
    login(stranger, "other_leader")
    assert [stranger.get(url).status_code for url in urls] == [404] * 5
    anonymous = app.test_client()
    assert all(anonymous.get(url).headers.get("Location", "").startswith("/login") for url in urls)


def test_a_plan_without_assignment_shows_no_result_and_exports_nothing(client, world, login, token, monkeypatch) -> None:
    monkeypatch.setattr(tasks, "solve_plan", lambda plan_id: None)
    made = client.post(f"/api/v1/plans?programme={world.programme_id}", json={"name": "En attente", "time_limit": 10},
                       headers=token("district_leader"))
    base = f"/programmes/{world.programme_id}/plans/{made.get_json()['id']}"
    login(client, "district_leader")
    text = client.get(base).text
    assert "figure-plan_map" not in text and "plan-schools" not in text
    assert '<p id="plan-summary" class="summary" hidden></p>' in text  # until the solve finds a first plan
    assert [client.get(f"{base}/{name}").status_code for name in ("plan.csv", "plan.xlsx", "calendar.ics?trainer=V-1",
                                                                  "figures/plan_map.csv")] == [404] * 4


def test_without_a_greedy_plan_the_page_says_there_is_no_greedy_baseline(client, world, login, engine, solved) -> None:
    with Session(engine) as session:
        plan = session.get(Plan, solved)
        plan.result = {**plan.result, "stats": {**plan.result["stats"], GREEDY: None}}
        session.add(plan)
        session.commit()
    login(client, "district_leader")
    text = client.get(f"/programmes/{world.programme_id}/plans/{solved}").text
    figure = json.loads(re.search(r'id="figure-plan_pupils">(.*?)</script>', text, re.S).group(1))
    assert [trace["name"] for trace in figure["data"]] == ["Ce plan"]
    assert "pas de référence gloutonne" in text and "la méthode gloutonne ne trouve aucun plan" in text


def test_a_plan_solved_before_the_baseline_was_stored_gets_it_on_its_page(client, world, login, engine, solved) -> None:
    with Session(engine) as session:
        plan = session.get(Plan, solved)
        plan.result = {**plan.result, "stats": {key: value for key, value in plan.result["stats"].items() if key != GREEDY}}
        session.add(plan)
        session.commit()
    login(client, "district_leader")
    text = client.get(f"/programmes/{world.programme_id}/plans/{solved}").text
    figure = json.loads(re.search(r'id="figure-plan_pupils">(.*?)</script>', text, re.S).group(1))
    assert [trace["name"] for trace in figure["data"]] == ["Ce plan", "Référence gloutonne"]


ASSIGNED = {"assignments": [{"uai": "0930001W", "wave": "W1"}]}


def test_the_pages_polling_gets_the_provisional_sentence_while_the_solve_goes_on(client, world, login, engine, solved) -> None:
    with Session(engine) as session:
        plan = session.get(Plan, solved)
        plan.status, plan.result, plan.objective, plan.bound, plan.gap = "solving", None, 1200.0, 1000.0, 200 / 1200
        plan.heartbeat_at = plan.started_at = utcnow()
        session.add(plan)
        session.commit()
    login(client, "stakeholder")
    state = client.get(f"/programmes/{world.programme_id}/plans/{solved}/progress.json").get_json()
    assert state["running"] and state["summary"] == (
        "Chiffres provisoires, le calcul continue : objectif 1\u202f200 (élèves pondérés × rang de vague) ; aucun plan ne peut "
        "faire mieux que 1\u202f000 : au plus 16,67\u00a0% de mieux est possible à ce stade.")


def _sentence(app, **fields) -> str | None:
    with app.test_request_context("/"):
        return summary_sentence(Plan(programme_id=1, name="p", scenario={}, **({"result": ASSIGNED} | fields)))


def test_the_sentence_states_objective_bound_and_gap_for_a_district_leader(app) -> None:
    assert _sentence(app, status="feasible", objective=123456.0, bound=123400.0, gap=(123456 - 123400) / 123456) == (
        "Objectif 123\u202f456 (élèves pondérés × rang de vague) ; aucun plan ne peut faire mieux que 123\u202f400 : "
        "au plus 0,05\u00a0% de mieux est possible.")
    assert "moins de 0,01\u00a0%" in _sentence(app, status="stopped", objective=1e6, bound=1e6 - 1, gap=1e-6)
    running = _sentence(app, status="solving", objective=1000.5, bound=990.0, gap=0.0105)
    assert running.startswith("Chiffres provisoires, le calcul continue : objectif 1\u202f000,5") and "1,05\u00a0%" in running
    assert "aucune borne n'est encore prouvée" in _sentence(app, status="solving", objective=10.0, result=None)
    assert _sentence(app, status="queued", result=None) is None
    assert _sentence(app, status="failed", objective=10.0, bound=9.0, result=None) is None  # its worker died: no plan kept
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = summary_sentence(Plan(programme_id=1, name="p", scenario={}, result=ASSIGNED, status="optimal",
                                        objective=1234.0, bound=1234.0))
    assert english.startswith("Objective 1,234")
