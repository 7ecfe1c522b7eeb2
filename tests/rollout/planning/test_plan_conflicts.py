"""An infeasible programme's plan page: its conflicts in plain French beside links to the pages
where the leader changes what they are about, and the suggested relaxation tried in one click
as a new what-if scenario, the programme's own data untouched."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from rollout.core.author import Author
from rollout.models import Plan, Programme, Trainer, Wave
from rollout.planning.runs import queue_plan, run_plan
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
    assert "Le formateur AT-001 assure au plus 0 séances de formation par vague." in text
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
