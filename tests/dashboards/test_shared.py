"""The dashboards through a share link: read by people without an account, showing no personal
data, answering one 404 to any secret no active link has, and leaking the secret nowhere."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from dashboards.views import FIGURES, PAGES
from rollout.core.author import Author
from rollout.models import AuditEvent, Programme, School, ShareLink, utcnow
from rollout.sharing import links
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)
from tests.dashboards.test_print import record_a_briefing

FIGURE_BLOCK = re.compile(r'<script type="application/json" id="figure-([a-z_]+)">')
HREF = re.compile(r'href="([^"]+)"')


def _link(engine: sa.Engine, programme_id: int, *, days: int = 7) -> tuple[int, str]:
    with Session(engine) as session:
        link, secret = links.create_link(session, programme=session.get(Programme, programme_id), label="Conseil",
                                         days=days, author=Author(actor="tests", channel="system"))
        session.flush()
        link_id = link.id
        session.commit()
    return link_id, secret


@pytest.fixture
def shared(engine: sa.Engine, world) -> str:
    """The secret of an active link to the world's programme."""
    return _link(engine, world.programme_id)[1]


def _events(engine: sa.Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def test_a_link_opens_the_overview_signed_out_without_the_apps_navigation(client, world, shared: str) -> None:
    response = client.get(f"/partage/{shared}")
    assert response.status_code == 200
    page = response.text
    assert "Lien de consultation en lecture seule, valable jusqu'au" in page
    assert set(FIGURE_BLOCK.findall(page)) == {name for name, dashboard in FIGURES.items() if dashboard == "overview"}
    assert 'class="site"' not in page and 'class="programme"' not in page and "/login" not in page
    assert 'method="post"' not in page.lower()
    own_links = [href for href in HREF.findall(page) if href.startswith("/") and not href.startswith("/static/")]
    assert own_links and all(href.startswith(f"/partage/{shared}") for href in own_links), own_links
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", list(PAGES))
def test_every_shareable_dashboard_opens_with_its_filters_kept(client, world, shared: str, name: str) -> None:
    response = client.get(f"/partage/{shared}/{name}?basin=N", follow_redirects=True)  # the overview's is /partage/<secret>
    assert response.status_code == 200
    assert f"/partage/{shared}/equity?basin=N" in response.text  # the navigation keeps the filters
    assert '<option value="N" selected>' in response.text
    assert client.get(f"/partage/{shared}/{name}?basin=nowhere", follow_redirects=True).status_code == 400


def test_the_print_view_opens_through_the_link(client, world, shared: str) -> None:
    page = client.get(f"/partage/{shared}/equity?basin=N&print=1").text
    assert 'class="print-view"' in page and "Filtres appliqués : Bassin : Nord." in page
    assert "Lien de consultation en lecture seule" in page and 'class="dashboards"' not in page and "<details>" not in page
    assert f'href="/partage/{shared}/equity?basin=N&amp;print=1"' in client.get(f"/partage/{shared}/equity?basin=N").text


def test_a_figures_csv_downloads_through_the_link(client, world, shared: str) -> None:
    response = client.get(f"/partage/{shared}/cascade.csv?basin=S")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"/partage/{shared}/nothing.csv").status_code == 404
    assert client.get(f"/partage/{shared}/nothing").status_code == 404


def test_no_personal_data_is_shown(client, engine: sa.Engine, tracked, shared: str) -> None:  # noqa: F811
    """No head teacher, no author of the history (whose figure is left out), no trainer's name,
    on any dashboard or CSV, the school dashboard's included (one school chosen for all)."""
    with Session(engine) as session:
        for index, school in enumerate(session.exec(select(School).where(School.programme_id == tracked.programme_id))):
            school.head_teacher_name, school.head_teacher_email = f"Principale Dupont{index}", f"ce.dupont{index}@ac-test.fr"
            session.add(school)
        session.commit()
    record_a_briefing(engine, tracked, "training")  # so that the training figures draw
    query = f"?school={min(tracked.uais)}"
    urls = [f"/partage/{shared}" + ("" if name == "overview" else f"/{name}") + query for name in PAGES]
    urls += [f"/partage/{shared}/{figure}.csv{query}" for figure, name in FIGURES.items()
             if name in PAGES and figure != "school_history"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for personal in ("Dupont", "ac-test.fr", "direction@test.invalid", "Formatrice Nord", "AT-001"):
            assert personal not in response.text, (url, personal)
    assert client.get(f"/partage/{shared}/school_history.csv{query}").status_code == 404


def test_unknown_expired_and_revoked_links_get_the_same_404_and_are_audited(client, engine: sa.Engine, world) -> None:
    revoked_id, revoked = _link(engine, world.programme_id)
    expired_id, expired = _link(engine, world.programme_id)
    with Session(engine) as session:
        session.execute(sa.update(ShareLink).where(ShareLink.id == revoked_id).values(revoked_at=utcnow()))
        session.execute(sa.update(ShareLink).where(ShareLink.id == expired_id)
                        .values(created_at=utcnow() - timedelta(days=8), expires_at=utcnow() - timedelta(days=1)))
        session.commit()
    unknown = "x" * 43
    answers = [client.get(f"/partage/{secret}") for secret in (unknown, expired, revoked)]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert len({answer.text.replace(secret, "") for answer, secret in zip(answers, (unknown, expired, revoked))}) == 1
    refused = [event for event in _events(engine, "refused") if event.entity == "sharelink"]
    assert [(event.entity_id, event.changes["reason"][1]) for event in refused] == [
        ("unknown", "unknown"), (str(expired_id), "expired"), (str(revoked_id), "revoked")]
    assert all(secret not in str(event.changes) for event in refused for secret in (unknown, expired, revoked))


def test_a_use_is_audited_once_per_visit_and_noted_on_the_link(client, engine: sa.Engine, world) -> None:
    link_id, secret = _link(engine, world.programme_id)
    for url in (f"/partage/{secret}", f"/partage/{secret}/equity", f"/partage/{secret}/cascade.csv"):
        assert client.get(url).status_code == 200
    [event] = _events(engine, "share_use")
    assert (event.entity, event.entity_id, event.district_id, event.actor) == ("sharelink", str(link_id), world.district_id,
                                                                                "anonymous")
    assert secret not in str(event.changes)
    with Session(engine) as session:
        assert session.get(ShareLink, link_id).last_used_at is not None


def test_a_link_opens_its_own_programme_only(client, engine: sa.Engine, world) -> None:
    _link_id, secret = _link(engine, world.other_programme_id)
    page = client.get(f"/partage/{secret}").text
    with Session(engine) as session:
        assert session.get(Programme, world.other_programme_id).name in page
        assert session.get(Programme, world.programme_id).name not in page


def test_every_dashboard_has_a_page_so_share_links_and_print_reach_it() -> None:
    """A dashboard added to DASHBOARDS without a Page would be missing from the navigation, the
    print view and share links, and the checks above (no head teacher…) would not open it."""
    from dashboards.views import DASHBOARDS

    assert set(DASHBOARDS) == set(PAGES), "add a Page to dashboards.views.PAGES for each new dashboard"
