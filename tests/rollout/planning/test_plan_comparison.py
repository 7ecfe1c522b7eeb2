"""Comparing plans (`rollout.planning.comparison`, its page and figure): KPIs side by side, the
pupils-live curves, the schools that change wave, earlier baselines kept and comparable, and
who may compare what."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

import sqlalchemy as sa
from sqlmodel import Session

from dashboards.figures.plan_comparison import PupilsCurve, plot_plan_comparison
from rollout.core.author import Author
from rollout.models import Plan, Programme, Scenario, Wave
from rollout.planning.plans import adopt_plan
from rollout.planning.runs import queue_plan, run_plan
from tests.conftest import WORLD_EMAILS, World


def _leader(world: World) -> Author:
    return Author(actor=WORLD_EMAILS["district_leader"], channel="form", user_id=world.user_ids["district_leader"])


def _solved(engine: sa.Engine, world: World, name: str, *, adopt: bool) -> Plan:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        plan_id = queue_plan(session, programme=programme, name=name, time_limit=10, author=_leader(world)).id
        session.commit()
    run_plan(engine, plan_id)
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        if adopt:
            adopt_plan(session, programme=session.get(Programme, world.programme_id), plan=plan, author=_leader(world))
            session.commit()
        return plan


def _two_baselines(engine: sa.Engine, world: World) -> tuple[Plan, Plan]:
    """A first baseline, then a second one solved after W1 lost room for all but one school."""
    first = _solved(engine, world, "Première référence", adopt=True)
    with Session(engine) as session:
        session.execute(sa.update(Wave).where(Wave.programme_id == world.programme_id, Wave.code == "W1").values(max_schools=1))
        session.commit()
    second = _solved(engine, world, "Vague 1 réduite", adopt=True)
    return first, second


def _waves(plan: Plan) -> dict[str, str]:
    return {row["uai"]: row["wave"] for row in plan.result["assignments"]}


def _cells(html: str, label: str) -> list[str]:
    """The cells of the KPI table's row headed `label`."""
    row = re.search(rf"<th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", html, re.S)
    assert row, f"no row {label!r}"
    return [unescape(cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]


def test_adopting_keeps_earlier_baselines_listed_and_comparable(client, world, login, engine) -> None:
    first, second = _two_baselines(engine, world)
    with Session(engine) as session:
        old, new = session.get(Plan, first.id), session.get(Plan, second.id)
        assert not old.is_baseline and old.adopted_at is not None and new.is_baseline
        assert old.adopted_at <= new.adopted_at
    login(client, "stakeholder")
    index = client.get(f"/programmes/{world.programme_id}/plans").text
    assert f"ancienne, adoptée le {old.adopted_at:%Y-%m-%d %H:%M} UTC" in index
    assert f"actuelle</strong>, adoptée le {new.adopted_at:%Y-%m-%d %H:%M} UTC" in index
    for plan in (old, new):
        assert f'name="plan" value="{plan.id}" form="compare-plans"' in index
    assert f'action="/programmes/{world.programme_id}/plans/compare" id="compare-plans"' in index

    # One click from the earlier baseline's page to the comparison with today's baseline.
    detail = client.get(f"/programmes/{world.programme_id}/plans/{old.id}").text
    link = unescape(re.search(r'id="compare-with-baseline" href="([^"]+)"', detail).group(1))
    assert link == f"/programmes/{world.programme_id}/plans/compare?plan={old.id}&plan={new.id}"
    assert 'id="compare-with-baseline"' not in client.get(f"/programmes/{world.programme_id}/plans/{new.id}").text
    assert client.get(link).status_code == 200


def test_the_comparison_shows_kpis_curves_and_the_schools_that_move(client, world, login, engine) -> None:
    first, second = _two_baselines(engine, world)
    with Session(engine) as session:  # the second plan as if solved from a named what-if
        what_if = Scenario(programme_id=world.programme_id, name="Moins de place en W1")
        session.add(what_if)
        session.flush()
        session.execute(sa.update(Plan).where(Plan.id == second.id).values(scenario_id=what_if.id))
        session.commit()
    login(client, "stakeholder")
    response = client.get(f"/programmes/{world.programme_id}/plans/compare?plan={first.id}&plan={second.id}")
    assert response.status_code == 200
    html = response.text
    assert "<script>" not in html and " style=" not in html  # the CSP allows no inline script or style

    assert _cells(html, "Données") == ["données du programme", "what-if « Moins de place en W1 »"]
    assert _cells(html, "Statut") == ["optimal", "optimal"]
    assert _cells(html, "Objectif (élèves pondérés × rang de vague)") == [
        f"{plan.objective:,.1f}".replace(",", " ") for plan in (first, second)]
    assert _cells(html, "Écart") == ["0.00 %", "0.00 %"]
    pupils = {school["uai"]: school["pupils"] for school in first.scenario["schools"]}
    waves = [_waves(first), _waves(second)]
    assert _cells(html, "Établissements en W1") == [str(sum(1 for w in plan.values() if w == "W1")) for plan in waves]
    after_w1 = [sum(pupils[uai] for uai, w in plan.items() if w == "W1") for plan in waves]
    assert _cells(html, "Élèves ayant accès après W1") == [f"{n:,}".replace(",", " ") for n in after_w1]
    assert _cells(html, "Élèves ayant accès après W3") == [f"{sum(pupils.values()):,}".replace(",", " ")] * 2
    assert all(re.fullmatch(r"\d+ / \d+ \(\d+ %\)", cell) for cell in _cells(html, "Utilisation des formateurs (séances / capacité)"))

    figure = json.loads(re.search(r'<script type="application/json" id="plan-comparison-figure">(.*?)</script>', html, re.S).group(1))
    assert [trace["name"] for trace in figure["data"]] == ["Première référence", "Vague 1 réduite"]
    for trace, moved in zip(figure["data"], after_w1):
        assert trace["line"]["shape"] == "hv" and trace["y"][:2] == [0, moved] and trace["y"][-1] == sum(pupils.values())
        assert trace["x"][:2] == ["2015-09-01", "2015-12-18"]  # first wave's start, then each wave's end
    assert figure["data"][0]["line"]["dash"] != figure["data"][1]["line"]["dash"]
    assert "figures.js" in html

    table = html[html.index('id="changed-schools"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><td>[^<]*\((\w+)\)</td><td>(\w+)</td><td>(\w+)</td></tr>", table)
    expected = sorted((uai, wave, waves[1][uai]) for uai, wave in waves[0].items() if wave != waves[1][uai])
    assert rows == expected and len(rows) >= 2  # W1 went from three schools to one


def test_two_to_four_plans_of_the_programme_only(client, world, login, engine) -> None:
    first, second = _two_baselines(engine, world)
    with Session(engine) as session:
        queued = queue_plan(session, programme=session.get(Programme, world.programme_id), name="En attente", time_limit=10,
                            author=_leader(world))
        foreign = Plan(programme_id=world.other_programme_id, name="Ailleurs", status="optimal", objective=0.0, bound=0.0,
                       scenario={"waves": [], "schools": []}, result={"assignments": []})
        session.add(foreign)
        session.commit()
        queued_id, foreign_id = queued.id, foreign.id
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/plans/compare"
    one = client.get(f"{url}?plan={first.id}&plan={first.id}")
    assert one.status_code == 400 and "Choisissez de 2 à 4 plans à comparer (1 choisi(s))." in unescape(one.text)
    five = client.get(f"{url}?" + "&".join(f"plan={n}" for n in (first.id, second.id, queued_id, 98, 99)))
    assert five.status_code == 400 and "(5 choisi(s))" in five.text
    for wrong in ("abc", "²", str(2**40), "-1", "9" * 5000):
        assert client.get(f"{url}?plan={first.id}&plan={wrong}").status_code == 400
    waiting = client.get(f"{url}?plan={first.id}&plan={queued_id}")
    assert waiting.status_code == 400 and "il n&#39;y a rien à comparer : En attente" in waiting.text
    assert client.get(f"{url}?plan={first.id}&plan={foreign_id}").status_code == 404
    assert client.get(f"/programmes/{world.other_programme_id}/plans/compare?plan={foreign_id}&plan={first.id}").status_code == 404

    other = client.application.test_client()
    login(other, "other_leader")
    assert other.get(f"{url}?plan={first.id}&plan={second.id}").status_code == 404
    anonymous = client.application.test_client().get(f"{url}?plan={first.id}&plan={second.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_figure_draws_one_step_curve_per_plan_with_its_own_dash() -> None:
    curves = [PupilsCurve(name=f"Plan {n}", points=[(date(2027, 1, 1), 0), (date(2027, 3, 1), 100 * n)]) for n in range(1, 5)]
    figure = plot_plan_comparison(curves)
    assert [trace.name for trace in figure.data] == ["Plan 1", "Plan 2", "Plan 3", "Plan 4"]
    assert len({trace.line.dash for trace in figure.data}) == 4 and {trace.line.shape for trace in figure.data} == {"hv"}
    assert list(figure.data[3].y) == [0, 400] and figure.layout.yaxis.title.text == "Élèves ayant accès"
