"""The leadership, school, trainers and training pages: every reader role sees them, another district's
leader gets 404, an invalid filter 400 with its name, each figure's CSV downloads."""

from __future__ import annotations

import json
import re

import pytest

from tests.dashboards.test_overview_queries import live  # noqa: F401  (fixture)
from tests.dashboards.test_training_queries import delivered  # noqa: F401  (fixture)
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)

FIGURE_BLOCK = re.compile(r'<script type="application/json" id="figure-([a-z_]+)">(.*?)</script>', re.DOTALL)
READERS = ("admin", "district_leader", "project_manager", "stakeholder")
SCHOOL_FIGURES = ("school_milestones", "school_history", "school_services", "school_profiles", "school_adoption",
                  "school_years")
PAGES = {"leadership": ("leadership", "leadership_schools"), "trainers": ("trainer_load",), "school": SCHOOL_FIGURES}
"""Each page (its address after /dashboard/) and the figures it draws, in order."""


def _url(world, page: str, query: str = "") -> str:
    """The page's address; the school page's for the first school by UAI (live, with usage and history)."""
    if page == "school":
        query = f"?school={min(world.uais)}" + query.replace("?", "&")
    return f"/programmes/{world.programme_id}/dashboard/{page}{query}"


@pytest.mark.parametrize("page", PAGES)
def test_every_reader_sees_the_page_and_another_district_does_not(app, live, login, page: str) -> None:  # noqa: F811
    for role in READERS:
        client = app.test_client()
        login(client, role)
        response = client.get(_url(live, page))
        assert response.status_code == 200, role
        blocks = dict(FIGURE_BLOCK.findall(response.text))
        assert tuple(blocks) == PAGES[page], role
        assert all(json.loads(text)["layout"]["template"] for text in blocks.values())
        assert response.text.count("<caption>") == len(PAGES[page])
    other = app.test_client()
    login(other, "other_leader")
    assert other.get(_url(live, page)).status_code == 404
    for figure in PAGES[page]:
        assert other.get(f"/programmes/{live.programme_id}/dashboard/{figure}.csv").status_code == 404
        response = client_csv(app, login, f"/programmes/{live.programme_id}/dashboard/{figure}.csv", _url(live, page))
        assert response.status_code == 200 and response.mimetype == "text/csv", figure


