"""An infeasible programme's plan page: its conflicts in plain French beside links to the pages
where the leader changes what they are about, and the suggested relaxation tried in one click
as a new what-if scenario, the programme's own data untouched."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from planner import solve
from rollout.core.author import Author
from rollout.models import AuditEvent, Plan, Programme, Scenario, Trainer, Wave
from rollout.planning.conflicts import conflict_views, relaxation_edits
from rollout.planning.runs import queue_plan, run_plan
from rollout.planning.scenario import build_scenario
from rollout.scenarios.records import create_scenario, queue_scenario_plan
from tests.conftest import WORLD_EMAILS, World


def _leader(world: World) -> Author:
    return Author(actor=WORLD_EMAILS["district_leader"], channel="form", user_id=world.user_ids["district_leader"])


def _make_infeasible(engine: sa.Engine, world: World) -> None:
    """One school a wave for six schools, and the Nord trainer unavailable: caps and capacity conflict."""
    with Session(engine) as session:
        session.execute(sa.update(Wave).where(Wave.programme_id == world.programme_id).values(max_schools=1))
        session.execute(sa.update(Trainer).where(Trainer.programme_id == world.programme_id, Trainer.code == "AT-001")
                        .values(capacity=0))
        session.commit()


def _solved(engine: sa.Engine, world: World, name: str = "Rentrée") -> int:
    """A plan of the programme as it is, solved here as a worker would."""
    with Session(engine) as session:
        plan = queue_plan(session, programme=session.get(Programme, world.programme_id), name=name, time_limit=10,
                          author=_leader(world))
        session.commit()
        plan_id = plan.id
    run_plan(engine, plan_id)
    return plan_id


@pytest.fixture
def infeasible(engine: sa.Engine, world: World) -> int:
    _make_infeasible(engine, world)
    plan_id = _solved(engine, world)
    with Session(engine) as session:
        assert session.get(Plan, plan_id).status == "infeasible"
    return plan_id


def _page(client, world: World, plan_id: int) -> str:
    response = client.get(f"/programmes/{world.programme_id}/plans/{plan_id}")
    assert response.status_code == 200
    return response.text


def _conflicts_section(page: str) -> str:
    match = re.search(r'<section id="plan-conflicts">(.*?)</section>', page, re.S)
    assert match, "the page has no conflicts section"
    return match.group(1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_conflicts_are_told_in_french_beside_the_pages_to_change(client, login, world, infeasible) -> None:
    login(client, "district_leader")
    section = _conflicts_section(_page(client, world, infeasible))
    text = _text(section)
    capped = re.search(r"La vague (W\d) accueille au plus 1 établissement\.", text)
    assert capped, text
    assert f'href="/programmes/{world.programme_id}/waves/{capped.group(1)}/edit"' in section
    assert "Le formateur AT-001 assure au plus 0 séance de formation par vague." in text
    assert f'href="/programmes/{world.programme_id}/trainers/AT-001/edit"' in section
    assert re.search(r"Suggestion : Porter le plafond de la vague W\d à \d+ établissements\.", text), text
    assert re.search(r"Porter la capacité de AT-001 en vague W\d de 0 à \d+ séances\.", text), text
    assert "takes at most" not in text and "raise" not in text, "not the planner's English"


def test_the_english_page_tells_the_conflicts_in_english(client, login, world, infeasible) -> None:
    login(client, "district_leader")
    text = _text(_conflicts_section(client.get(f"/programmes/{world.programme_id}/plans/{infeasible}?lang=en").text))
    assert re.search(r"Wave W\d takes at most 1 school\.", text), text
    assert "Trainer AT-001 runs at most 0 training sessions per wave." in text
    assert re.search(r"Suggestion: Raise wave W\d's cap to \d+ schools\.", text), text


def _scenario(*, waves: int = 2, schools: list[dict] | None = None, trainers: list[dict] | None = None) -> dict:
    """A small scenario in the world's wave and trainer codes, its schools outside the programme."""
    dates = [("2026-09-07", "2026-10-16"), ("2026-11-02", "2026-12-18"), ("2027-01-04", "2027-02-12")]
    return {
        "format": "rollout-scenario/1", "name": "Essai",
        "waves": [{"id": f"W{n + 1}", "start": dates[n][0], "end": dates[n][1], "max_schools": None, "max_pupils": None}
                  for n in range(waves)],
        "schools": schools if schools is not None else [_school("0930001W"), _school("0930002X")],
        "trainers": trainers if trainers is not None else [_trainer("AT-001"), _trainer("V-1", tier="vendor", basins=None)],
        "cascade": {"teachers_per_session": 12, "trainers_per_session": 4, "schools_per_leadership_session": 5, "trainer_lag": 1},
        "objective": {"priority_weights": {}},
    }


