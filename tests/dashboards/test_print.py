"""The print view of a dashboard: no navigation nor filter form, the filters and the data's date
stated in words, every figure with its table open, one figure across the page's width."""

from __future__ import annotations

import re

import pytest

from dashboards.views import FIGURES, PAGES
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)

FIGURE_BLOCK = re.compile(r'<script type="application/json" id="figure-([a-z_]+)">')


def record_a_briefing(engine, world, name: str) -> None:
    """The training page draws once the programme records a session: record one (a briefing)."""
    if name != "training":
        return
    from datetime import date

    from sqlmodel import Session, select

    from rollout.models import School, Trainer, TrainingSession
    with Session(engine) as session:
        school = session.exec(select(School).where(School.programme_id == world.programme_id)).first()
        trainer = session.exec(select(Trainer).where(Trainer.programme_id == world.programme_id)).first()
        session.add(TrainingSession(programme_id=world.programme_id, held_on=date(2015, 8, 28), trainer_id=trainer.id,
                                    audience="leadership", school_id=school.id, modality="face_to_face", hours=2,
                                    attendees=1))
        session.commit()


def _url(world, name: str, query: str) -> str:
    """The page's address with `query`; the school dashboard's for the first school by UAI."""
    if name == "school":
        query = f"?school={min(world.uais)}" + query.replace("?", "&")
    return f"/programmes/{world.programme_id}/dashboard" + ("" if name == "overview" else f"/{name}") + query


@pytest.mark.parametrize("name", list(PAGES))
def test_the_print_view_has_every_figure_and_table_and_no_navigation(client, engine, tracked, login, name: str) -> None:  # noqa: F811
    record_a_briefing(engine, tracked, name)
    login(client, "stakeholder")
    page = client.get(_url(tracked, name, "?basin=N&priority=none&print=1")).text
    drawn = [figure for figure, dashboard in FIGURES.items() if dashboard == name]
    assert FIGURE_BLOCK.findall(page) == drawn
    assert page.count("<table>") == len(drawn) and "<details>" not in page
    assert 'class="print-view"' in page
    assert 'class="site"' not in page and 'class="programme"' not in page and 'class="dashboards"' not in page
    assert 'class="filters"' not in page and "<form" not in page and "CSV" not in page
    assert "Filtres appliqués : Bassin : Nord, Éducation prioritaire : Hors éducation prioritaire" in page
    assert "Données au" in page


@pytest.mark.parametrize("name", list(PAGES))
def test_a_dashboard_links_to_its_print_view_with_its_filters(client, engine, tracked, login, name: str) -> None:  # noqa: F811
    record_a_briefing(engine, tracked, name)
    login(client, "stakeholder")
    page = client.get(_url(tracked, name, "?basin=N")).text
    assert f'href="{_url(tracked, name, "?basin=N&print=1").replace("&", "&amp;")}">Imprimer</a>' in page
    assert "<details>" in page  # tables fold away on screen
    if name != "school":  # whose school is a filter
        assert "Filtres appliqués : aucun." in client.get(_url(tracked, name, "?print=1")).text


def test_the_share_links_page_is_offered_to_leaders_only(client, world, login) -> None:
    login(client, "stakeholder")
    assert "/partages" not in client.get(_url(world, "overview", "")).text
    login(client, "district_leader")
    assert f'href="/programmes/{world.programme_id}/partages"' in client.get(_url(world, "overview", "")).text
