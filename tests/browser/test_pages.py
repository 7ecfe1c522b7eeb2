"""The main pages in a real browser: headless Chromium (Debian's) driven by Playwright against
the demo served by gunicorn, as each role signed in through the real form.

What only a browser sees: console errors (a CSP refusal is one), requests that fail, what a
role is offered to click, and accessibility as axe-core measures it (RGAA, which French public
bodies must meet, builds on the same WCAG criteria).

One server and one browser for the whole session, one signed-in context per role: the demo
load and the browser start are most of the time, so they happen once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.served import (
    ROLES,
    Site,
    Watched,
    new_page,
    served_demo,
    serious_violations,
)

EDIT_CONTROLS = "main form[method=post i], main a:text-is('Modifier'), main a:has-text('Importer')"


@pytest.fixture(scope="session")
def site(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo served by gunicorn, once per session (after the browser: no browser, no load)."""
    with served_demo(tmp_path_factory.mktemp("browser")) as site:
        yield site
    assert "Traceback" not in site.log.read_text(), site.log.read_text()


@pytest.fixture(scope="session")
def signed_in(browser, site: Site):
    """One page per role, signed in through the form, reused by every test of the session."""
    pages = {}

    def page_for(role: str):
        if role not in pages:
            page = new_page(browser)
            watched = Watched()
            watched.attach(page)
            site.sign_in(page, role)
            pages[role] = (page, watched)
        return pages[role]

    yield page_for
    for page, _ in pages.values():
        page.context.close()


@pytest.mark.parametrize("role", ROLES)
def test_main_pages_load_cleanly_for_each_role(signed_in, site: Site, role: str) -> None:
    """Every main page answers, with no console error and no failed request, for every role;
    a stakeholder, who only reads, is offered no edit control on any of them."""
    page, watched = signed_in(role)
    assert watched.take() == [], "signing in"
    for name, path in site.pages().items():
        response = page.goto(site.url + path)
        assert response is not None and response.ok, (name, response and response.status)
        assert page.locator("main h1").count() >= 1, name
        _wait_for_every_figure(page)
        assert watched.take() == [], name
        if role == "stakeholder":
            assert page.locator(EDIT_CONTROLS).count() == 0, name


def _wait_for_every_figure(page) -> None:
    """Every figure a dashboard sends as JSON is drawn by plotly.js (an SVG in its place);
    the overview has six, equity one, leadership two, a school six (its history included for a
    signed-in reader), trainers one (the demo has an adopted plan)."""
    expected = page.locator("[data-figure]").count()
    minimum = {"/dashboard": 6, "/dashboard/equity": 1, "/dashboard/leadership": 2, "/dashboard/school": 6,
               "/dashboard/trainers": 1}
    for ending, count in minimum.items():
        if page.url.split("?")[0].endswith(ending):
            assert expected >= count, (page.url, expected)
    if expected == 0:
        return
    page.wait_for_function(f"document.querySelectorAll('[data-figure] .main-svg').length >= {expected}",
                           timeout=10_000)


@pytest.mark.parametrize("name", ["schools", "school"])
def test_a_district_leader_sees_the_edit_controls_a_stakeholder_does_not(signed_in, site: Site, name: str) -> None:
    """The stakeholder's check above finds edit controls where they exist: "Importer" on the
    schools list, "Modifier" on a school's milestones, a form that posts changes."""
    page, _ = signed_in("district_leader")
    page.goto(site.url + site.pages()[name], wait_until="domcontentloaded")
    assert page.locator(EDIT_CONTROLS).count() > 0


def test_a_dashboard_filter_goes_into_the_address_and_redraws_the_figures(signed_in, site: Site) -> None:
    """Filtering the overview (as a stakeholder: reading is all it takes) puts the filter in
    the URL, so that a copied link reproduces the view, and every figure is drawn again from
    other numbers."""
    page, watched = signed_in("stakeholder")
    page.goto(site.url + site.pages()["dashboard"])
    _wait_for_every_figure(page)
    before = _figures_data(page)
    page.get_by_label("Éducation prioritaire").select_option("REP+")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(lambda url: "priority=REP%2B" in url)
    _wait_for_every_figure(page)
    after = _figures_data(page)
    assert after.keys() == before.keys()
    assert all(after[name] != before[name] for name in before), [name for name in before if after[name] == before[name]]
    assert watched.take() == []


def _figures_data(page) -> dict[str, str]:
    """Each figure's JSON as the page delivered it, by the id of its block."""
    return page.eval_on_selector_all("script[type='application/json']",
                                     "blocks => Object.fromEntries(blocks.map(b => [b.id, b.textContent]))")


