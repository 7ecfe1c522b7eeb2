"""The overview page: figures as JSON blocks for figures.js, a table and a CSV per figure,
filters in the query string refused by name, plotly.js from the installed package."""

from __future__ import annotations

import json
import re

import plotly
import pytest

from dashboards.plotly_asset import plotly_style_ids
from rollout.security import CONTENT_SECURITY_POLICY
from tests.dashboards.test_overview_queries import live  # noqa: F401  (fixture)
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)

FIGURES = ("plan_vs_actual", "wave_timeline", "cascade", "usage_by_category", "pedagogical_share", "school_map")
ALL_FIGURES = (*FIGURES, "equity")
FIGURE_BLOCK = re.compile(r'<script type="application/json" id="figure-([a-z_]+)">(.*?)</script>', re.DOTALL)


def _url(world, query: str = "") -> str:
    return f"/programmes/{world.programme_id}/dashboard{query}"


def test_the_overview_sends_every_figure_as_json_with_a_caption_and_a_table(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    response = client.get(_url(live))
    assert response.status_code == 200
    page = response.text
    blocks = dict(FIGURE_BLOCK.findall(page))
    assert tuple(blocks) == FIGURES
    for name, text in blocks.items():
        figure = json.loads(text)
        assert figure["data"] and figure["layout"]["template"], name
        assert f'data-figure="figure-{name}"' in page
    assert page.count("<caption>") == len(FIGURES) and page.count("<figcaption>") == len(FIGURES)
    assert 'th scope="col"' in page and 'th scope="row"' in page
    assert "2 / 6" in page and "Données au" in page
    assert f"/dashboards/plotly.min.js?v={plotly.__version__}" in page and "/static/figures.js" in page
    assert "<script>" not in page  # no inline script: the CSP stays strict
    assert '<link id="plotly.js-style-global" class="no-inline-styles"' in page  # nor injected style
    assert all(f'<template id="{id}">' in page for id in plotly_style_ids()) and plotly_style_ids()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_school_name_cannot_end_its_figures_script_block(client, live, login, engine) -> None:  # noqa: F811
    from sqlmodel import Session, select

    from rollout.models import School
    with Session(engine) as session:
        school = session.exec(select(School).where(School.programme_id == live.programme_id)).first()
        school.name = "</script><script>alert(1)</script>"
        session.add(school)
        session.commit()
    login(client, "stakeholder")
    page = client.get(_url(live)).text
    assert "<script>alert(1)" not in page
    assert len(FIGURE_BLOCK.findall(page)) == len(FIGURES)


def test_filters_in_the_query_string_narrow_the_view_and_the_links_keep_them(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    page = client.get(_url(live, "?wave=W2&year=2015-2016")).text
    assert "0 / 2" in page
    assert f"/programmes/{live.programme_id}/dashboard/cascade.csv?wave=W2&amp;year=2015-2016" in page


@pytest.mark.parametrize("query", ["?basin=ZZ", "?priority=rep", "?wave=W9", "?year=2016", "?start=hier",
                                   "?start=2016-03-01&end=2016-01-01", "?end=" + "9" * 200])
def test_an_invalid_filter_answers_400_with_its_name(client, live, login, query: str) -> None:  # noqa: F811
    login(client, "stakeholder")
    for url in (_url(live, query), f"/programmes/{live.programme_id}/dashboard/cascade.csv{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Filtre « " in response.text and "reconnue pour ce programme" in response.text


def test_each_figures_data_downloads_as_csv(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    for name in ALL_FIGURES:
        response = client.get(f"/programmes/{live.programme_id}/dashboard/{name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv", name
    cascade = client.get(f"/programmes/{live.programme_id}/dashboard/cascade.csv").data.decode("utf-8-sig")
    assert cascade.splitlines()[2:4] == ["Directions sensibilisées;1", "Enseignants formés;25"]
    timeline = client.get(f"/programmes/{live.programme_id}/dashboard/wave_timeline.csv?wave=W1").data.decode("utf-8-sig")
    assert timeline.splitlines()[-1].endswith(";18/12/2015;08/01/2016;21")  # French dates, the slip in days
    assert client.get(f"/programmes/{live.programme_id}/dashboard/nothing.csv").status_code == 404


def test_plotly_js_comes_from_the_installed_package_with_long_caching(client) -> None:
    response = client.get(f"/dashboards/plotly.min.js?v={plotly.__version__}")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=31536000"
    assert plotly.__version__.encode() in response.data[:2000] or b"plotly" in response.data[:2000].lower()


def test_the_programme_pages_link_to_the_dashboard(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    link = f'href="/programmes/{live.programme_id}/dashboard"'
    assert link in client.get("/").text
    assert link in client.get(f"/programmes/{live.programme_id}/progress").text


def test_the_page_speaks_english_through_the_catalogue(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    page = client.get(_url(live, "?lang=en")).text
    assert "Programme dashboard" in page and "Pedagogical share per school" in page


def test_the_equity_page_draws_the_three_groups_and_keeps_the_filters(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    response = client.get(f"/programmes/{live.programme_id}/dashboard/equity?year=2015-2016")
    assert response.status_code == 200
    (name, text), = FIGURE_BLOCK.findall(response.text)
    assert name == "equity" and json.loads(text)["data"][0]["type"] == "bar"
    assert f'href="/programmes/{live.programme_id}/dashboard?year=2015-2016"' in response.text  # to the overview, same filters
    assert client.get(f"/programmes/{live.programme_id}/dashboard/equity?wave=W9").status_code == 400
