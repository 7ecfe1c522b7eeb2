"""Plans in the application: solving the programme's data, adopting a baseline, by API and page."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, func, select

from planner.checker import check_plan
from rollout.models import AuditEvent, Milestone, Plan, Wave


def _create(client, headers, world, name="Scénario A"):
    return client.post(f"/api/v1/plans?programme={world.programme_id}", json={"name": name, "time_limit": 10}, headers=headers)


def test_a_leader_solves_and_adopts_a_plan_by_api(client, world, token, engine: sa.Engine) -> None:
    leader = token("district_leader")
    created = _create(client, leader, world)
    assert created.status_code == 201, created.text
    plan = created.get_json()
    assert plan["status"] == "OPTIMAL"
    assert check_plan(plan["scenario"], plan["result"]) == []
    assert {row["uai"] for row in plan["result"]["assignments"]} == set(world.uais)

    adopted = client.post(f"/api/v1/plans/{plan['id']}/adopt?programme={world.programme_id}", headers=leader)
    assert adopted.status_code == 200, adopted.text
    assert adopted.get_json()["milestones_replanned"] == 6 * 7
    with Session(engine) as session:
        waves = {wave.code: wave for wave in session.exec(select(Wave).where(Wave.programme_id == world.programme_id))}
        live = session.exec(select(Milestone).where(Milestone.kind == "school_live")).all()
        assert len(live) == 6
        for milestone in live:
            assert any(w.start_date <= milestone.planned_on <= w.end_date for w in waves.values())
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "plan")).all()
        assert {event.action for event in events} == {"create", "update"}
        assert all(event.channel == "api" and event.actor == "direction@test.invalid" for event in events)

    second = _create(client, leader, world, name="Scénario B").get_json()
    assert client.post(f"/api/v1/plans/{second['id']}/adopt?programme={world.programme_id}", headers=leader).status_code == 200
    with Session(engine) as session:
        baselines = session.exec(select(Plan.id).where(Plan.is_baseline)).all()
        assert baselines == [second["id"]]
    listed = client.get(f"/api/v1/plans?programme={world.programme_id}", headers=token("stakeholder")).get_json()
    assert [p["name"] for p in listed["plans"]] == ["Scénario B", "Scénario A"]


def test_an_impossible_programme_gets_conflicts_and_cannot_be_adopted(client, world, token, engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.execute(sa.update(Wave).where(Wave.programme_id == world.programme_id).values(max_schools=1))
        session.commit()
    leader = token("district_leader")
    plan = _create(client, leader, world).get_json()
    assert plan["status"] == "INFEASIBLE" and plan["result"]["conflicts"]
    refused = client.post(f"/api/v1/plans/{plan['id']}/adopt?programme={world.programme_id}", headers=leader)
    assert refused.status_code == 409 and "INFEASIBLE" in refused.get_json()["message"]


def test_only_leaders_plan_and_other_districts_see_nothing(client, world, token) -> None:
    assert _create(client, token("project_manager"), world).status_code == 403
    plan = _create(client, token("district_leader"), world).get_json()
    other = token("other_leader")
    assert client.get(f"/api/v1/plans/{plan['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/plans/{plan['id']}/adopt", headers=other).status_code == 404


def test_plans_page_solves_and_adopts(client, world, login, csrf, engine: sa.Engine) -> None:
    login(client, "district_leader")
    page = f"/programmes/{world.programme_id}/plans"
    response = client.post(page, data={"name": "Depuis la page", "time_limit": "5", "csrf_token": csrf(client, page)})
    assert response.status_code == 302
    detail = response.headers["Location"]
    text = client.get(detail).text
    assert "Depuis la page" in text and "Établissements par vague" in text
    plan_id = int(re.search(r"/plans/(\d+)$", detail).group(1))
    adopted = client.post(f"{detail}/adopt", data={"csrf_token": csrf(client, detail)})
    assert adopted.status_code == 302
    assert "plan de référence" in client.get(detail).text
    with Session(engine) as session:
        assert session.get(Plan, plan_id).is_baseline
        assert session.exec(select(func.count()).select_from(Milestone)).one() == 42
    assert client.post(page, data={"name": "", "time_limit": "500", "csrf_token": csrf(client, page)}).status_code == 422
