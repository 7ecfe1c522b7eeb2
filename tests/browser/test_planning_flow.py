"""A district leader plans in the browser from start to end, on the demo served by gunicorn
with a real queue worker beside it (the Procfile's two lines): build a what-if, solve it with
its progress on the page, compare it with the baseline, adopt it.

Nothing is written behind the browser's back: every step is a click or a typed value, and the
solve is the worker's, so the test also proves that the web processes and the worker share the
queue and the database as they do in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from rollout.db import make_engine
from rollout.models import Plan, Programme, Scenario, School, Wave
from tests.browser.served import Site, Watched, new_page, served_demo, serious_violations
from tests.rollout.live_server import queue_worker

WHAT_IF = "Vague 2 élargie"
PLAN_NAME = "Vague 2 à 20 collèges"
# Enough for the demo's 130 collèges to end optimal or close to it; the page follows whatever
# the solve reaches.
TIME_LIMIT_SECONDS = "10"
SOLVE_WAIT_MS = 90_000


@pytest.fixture(scope="module")
def served(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Site]]:
    """The session's browser, and the demo with gunicorn and one queue worker for this module."""
    directory = tmp_path_factory.mktemp("planning-flow")
    with served_demo(directory) as site, queue_worker(directory, site.database_url):
        yield browser, site
    assert "Traceback" not in site.log.read_text(), site.log.read_text()
    assert "Traceback" not in (directory / "worker.log").read_text(), (directory / "worker.log").read_text()


def test_a_district_leader_builds_a_what_if_solves_compares_and_adopts_it(served) -> None:
    from playwright.sync_api import expect

    browser, site = served
    engine = make_engine(site.database_url)
    with Session(engine) as session:
        programme = session.get(Programme, site.programme_id)
        settings_before = programme.model_dump()
        caps_before = {wave.code: wave.max_schools for wave in session.exec(select(Wave).where(Wave.programme_id == programme.id))}
        schools_before = len(session.exec(select(School.id).where(School.programme_id == programme.id)).all())
        baseline = session.exec(select(Plan).where(Plan.programme_id == programme.id, Plan.is_baseline)).one()
    page = new_page(browser)
    watched = Watched()
    watched.attach(page)
    site.sign_in(page, "district_leader")

    # A what-if, by name, from the plans page.
    page.goto(f"{site.url}/programmes/{site.programme_id}/plans")
    page.locator("main").get_by_role("link", name=re.compile("^Scénarios")).first.click()
    page.get_by_label("Nom du scénario").fill(WHAT_IF)
    page.get_by_role("button", name="Créer le scénario").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(WHAT_IF)

    # One edit: wave W2 takes 20 collèges instead of 15.
    page.get_by_text("Plafonds d'une vague").click()
    caps = page.locator("form").filter(has=page.locator("#wave_caps-wave"))
    caps.locator("#wave_caps-wave").select_option("W2")
    caps.locator("#wave_caps-max_schools").fill("20")
    caps.get_by_role("button", name="Ajouter").click()
    expect(page.locator("main ol li")).to_have_count(1)
    expect(page.locator("main ol li").first).to_contain_text("W2")
    expect(page.locator("main ol li").first).to_contain_text("20")

    # Solved by the worker; the page follows it without a reload and keeps the curve.
    page.get_by_label("Nom du plan").fill(PLAN_NAME)
    page.get_by_label("Temps de calcul maximal (secondes)").fill(TIME_LIMIT_SECONDS)
    page.get_by_role("button", name="Résoudre ce scénario").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PLAN_NAME)
    status = page.locator("[data-field=status]")
    expect(status).to_have_text(re.compile(r"^(optimal|réalisable)"), timeout=SOLVE_WAIT_MS)
    page.wait_for_function("document.querySelectorAll('#plan-curve .main-svg').length > 0", timeout=10_000)
    expect(page.locator("[data-field=objective]")).to_have_text(re.compile(r"\d"))
    expect(page.locator("[data-field=bound]")).to_have_text(re.compile(r"\d"))
    expect(page.locator("[data-field=gap]")).to_have_text(re.compile(r"%"))
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.name == PLAN_NAME)).one()
        scenario = session.exec(select(Scenario).where(Scenario.name == WHAT_IF)).one()
        assert plan.scenario_id == scenario.id and plan.progress, "solved from the what-if, progress recorded"
        assert next(wave for wave in plan.scenario["waves"] if wave["id"] == "W2")["max_schools"] == 20
    assert serious_violations(page) == []

    # Compared with the baseline in one click: both plans, and the collèges that change wave.
    page.locator("#compare-with-baseline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparaison des plans")
    headers = page.locator("#plan-kpis thead th")
    expect(headers).to_have_count(3)
    expect(headers.nth(1)).to_contain_text(PLAN_NAME)
    expect(headers.nth(2)).to_contain_text(baseline.name)
    page.wait_for_function("document.querySelectorAll('[data-figure=plan-comparison-figure] .main-svg').length > 0",
                           timeout=10_000)
    assert page.locator("#changed-schools tbody tr").count() > 0
    assert serious_violations(page) == []

    # Adopted: the what-if's plan becomes the baseline, the former one stays listed.
    page.get_by_role("link", name=PLAN_NAME).first.click()
    page.get_by_role("button", name="Adopter comme plan de référence").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("plan de référence")
    expect(page.locator("main")).to_contain_text("Plan adopté comme référence")
    assert watched.take() == []

    with Session(engine) as session:
        adopted = session.exec(select(Plan).where(Plan.programme_id == site.programme_id, Plan.is_baseline)).one()
        former = session.get(Plan, baseline.id)
        assert adopted.name == PLAN_NAME and former.adopted_at is not None and not former.is_baseline
        # The what-if never touched the programme's own data.
        programme = session.get(Programme, site.programme_id)
        assert programme.model_dump() == settings_before
        assert {wave.code: wave.max_schools for wave in session.exec(select(Wave).where(Wave.programme_id == programme.id))} == caps_before
        assert len(session.exec(select(School.id).where(School.programme_id == programme.id)).all()) == schools_before
    engine.dispose()
    page.context.close()
