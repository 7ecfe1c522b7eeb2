"""A project manager works from the adopted plan in the browser, on a small programme served by
gunicorn: a vendor's planned leadership session recorded as held in two clicks (it is then held
in the database and on the page, the schools' « équipe de direction informée » milestone follows
with its source, the audit has both), and the vendor's private calendar feed created, read
without a sign-in, and revoked. A stakeholder never sees a trainer's pages or feeds.

SQLite only: the served database is not the subject here; the route tests
(tests/rollout/training/) run both engines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

import icalendar
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout.models import AuditEvent, Milestone, Programme, School, Trainer
from rollout.models.training import TrainingSession
from rollout.training.planned import PlannedEntry, planned_sessions
from tests.browser.served import Watched, new_page, serious_violations
from tests.conftest import WORLD_EMAILS, WORLD_PASSWORD, World
from tests.rollout.live_server import LiveServer, live_server
from tests.rollout.training.test_planned_sessions import adopted_plan

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

VENDOR = "V-1"


@pytest.fixture
def served(browser, engine: sa.Engine, world: World, tmp_path) -> Iterator[tuple[Browser, LiveServer]]:
    """The world's programme with its adopted plan, served by gunicorn for one test."""
    adopted_plan(engine, world)
    with live_server(tmp_path, engine.url.render_as_string(hide_password=False)) as server:
        yield browser, server
    assert "Traceback" not in server.log.read_text(), server.log.read_text()


def _sign_in(page: Page, url: str, role: str) -> None:
    """Through the real form, as a person would."""
    page.goto(url + "/login")
    page.get_by_label("Adresse électronique").fill(WORLD_EMAILS[role])
    page.get_by_label("Mot de passe").fill(WORLD_PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda address: "/login" not in address)


def _vendor_entries(engine: sa.Engine, world: World) -> list[PlannedEntry]:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        vendor = session.exec(select(Trainer).where(Trainer.programme_id == programme.id, Trainer.code == VENDOR)).one()
        return planned_sessions(session, programme=programme, trainer=vendor)