@pytest.mark.parametrize("page", PAGES)
def test_an_invalid_filter_answers_400_with_its_name(client, live, login, page: str) -> None:  # noqa: F811
    login(client, "stakeholder")
    for url in (_url(live, page, "?wave=W9"), f"/programmes/{live.programme_id}/dashboard/{PAGES[page][0]}.csv?wave=W9",
                f"/programmes/{live.programme_id}/dashboard/{page}?school=0000000A"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Filtre « " in response.text and "reconnue pour ce programme" in response.text


@pytest.mark.parametrize("page", PAGES)
def test_the_nav_links_every_dashboard_and_keeps_the_filters(client, live, login, page: str) -> None:  # noqa: F811
    login(client, "stakeholder")
    text = client.get(_url(live, page, "?year=2015-2016")).text
    query = f"?school={min(live.uais)}&amp;year=2015-2016" if page == "school" else "?year=2015-2016"
    for target in ("", "/equity", "/leadership", "/school", "/trainers", "/training"):
        assert f'href="/programmes/{live.programme_id}/dashboard{target}{query}"' in text
    assert 'aria-current="page"' in text


def test_the_leadership_csv_holds_the_groups(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    response = client.get(f"/programmes/{live.programme_id}/dashboard/leadership.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("Direction informée avant l'ouverture;1;")  # the first school, briefed in August
    assert lines[3].startswith("Direction non informée;1;")
    schools = client.get(f"/programmes/{live.programme_id}/dashboard/leadership_schools.csv").data.decode("utf-8-sig")
    assert len(schools.splitlines()) == 3  # the heading and the two live schools


def client_csv(app, login, csv: str, page: str):
    """The CSV of a figure for the page's own query string (the school's), as a stakeholder."""
    client = app.test_client()
    login(client, "stakeholder")
    return client.get(csv + (page[page.index("?"):] if "?" in page else ""))


def test_a_school_address_leads_to_its_dashboard_and_another_districts_school_is_404(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    uai = min(live.uais)
    response = client.get(f"/programmes/{live.programme_id}/dashboard/schools/{uai.lower()}?year=2015-2016")
    assert response.status_code == 302
    assert response.location.endswith(f"/programmes/{live.programme_id}/dashboard/school?school={uai}&year=2015-2016")
    assert client.get(f"/programmes/{live.programme_id}/dashboard/schools/{live.other_uai}").status_code == 404
    assert client.get(f"/programmes/{live.programme_id}/dashboard/school?school={live.other_uai}").status_code == 400
    assert client.get(f"/programmes/{live.other_programme_id}/dashboard/schools/{live.other_uai}").status_code == 404
    assert f'href="/programmes/{live.programme_id}/dashboard/schools/{uai}"' in client.get(
        f"/programmes/{live.programme_id}/progress/{uai}").text


def test_the_school_page_asks_for_a_school_until_one_is_chosen(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    page = client.get(f"/programmes/{live.programme_id}/dashboard/school").text
    assert "Choisissez un établissement" in page and not FIGURE_BLOCK.findall(page)
    assert f'<option value="{min(live.uais)}">' in page
    assert client.get(f"/programmes/{live.programme_id}/dashboard/school_years.csv").status_code == 404


def test_the_school_page_shows_its_history_and_the_slips(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    page = client.get(_url(live, "school")).text
    assert "direction@test.invalid" in page  # who adopted the plan, in the history
    milestones = client_csv(client.application, login, f"/programmes/{live.programme_id}/dashboard/school_milestones.csv",
                            _url(live, "school")).data.decode("utf-8-sig").splitlines()
    assert milestones[5].startswith("Établissement ouvert;18/12/2015;18/12/2015;Terminé;0")


def test_without_an_adopted_plan_the_trainers_page_says_so(client, engine, live, login) -> None:  # noqa: F811
    from sqlmodel import Session, select

    from rollout.models import Plan
    with Session(engine) as session:
        for plan in session.exec(select(Plan).where(Plan.programme_id == live.programme_id)):
            plan.is_baseline = False
            session.add(plan)
        session.commit()
    login(client, "stakeholder")
    response = client.get(_url(live, "trainers"))
    assert response.status_code == 200 and "Aucun plan n'est adopté" in response.text
    assert not FIGURE_BLOCK.findall(response.text)
    assert client.get(f"/programmes/{live.programme_id}/dashboard/trainer_load.csv").status_code == 404


def test_shared_dashboards_show_no_personal_data(app, engine, live) -> None:  # noqa: F811
    from sqlmodel import Session

    from dashboards.queries.filters import Filters
    from dashboards.views import DASHBOARDS
    from rollout.models import Programme
    with Session(engine) as session:
        programme = session.get(Programme, live.programme_id)
    one_school = Filters(school=min(live.uais))
    with app.test_request_context():
        private = {"school": DASHBOARDS["school"](programme, one_school), "trainers": DASHBOARDS["trainers"](programme, Filters())}
        shared = {(name, filters): DASHBOARDS[name](programme, filters, shared=True)
                  for name in DASHBOARDS for filters in (Filters(), one_school)}

    def text(drawn) -> str:
        return json.dumps([[item.figure.to_json(), item.table.columns, item.table.rows] for item in drawn],
                          default=str, ensure_ascii=False)

    assert "direction@test.invalid" in text(private["school"]) and "Formatrice Nord" in text(private["trainers"])
    assert [item.name for item in shared["school", one_school]] == [name for name in SCHOOL_FIGURES
                                                                    if name != "school_history"]
    everything = "".join(text(drawn) for drawn in shared.values())
    for personal in ("@test.invalid", "Formatrice Nord", "Formateur Sud", "AT-001", "AT-002", "V-1"):
        assert personal not in everything, personal
    trainers = shared["trainers", Filters()][0].table.rows[::3]  # a row per trainer and wave: three waves
    assert [row[0] for row in trainers] == ["Formateur 1", "Formateur 2", "Formateur 3"]


def test_the_pages_speak_english_through_the_catalogue(client, live, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    leadership = client.get(_url(live, "leadership", "?lang=en")).text
    assert "Leadership briefed before go-live" in leadership and "Direction informée" not in leadership
    school = client.get(_url(live, "school", "?lang=en")).text
    assert "Milestones: planned and done" in school and "School years compared" in school
    assert "Sessions per trainer and wave" in client.get(_url(live, "trainers", "?lang=en")).text


TRAINING_FIGURES = ("training_cascade", "training_workload", "training_hours", "training_courses")


def test_every_reader_opens_the_training_page_with_aggregates_only(app, delivered, login) -> None:  # noqa: F811
    for role in READERS:
        client = app.test_client()
        login(client, role)
        response = client.get(_url(delivered, "training"))
        assert response.status_code == 200, role
        blocks = dict(FIGURE_BLOCK.findall(response.text))
        assert tuple(blocks) == TRAINING_FIGURES, role
        assert response.text.count("<caption>") == len(TRAINING_FIGURES)
        assert "/feeds/" not in response.text and ".ics" not in response.text, role  # no trainer's feed
        for personal in ("Formatrice Nord", "Formateur Sud", "AT-001", "V-1"):  # as a word: not inside a random token
            assert not re.search(rf"(?<![\w-]){re.escape(personal)}(?![\w-])", response.text), (role, personal)
        csv = client.get(f"/programmes/{delivered.programme_id}/dashboard/training_workload.csv")
        assert csv.status_code == 200 and "Vague 1;4;4;1" in csv.data.decode("utf-8-sig"), role
    other = app.test_client()
    login(other, "other_leader")
    assert other.get(_url(delivered, "training")).status_code == 404
    assert other.get(f"/programmes/{delivered.programme_id}/dashboard/training_cascade.csv").status_code == 404


def test_the_training_page_filters_prints_and_speaks_english(client, delivered, login) -> None:  # noqa: F811
    login(client, "stakeholder")
    assert client.get(_url(delivered, "training", "?wave=W9")).status_code == 400
    printed = client.get(_url(delivered, "training", "?wave=W2&print=1")).text
    assert "Filtres appliqués" in printed and "Vague 2" in printed and "<details>" not in printed
    english = client.get(_url(delivered, "training", "?lang=en")).text
    assert "Training cascade delivered" in english and "Online course completion" in english


def test_without_sessions_the_training_page_says_so(client, live, login) -> None:  # noqa: F811
    login(client, "project_manager")
    response = client.get(_url(live, "training"))
    assert response.status_code == 200 and "n'enregistre aucune session de formation" in response.text
    assert not FIGURE_BLOCK.findall(response.text)
    assert client.get(f"/programmes/{live.programme_id}/dashboard/training_cascade.csv").status_code == 404