def _school(uai: str, **fields) -> dict:
    return {"uai": uai, "name": f"Collège {uai}", "basin": "N", "pupils": 500, "teachers": 12, "priority": "none",
            "earliest_wave": None, "latest_wave": None, "pinned_wave": None} | fields


def _trainer(code: str, **fields) -> dict:
    return {"id": code, "name": code, "tier": "academic", "basins": ["N"], "capacity": 4, "capacity_by_wave": {},
            "trained": True} | fields


def _closed(data: dict, wave: int, **caps) -> dict:
    data["waves"][wave].update(caps or {"max_schools": 0})
    return data


CASES = {
    "pinned": (_closed(_scenario(schools=[_school("0930001W", pinned_wave="W1")]), 0),
               "Collège 0930001W (0930001W) est épinglé en vague W1.", "Ne plus épingler Collège 0930001W (0930001W) à une vague."),
    "earliest": (_closed(_scenario(schools=[_school("0930001W", earliest_wave="W2")]), 1),
                 "ne peut pas commencer avant la vague W2", "Avoir Collège 0930001W (0930001W) prêt dès la vague W1."),
    "latest": (_closed(_scenario(schools=[_school("0930001W", latest_wave="W1")]), 0),
               "doit commencer au plus tard en vague W1.", "Laisser Collège 0930001W (0930001W) commencer jusqu'en vague W2."),
    "pupils": (_closed(_scenario(waves=1), 0, max_pupils=600), "La vague W1 accueille au plus 600 élèves.",
               "Porter le plafond de la vague W1 à 1000 élèves."),
    "no trainer": (_scenario(schools=[_school("0930001W", basin="S")]),
                   "ont besoin de 1 séance de formation des enseignants", "Ajouter un formateur académique déjà formé (RELAX-S) pour le bassin S, assurant 1 séance(s) par vague."),
    "vendor": (_scenario(waves=1, trainers=[_trainer("AT-001"), _trainer("V-1", tier="vendor", basins=None, capacity=0)]),
               "En vague W1, les formateurs de l'éditeur (V-1) assurent au plus 0 séance,",
               "Porter la capacité de V-1 en vague W1 de 0 à 1 séances."),
    "no vendor": (_scenario(waves=1, trainers=[_trainer("AT-001")]), "les formateurs de l'éditeur (aucun) assurent au plus 0",
                  "Ajouter un formateur de l'éditeur (RELAX-VENDOR) assurant 1 séance(s) par vague."),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_rule_and_every_edit_has_its_french_sentence(app, engine: sa.Engine, world, case: str) -> None:
    data, sentence, relaxation = CASES[case]
    result = solve(data, time_limit=10, workers=1).to_json()
    assert result["status"] == "INFEASIBLE"
    plan = Plan(programme_id=world.programme_id, name="Essai", status="infeasible", scenario=data, result=result)
    with app.test_request_context(), Session(engine) as session:
        views = conflict_views(session, plan)
    sentences = " ".join(view.sentence for view in views)
    relaxations = " ".join(text for view in views for text in view.relaxation)
    assert sentence in sentences and relaxation in relaxations, (sentences, relaxations)


# -- trying the relaxation ------------------------------------------------------------------


def _relax(client, world: World, plan_id: int, token: str | None):
    data = {} if token is None else {"csrf_token": token}
    return client.post(f"/programmes/{world.programme_id}/plans/{plan_id}/relax", data=data)


def _programme_data(engine: sa.Engine, world: World) -> dict:
    with Session(engine) as session:
        return build_scenario(session, session.get(Programme, world.programme_id), name="état")


def _solve_scenario(engine: sa.Engine, world: World, scenario_id: int) -> Plan:
    """The what-if's plan, queued as its page would queue it and solved here."""
    with Session(engine) as session:
        plan = queue_scenario_plan(session, programme=session.get(Programme, world.programme_id),
                                   scenario=session.get(Scenario, scenario_id), name="Essai relâché", time_limit=10,
                                   author=_leader(world))
        session.commit()
        plan_id = plan.id
    run_plan(engine, plan_id)
    with Session(engine) as session:
        return session.get(Plan, plan_id)


def test_a_leader_tries_the_relaxation_as_a_new_what_if(client, login, csrf, engine: sa.Engine, world, infeasible) -> None:
    login(client, "district_leader")
    page = f"/programmes/{world.programme_id}/plans/{infeasible}"
    assert "Essayer cette relaxation (nouveau scénario)" in client.get(page).text
    before = _programme_data(engine, world)
    response = _relax(client, world, infeasible, csrf(client, page))
    assert response.status_code == 302
    with Session(engine) as session:
        plan = session.get(Plan, infeasible)
        (scenario,) = session.exec(select(Scenario).where(Scenario.programme_id == world.programme_id)).all()
        assert scenario.name == "Rentrée — relâché"
        assert scenario.edits == relaxation_edits(plan) and scenario.edits
        assert {edit["kind"] for edit in scenario.edits} >= {"wave_caps", "trainer_capacity"}
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "scenario")).all()
        assert [(event.action, event.entity_id, event.actor) for event in events] == [
            ("create", str(scenario.id), WORLD_EMAILS["district_leader"])
        ]
        scenario_id = scenario.id
    assert response.headers["Location"] == f"/programmes/{world.programme_id}/scenarios/{scenario_id}"
    assert _programme_data(engine, world) == before, "the programme's own data is untouched"
    assert _solve_scenario(engine, world, scenario_id).status in ("optimal", "feasible")

    assert _relax(client, world, infeasible, csrf(client, page)).status_code == 302
    with Session(engine) as session:
        names = session.exec(select(Scenario.name).where(Scenario.programme_id == world.programme_id)).all()
    assert sorted(names) == ["Rentrée — relâché", "Rentrée — relâché (2)"]