def test_a_planned_session_is_recorded_in_two_clicks_and_the_feed_follows_the_plan(
        served, engine: sa.Engine, world: World) -> None:
    from playwright.sync_api import expect

    browser, server = served
    entries = _vendor_entries(engine, world)
    entry = next(e for e in entries if e.audience == "leadership")
    assert entry.state == "missed" and entry.start <= date.today(), "the world's waves have all ended"
    first_uai = entry.members[0]
    programme_path = f"{server.url}/programmes/{world.programme_id}"

    page = new_page(browser)
    watched = Watched()
    watched.attach(page)
    _sign_in(page, server.url, "project_manager")

    # From the trainers' list to the vendor's planned sessions.
    page.goto(f"{programme_path}/training/planned")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert serious_violations(page) == []
    page.locator("main").get_by_role("link", name=VENDOR, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(VENDOR)
    row = page.locator("main tbody tr").filter(has_text=f"({first_uai})")
    expect(row).to_have_count(1)

    # Click one: the prefilled form (the wave's last day, its date clamped into the ended wave).
    row.get_by_role("link", name="Marquer comme réalisée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marquer comme réalisée")
    expect(page.get_by_label("Date de la séance")).to_have_value(entry.end.isoformat())
    expect(page.get_by_label("Participants (par établissement)")).to_have_value("2")
    assert serious_violations(page) == []

    # Click two: recorded, back on the list where the entry is held.
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator("main")).to_contain_text("Séance enregistrée comme réalisée.")
    expect(row.locator("td.state-held")).to_have_text("réalisée")
    expect(row.get_by_role("link", name="Marquer comme réalisée")).to_have_count(0)

    with Session(engine) as session:
        school_ids = dict(session.exec(select(School.uai, School.id).where(col(School.uai).in_(entry.members),
                                                                           School.programme_id == world.programme_id)).all())
        held = session.exec(select(TrainingSession).where(TrainingSession.programme_id == world.programme_id,
                                                          TrainingSession.audience == "leadership")).all()
        assert sorted((s.school_id, s.held_on, s.status, s.planned_wave) for s in held) == sorted(
            (school_ids[uai], entry.end, "held", entry.wave) for uai in entry.members)
        created = session.exec(select(AuditEvent).where(AuditEvent.entity == "training_session")).all()
        assert sorted(int(e.entity_id) for e in created) == sorted(s.id for s in held)
        assert {(e.action, e.actor, e.channel) for e in created} == {("create", WORLD_EMAILS["project_manager"], "form")}
        milestone = session.exec(select(Milestone).where(Milestone.school_id == school_ids[first_uai],
                                                         Milestone.kind == "leadership_briefed")).one()
        assert (milestone.status, milestone.actual_on, milestone.source) == ("done", entry.end, "sessions")
        assert session.exec(select(AuditEvent).where(AuditEvent.entity == "milestone",
                                                     AuditEvent.entity_id == str(milestone.id))).all()

    # The school's page: the milestone done on that day, with where it came from.
    page.goto(f"{programme_path}/progress/{first_uai}")
    briefed = page.locator("main tr").filter(has=page.get_by_role("rowheader", name="Équipe de direction informée"))
    expect(briefed).to_contain_text("Terminé")
    expect(briefed).to_contain_text(f"{entry.end:%d/%m/%Y} (d'après 1 séance réalisée)")

    # The vendor's private feed: created on the page, its address shown once.
    page.goto(f"{programme_path}/training/planned/{VENDOR}")
    page.get_by_role("button", name="Créer une adresse de flux").click()
    address = page.locator("#new-feed").inner_text()
    assert re.fullmatch(rf"{re.escape(server.url)}/feeds/[A-Za-z0-9_-]+\.ics", address), address
    anonymous = browser.new_context()  # no cookie: the feed needs no sign-in
    answer = anonymous.request.get(address)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(answer.text()).walk("VEVENT")
    assert sorted((e.decoded("dtstart"), e.decoded("dtend")) for e in events) == sorted(
        (e.start, e.end + timedelta(days=1)) for e in _vendor_entries(engine, world))
    states = sorted(str(e.get("description")).rsplit("État : ", 1)[1] for e in events)
    assert sum(state.startswith("Réalisée") for state in states) == 1, states
    assert all(state.startswith(("Réalisée", "Non réalisée")) for state in states), states

    # Revoked from the page: the same address then answers 404.
    feeds = page.locator("main table").filter(has=page.get_by_role("columnheader", name="Dernier usage"))
    feeds.get_by_role("button", name="Révoquer").click()
    expect(page.locator("main")).to_contain_text("Flux révoqué")
    expect(feeds).to_contain_text("révoqué")
    assert anonymous.request.get(address).status == 404
    anonymous.close()
    with Session(engine) as session:
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "trainerfeed").order_by(AuditEvent.id)).all()
        assert actions[0] == "feed_create" and "feed_use" in actions and actions[-2:] == ["feed_revoke", "refused"]
    assert watched.take() == []
    page.context.close()

    # A stakeholder reads the school but never a trainer's planned sessions or their feeds.
    reader = new_page(browser)
    _sign_in(reader, server.url, "stakeholder")
    reader.goto(f"{programme_path}/trainers")
    expect(reader.get_by_role("heading", level=1)).to_be_visible()
    assert reader.locator("main a[href*='/training/planned']").count() == 0
    assert reader.locator("main a[href*='/feeds/'], main form[action*='/feed']").count() == 0
    refused = reader.goto(f"{programme_path}/training/planned/{VENDOR}")
    assert refused.status == 403
    assert "/feeds/" not in reader.content() and "Créer une adresse de flux" not in reader.content()
    reader.goto(f"{programme_path}/progress/{first_uai}")
    expect(reader.locator("main")).to_contain_text("Équipe de direction informée")
    assert "/feeds/" not in reader.content()
    reader.context.close()
