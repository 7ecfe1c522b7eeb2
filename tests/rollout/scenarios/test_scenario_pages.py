"""Scenario pages: a leader builds a what-if edit by edit from the forms, reads it in French,
solves it in the background and exports it; readers only read; conflicts come back as 409."""

from __future__ import annotations

import html
import json
import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.models import AuditEvent, Plan, Scenario
from rollout.planning import tasks
from rollout.planning.runs import run_plan


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The plans handed to the queue, in order, instead of a worker."""
    handed: list[int] = []
    monkeypatch.setattr(tasks, "solve_plan", handed.append)
    return handed


def _new(client, world, csrf, name: str = "Sans AT-002") -> str:
    listing = f"/programmes/{world.programme_id}/scenarios"
    response = client.post(listing, data={"name": name, "description": "", "csrf_token": csrf(client, listing)})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def _add(client, page: str, csrf, version: int, **fields: str):
    return client.post(f"{page}/edits", data={"csrf_token": csrf(client, page), "version": str(version), **fields})


def _text(response) -> str:
    return html.unescape(response.text)


def test_a_leader_builds_solves_and_exports_a_what_if(client, world, login, csrf, engine: sa.Engine, enqueued) -> None:
    login(client, "district_leader")
    assert "Scénarios et what-if" in _text(client.get(f"/programmes/{world.programme_id}/plans"))
    page = _new(client, world, csrf)
    uai = world.uais[0]
    steps = [
        dict(kind="trainer_remove", trainer="AT-002"),
        dict(kind="wave_caps", wave="W1", max_schools="2", max_pupils=""),
        dict(kind="trainer_capacity", trainer="AT-001", wave="W2", capacity="0"),
        dict(kind="trainer_add", id="AT-009", name="Renfort", tier="academic", basins="S", capacity="4", trained="y"),
        dict(kind="cascade", trainer_lag="0", teachers_per_session="", trainers_per_session="", schools_per_leadership_session=""),
        dict(kind="priority_weights", weight_rep_plus="3", weight_rep="2,5", weight_none="1"),
        dict(kind="school_pin", uai=uai.lower(), wave="W3"),
        dict(kind="school_earliest", uai=world.uais[1], wave="W2"),
        dict(kind="school_latest", uai=world.uais[2], wave="W2"),
        dict(kind="wave_add", id="W4", label="Rattrapage", start="2016-09-05", end="2016-10-21", max_schools="", max_pupils=""),
    ]
    for version, step in enumerate(steps, start=1):
        response = _add(client, page, csrf, version, **step)
        assert response.status_code == 302, (step, _text(response))
    text = _text(client.get(page))
    for sentence in [
        "AT-002 (Formateur Sud) retiré du scénario.",
        "Vague W1 : au plus 2 établissements, élèves sans limite.",
        "AT-001 (Formatrice Nord) : indisponible en vague W2.",
        "Formateur ajouté : AT-009 (Renfort), académique, 4 sessions par vague, bassins S, déjà formé.",
        "Cascade : 0 vague(s) entre la formation d'un formateur et ses premières sessions.",
        "Poids de priorité : REP+ 3, REP 2.5, hors éducation prioritaire 1.",
        f"{uai} (",
        "fixé en vague W3.",
        "pas avant la vague W2 (équipement en retard).",
        "au plus tard en vague W2.",
        "Vague ajoutée : W4 du 2016-09-05 au 2016-10-21, établissements sans limite, élèves sans limite.",
    ]:
        assert sentence in text
    assert '<option value="W4">' in text and '<option value="AT-009">' in text, "the selects offer what the edits add"

    # Removing the first edit, numbered 1 as the page shows it.
    removed = client.post(f"{page}/edits/1/remove", data={"csrf_token": csrf(client, page), "version": "11"})
    assert removed.status_code == 302
    with Session(engine) as session:
        scenario = session.exec(select(Scenario)).one()
        assert [edit["kind"] for edit in scenario.edits] == [step["kind"] for step in steps[1:]]
        assert scenario.edits[5] == {"kind": "school_pin", "uai": uai, "wave": "W3"}
        assert len(session.exec(select(AuditEvent).where(AuditEvent.entity == "scenario")).all()) == 12

    exported = client.get(f"{page}/scenario.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    assert re.search(r'filename="scenario-\d+-sans-at-002\.json"', exported.headers["Content-Disposition"])
    document = json.loads(exported.text)
    assert document["format"] == "rollout-scenario/1" and document["name"] == "Sans AT-002"
    assert [wave["id"] for wave in document["waves"]] == ["W1", "W2", "W3", "W4"]

    solved = client.post(f"{page}/plans", data={"plan_name": "Essai", "time_limit": "10", "csrf_token": csrf(client, page)})
    assert solved.status_code == 302
    plan_id = int(re.search(r"/plans/(\d+)$", solved.headers["Location"]).group(1))
    assert enqueued == [plan_id]
    run_plan(engine, plan_id)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        assert plan.status == "optimal" and plan.scenario == document
    assert "Essai" in _text(client.get(page))
    assert "Calculé à partir du scénario Sans AT-002" in re.sub(r"<[^>]+>", "", _text(client.get(solved.headers["Location"])))


def test_bad_edits_are_refused_naming_the_field_and_nothing_is_written(client, world, login, csrf, engine: sa.Engine) -> None:
    login(client, "district_leader")
    page = _new(client, world, csrf)
    refused = _add(client, page, csrf, 1, kind="trainer_capacity", trainer="AT-001", wave="", capacity="-2")
    assert refused.status_code == 422 and "capacity = '-2' : doit être ≥ 0" in _text(refused)
    refused = _add(client, page, csrf, 1, kind="school_pin", uai="0930099Z", wave="W1")
    assert refused.status_code == 422
    assert "edits[0].uai : modification refusée : '0930099Z' is not a school of the scenario" in _text(refused)
    refused = _add(client, page, csrf, 1, kind="wave_add", id="W4", label="", start="2016-01-01", end="2016-02-01",
                   max_schools="", max_pupils="")
    assert refused.status_code == 422 and "is not after the end of the last wave 'W3'" in _text(refused)
    with Session(engine) as session:
        assert session.exec(select(Scenario)).one().edits == []
    assert client.post(f"{page}/edits", data={"kind": "cascade", "version": "1", "trainer_lag": "1"}).status_code == 400


def test_a_change_from_an_old_version_shows_the_saved_one_with_409(client, world, login, csrf, engine: sa.Engine) -> None:
    login(client, "district_leader")
    page = _new(client, world, csrf)
    assert _add(client, page, csrf, 1, kind="trainer_remove", trainer="AT-002").status_code == 302
    stale = _add(client, page, csrf, 1, kind="cascade", trainer_lag="2")
    assert stale.status_code == 409
    text = _text(stale)
    assert "Quelqu'un d'autre a modifié ce scénario" in text and "AT-002 (Formateur Sud) retiré du scénario." in text
    renamed = client.post(page, data={"name": "Autre nom", "description": "", "version": "1", "csrf_token": csrf(client, page)})
    assert renamed.status_code == 409 and 'value="Autre nom"' in renamed.text, "what the leader typed is kept"
    deleted = client.post(f"{page}/delete", data={"version": "1", "csrf_token": csrf(client, page)})
    assert deleted.status_code == 409
    with Session(engine) as session:
        scenario = session.exec(select(Scenario)).one()
        assert (scenario.name, scenario.version, len(scenario.edits)) == ("Sans AT-002", 2, 1)
    assert client.post(page, data={"name": "Autre nom", "description": "Essai", "version": "2",
                                   "csrf_token": csrf(client, page)}).status_code == 302
    assert client.post(f"{page}/delete", data={"version": "3", "csrf_token": csrf(client, page)}).status_code == 302
    with Session(engine) as session:
        assert session.exec(select(Scenario)).all() == []


def test_a_taken_name_is_refused_beside_the_field(client, world, login, csrf) -> None:
    login(client, "district_leader")
    _new(client, world, csrf)
    listing = f"/programmes/{world.programme_id}/scenarios"
    again = client.post(listing, data={"name": "Sans AT-002", "csrf_token": csrf(client, listing)})
    assert again.status_code == 422 and "un scénario de ce programme porte déjà ce nom" in _text(again)


def test_readers_read_without_forms_and_other_districts_see_nothing(client, app, world, login, csrf) -> None:
    login(client, "district_leader")
    page = _new(client, world, csrf)
    client.post("/logout", data={"csrf_token": csrf(client, page)})
    reader = app.test_client()
    login(reader, "stakeholder")
    text = _text(reader.get(page))
    assert "Sans AT-002" in text and "Exporter (rollout-scenario/1)" in text
    assert "Ajouter une modification" not in text and "Résoudre ce scénario" not in text
    assert reader.post(f"{page}/edits", data={"kind": "cascade", "trainer_lag": "1", "version": "1"}).status_code == 403
    other = app.test_client()
    login(other, "other_leader")
    assert other.get(page).status_code == 404
    assert other.get(f"{page}/scenario.json").status_code == 404
    scenario_id = page.rsplit("/", 1)[1]
    assert other.get(f"/programmes/{world.other_programme_id}/scenarios/{scenario_id}").status_code == 404


def test_the_edits_read_in_english_too(client, world, login, csrf) -> None:
    login(client, "district_leader")
    page = _new(client, world, csrf)
    assert _add(client, page, csrf, 1, kind="school_earliest", uai=world.uais[0], wave="W2").status_code == 302
    assert _add(client, page, csrf, 2, kind="wave_caps", wave="W1", max_schools="", max_pupils="900").status_code == 302
    text = _text(client.get(f"{page}?lang=en"))
    assert "not before wave W2 (equipment late)." in text
    assert "Wave W1: no limit on schools, at most 900 pupils." in text
    assert "Solve this scenario" in text and "pas avant" not in text


def test_a_version_no_page_shows_is_refused(client, world, login, csrf, engine: sa.Engine) -> None:
    login(client, "district_leader")
    page = _new(client, world, csrf)
    for version in ("0", str(2**40), "un"):
        assert _add(client, page, csrf, version, kind="trainer_remove", trainer="AT-002").status_code == 400
    with Session(engine) as session:
        assert session.exec(select(Scenario)).one().edits == []