def test_no_serious_accessibility_violation(browser, signed_in, site: Site) -> None:
    """axe-core finds no serious or critical violation on the sign-in page and on each main
    page as a district leader (who is offered the most controls)."""
    found = {}
    anonymous = new_page(browser)
    anonymous.goto(site.url + "/login")
    found["login"] = serious_violations(anonymous)
    anonymous.context.close()
    page, _ = signed_in("district_leader")
    for name, path in site.pages().items():
        page.goto(site.url + path)
        found[name] = serious_violations(page)
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_a_share_link_works_signed_out_and_stops_working_once_revoked(browser, signed_in, site: Site) -> None:
    """A district leader creates a link through the form; a browser with no account opens it and
    sees the figures drawn, with no way into the signed-in app; once the leader revokes the link,
    the same address answers 404. axe-core checks both the links page and the shared page."""
    label = "Conseil départemental du 12 janvier"
    leader, leader_watched = signed_in("district_leader")
    links_page = f"{site.url}/programmes/{site.programme_id}/partages"
    leader.goto(links_page)
    leader.get_by_label("Pour qui, pour quoi").fill(label)
    leader.get_by_label("Durée de validité").select_option("7")
    leader.get_by_role("button", name="Créer un lien").click()
    address = leader.locator("#new-share-link").inner_text()
    assert address.startswith(site.url + "/partage/"), address
    assert serious_violations(leader) == []

    visitor = new_page(browser)
    watched = Watched()
    watched.attach(visitor)
    response = visitor.goto(address)
    assert response is not None and response.ok
    assert visitor.locator("[data-figure]").count() >= 6
    _wait_for_every_figure(visitor)
    assert "Lien de consultation en lecture seule, valable jusqu'au" in visitor.locator("main").inner_text()
    assert visitor.locator("header.site, nav.programme, a[href^='/login'], main form[method=post i]").count() == 0
    assert watched.take() == []
    assert serious_violations(visitor) == []

    leader.goto(links_page)
    leader.locator("tr", has_text=label).get_by_role("button", name="Révoquer").click()
    assert "révoqué" in leader.locator("tr", has_text=label).inner_text()
    assert leader_watched.take() == []
    response = visitor.goto(address)
    assert response is not None and response.status == 404
    visitor.context.close()
    log = site.log.read_text()
    assert address.rsplit("/", 1)[1] not in log and "GET /partage/… HTTP/1.1" in log  # the access log hides the secret


@pytest.mark.parametrize("name", ["dashboard", "equity"])
def test_the_print_view_draws_every_figure_without_navigation(signed_in, site: Site, name: str) -> None:
    """The print view of a dashboard: its figures drawn, its tables open, no navigation, no form."""
    page, watched = signed_in("stakeholder")
    page.goto(site.url + site.pages()[name] + "?print=1")
    _wait_for_every_figure(page)
    figures = page.locator("[data-figure]").count()
    assert figures >= 1 and page.locator("main table:visible").count() == figures
    assert page.locator("header.site, nav.programme, nav.dashboards, form.filters, details").count() == 0
    assert "Filtres appliqués" in page.locator("main").inner_text()
    assert watched.take() == []


def test_a_plan_page_follows_its_solve_live_and_shows_the_plan_once_it_ends(signed_in, site: Site) -> None:
    """What a worker writes to the plan's row reaches an open plan page without a reload: the
    figures and the curve of objective and bound (drawn under the CSP); once the solve has
    ended, the page reloads itself and shows the outcome. The rows are written here as a worker
    would write them, so the test does not wait on a real solve."""
    import re

    from playwright.sync_api import expect
    from sqlmodel import Session

    from rollout.db import make_engine
    from rollout.models import Plan, utcnow

    engine = make_engine(site.database_url)
    now = utcnow()
    with Session(engine) as session:
        plan = Plan(programme_id=site.programme_id, name="Suivi en direct", status="solving", scenario={},
                    time_limit=120, started_at=now, heartbeat_at=now, elapsed=2.0, objective=200_000.0,
                    bound=150_000.0, gap=0.25, progress=[[0.5, 210_000.0, None], [2.0, 200_000.0, 150_000.0]])
        session.add(plan)
        session.commit()
        plan_id = plan.id
    page, watched = signed_in("district_leader")
    page.goto(f"{site.url}/programmes/{site.programme_id}/plans/{plan_id}")
    page.wait_for_function("document.querySelectorAll('#plan-curve .main-svg').length > 0", timeout=10_000)
    assert "calcul en cours" in page.locator("[data-field=status]").inner_text()
    assert page.get_by_role("button", name="Arrêter le calcul et garder le meilleur plan").is_visible()
    assert serious_violations(page) == []

    with Session(engine) as session:
        row = session.get(Plan, plan_id)
        row.progress = [*row.progress, [5.0, 180_000.0, 170_000.0]]
        row.objective, row.bound, row.elapsed, row.heartbeat_at = 180_000.0, 170_000.0, 5.0, utcnow()
        session.add(row)
        session.commit()
    expect(page.locator("[data-field=bound]")).to_have_text(re.compile(r"^170\D000,0$"), timeout=10_000)
    expect(page.locator("#plan-summary")).to_contain_text(re.compile(r"^Chiffres provisoires.* mieux que 170\D000 "))

    with Session(engine) as session:
        row = session.get(Plan, plan_id)
        row.status, row.finished_at = "stopped", utcnow()
        session.add(row)
        session.commit()
    expect(page.locator("[data-field=status]")).to_have_text("arrêté", timeout=10_000)
    assert page.get_by_role("button", name="Arrêter le calcul et garder le meilleur plan").count() == 0
    assert watched.take() == []
    engine.dispose()