def test_a_what_if_s_relaxation_keeps_its_own_edits_first(client, login, csrf, engine: sa.Engine, world) -> None:
    """A feasible programme, made impossible by a what-if that closes W1 to all but one school."""
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        closing = [{"kind": "wave_caps", "wave": code, "max_schools": 1, "max_pupils": None} for code in ("W1", "W2", "W3")]
        origin = create_scenario(session, programme=programme, name="Vagues d'un collège", edits=closing, author=_leader(world))
        session.commit()
        origin_id = origin.id
    plan = _solve_scenario(engine, world, origin_id)
    assert plan.status == "infeasible" and plan.scenario_id == origin_id
    login(client, "district_leader")
    assert _relax(client, world, plan.id, csrf(client, f"/programmes/{world.programme_id}/plans/{plan.id}")).status_code == 302
    with Session(engine) as session:
        relaxed = session.exec(select(Scenario).where(Scenario.name == "Essai relâché — relâché")).one()
        assert relaxed.edits == closing + relaxation_edits(session.get(Plan, plan.id))
        relaxed_id = relaxed.id
    assert _solve_scenario(engine, world, relaxed_id).status in ("optimal", "feasible")


def test_only_leaders_see_and_use_the_button_and_only_with_the_form_s_token(app, login, csrf, engine: sa.Engine, world, infeasible, stored) -> None:
    page = f"/programmes/{world.programme_id}/plans/{infeasible}"
    clients = {role: app.test_client() for role in ("stakeholder", "project_manager", "other_leader", "district_leader")}
    tokens = {}
    for role, client in clients.items():
        login(client, role)
        tokens[role] = csrf(client, "/")
    for role in ("stakeholder", "project_manager"):
        seen = clients[role].get(page).text
        assert "La vague W" in _conflicts_section(seen), "every reader reads why"
        assert "Essayer cette relaxation" not in seen and "/edit" not in _conflicts_section(seen), "but only leaders get the buttons and links"
    before = stored()
    for role, status in (("stakeholder", 403), ("project_manager", 403), ("other_leader", 404)):
        assert _relax(clients[role], world, infeasible, tokens[role]).status_code == status, role
    assert _relax(clients["district_leader"], world, infeasible, None).status_code == 400
    # Only the refusals are recorded (in the audit trail); no scenario was made.
    assert {table: n for table, n in stored().items() if table != "auditevent"} == {
        table: n for table, n in before.items() if table != "auditevent"}
    with Session(engine) as session:
        assert session.exec(select(Scenario)).all() == []
        assert session.exec(select(AuditEvent).where(AuditEvent.entity == "scenario")).all() == []


def test_a_feasible_plan_has_nothing_to_relax(client, login, csrf, engine: sa.Engine, world) -> None:
    plan_id = _solved(engine, world)
    login(client, "district_leader")
    page = f"/programmes/{world.programme_id}/plans/{plan_id}"
    assert "Essayer cette relaxation" not in client.get(page).text
    refused = _relax(client, world, plan_id, csrf(client, page))
    assert refused.status_code == 302 and refused.headers["Location"] == page
    assert "Ce plan n&#39;a pas de relaxation à essayer." in client.get(page).text