def test_a_plan_page_shows_its_result_under_the_csp_and_its_exports_download(signed_in, site: Site) -> None:
    """The demo's baseline, as a stakeholder reads it: the sentence on objective and bound, its
    four figures drawn (their JSON and the static script pass the CSP), the schools wave by wave,
    nothing serious for axe-core, and a trainer's calendar and the plan's workbook downloaded."""
    from sqlmodel import Session, select

    from rollout.db import make_engine
    from rollout.models import Plan

    engine = make_engine(site.database_url)
    with Session(engine) as session:
        base = session.exec(select(Plan).where(Plan.programme_id == site.programme_id, Plan.is_baseline)).one()
        plan_id, schools = base.id, len(base.result["assignments"])
    engine.dispose()
    page, watched = signed_in("stakeholder")
    page.goto(f"{site.url}/programmes/{site.programme_id}/plans/{plan_id}")
    page.wait_for_function("document.querySelectorAll('[data-figure] .main-svg').length >= 4", timeout=10_000)
    assert page.locator("#plan-summary").inner_text().startswith("Objectif ")
    assert page.locator("#plan-schools tbody tr").count() == schools
    assert serious_violations(page) == []
    assert watched.take() == []  # no console error: the CSP refused nothing
    with page.expect_download() as calendar:
        page.locator("#plan-calendars a").first.click()
    assert calendar.value.suggested_filename.endswith(".ics")
    with page.expect_download() as workbook:
        page.get_by_role("link", name="classeur (XLSX)").click()
    assert workbook.value.suggested_filename == f"plan-{plan_id}.xlsx"
    # A download ends the navigation its click began, which the browser reports as aborted.
    aborted = watched.take()
    assert len(aborted) == 2 and all(entry.endswith("net::ERR_ABORTED") for entry in aborted), aborted


def test_a_leader_compares_a_plan_with_the_baseline_in_one_click(signed_in, site: Site) -> None:
    """From a plan's page, "compare with the baseline" opens the comparison: its curves are drawn
    (the figure's JSON and static script pass the CSP), the school moved is listed, and axe-core
    finds nothing serious. The second plan is the demo's baseline with one school moved, written
    here as a worker would."""
    from playwright.sync_api import expect
    from sqlmodel import Session, select

    from rollout.db import make_engine
    from rollout.models import Plan

    engine = make_engine(site.database_url)
    with Session(engine) as session:
        base = session.exec(select(Plan).where(Plan.programme_id == site.programme_id, Plan.is_baseline)).one()
        waves = [wave["id"] for wave in base.scenario["waves"]]
        moved = dict(base.result["assignments"][0])
        moved["wave"] = next(wave for wave in waves if wave != moved["wave"])
        result = {**base.result, "assignments": [moved, *base.result["assignments"][1:]]}
        variant = Plan(programme_id=site.programme_id, name="Variante", status="feasible", scenario=base.scenario, result=result,
                       objective=base.objective, bound=base.bound)
        session.add(variant)
        session.commit()
        variant_id, base_id = variant.id, base.id
    page, watched = signed_in("district_leader")
    page.goto(f"{site.url}/programmes/{site.programme_id}/plans/{variant_id}")
    page.locator("#compare-with-baseline").click()
    # The plan page has figures too: wait for the comparison page before waiting for its chart.
    expect(page.locator("main h1")).to_have_text("Comparaison des plans")
    page.wait_for_function("document.querySelectorAll('[data-figure] .main-svg').length >= 1", timeout=10_000)
    assert page.locator("main h1").inner_text() == "Comparaison des plans"
    assert page.locator("#changed-schools tbody tr").count() == 1
    assert moved["uai"] in page.locator("#changed-schools tbody tr").inner_text()
    assert serious_violations(page) == []

    # The same from the plans list: tick the two plans, then "Comparer".
    page.goto(f"{site.url}/programmes/{site.programme_id}/plans")
    assert serious_violations(page) == []
    page.locator(f"#compare-{variant_id}").check()
    page.locator(f"#compare-{base_id}").check()
    page.locator("#compare-plans button").click()
    expect(page.locator("main h1")).to_have_text("Comparaison des plans")
    page.wait_for_function("document.querySelectorAll('[data-figure] .main-svg').length >= 1", timeout=10_000)
    headings = [text.split("\n")[0] for text in page.locator("#plan-kpis thead th").all_inner_texts()[1:]]
    assert headings == ["Variante", "Plan de référence"]  # in the list's order, newest first
    assert watched.take() == []
    engine.dispose()
