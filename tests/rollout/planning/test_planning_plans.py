"""Plans in the application: queueing the solve of the programme's data, following and stopping
it, adopting a baseline, by API and page. The queued solves run here, in-process (`run_plan`)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from planner.checker import check_plan
from rollout.models import AuditEvent, Milestone, Plan, Wave, utcnow
from rollout.planning import tasks
from rollout.planning.runs import WORKER_DIED, run_plan


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The plans handed to the queue, in order, instead of a worker."""
    handed: list[int] = []
    monkeypatch.setattr(tasks, "solve_plan", handed.append)
    return handed


def _create(client, headers, world, name="Scénario A"):
    return client.post(f"/api/v1/plans?programme={world.programme_id}", json={"name": name, "time_limit": 10}, headers=headers)


def _solved(client, headers, world, engine: sa.Engine, enqueued: list[int], name="Scénario A") -> dict:
    """Queue a plan by API, run its solve as a worker would, and read it back."""
    created = _create(client, headers, world, name=name)
    assert created.status_code == 202, created.text
    plan_id = created.get_json()["id"]
    assert enqueued[-1] == plan_id
    run_plan(engine, plan_id)
    return client.get(f"/api/v1/plans/{plan_id}?programme={world.programme_id}", headers=headers).get_json()


def test_a_leader_queues_follows_and_adopts_a_plan_by_api(client, world, token, engine: sa.Engine, enqueued) -> None:
    leader = token("district_leader")
    created = _create(client, leader, world)
    assert created.status_code == 202, created.text
    assert created.get_json() == {"id": enqueued[0], "status": "queued"}
    run_plan(engine, enqueued[0])
    plan = client.get(f"/api/v1/plans/{enqueued[0]}?programme={world.programme_id}", headers=leader).get_json()
    assert plan["status"] == "optimal"
    assert plan["objective"] == plan["bound"] and plan["gap"] == 0 and plan["elapsed_seconds"] > 0
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

    second = _solved(client, leader, world, engine, enqueued, name="Scénario B")
    assert client.post(f"/api/v1/plans/{second['id']}/adopt?programme={world.programme_id}", headers=leader).status_code == 200
    with Session(engine) as session:
        baselines = session.exec(select(Plan.id).where(Plan.is_baseline)).all()
        assert baselines == [second["id"]]
    listed = client.get(f"/api/v1/plans?programme={world.programme_id}", headers=token("stakeholder")).get_json()
    assert [p["name"] for p in listed["plans"]] == ["Scénario B", "Scénario A"]


def test_an_impossible_programme_gets_conflicts_and_cannot_be_adopted(client, world, token, engine: sa.Engine, enqueued) -> None:
    with Session(engine) as session:
        session.execute(sa.update(Wave).where(Wave.programme_id == world.programme_id).values(max_schools=1))
        session.commit()
    leader = token("district_leader")
    plan = _solved(client, leader, world, engine, enqueued)
    assert plan["status"] == "infeasible" and plan["result"]["conflicts"]
    refused = client.post(f"/api/v1/plans/{plan['id']}/adopt?programme={world.programme_id}", headers=leader)
    assert refused.status_code == 409 and "infeasible" in refused.get_json()["message"]


def test_only_leaders_plan_or_stop_and_other_districts_see_nothing(client, world, token, enqueued) -> None:
    assert _create(client, token("project_manager"), world).status_code == 403
    plan = _create(client, token("district_leader"), world).get_json()
    assert client.post(f"/api/v1/plans/{plan['id']}/stop", headers=token("project_manager")).status_code == 403
    other = token("other_leader")
    assert client.get(f"/api/v1/plans/{plan['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/plans/{plan['id']}/adopt", headers=other).status_code == 404
    assert client.post(f"/api/v1/plans/{plan['id']}/stop", headers=other).status_code == 404
    assert enqueued == [plan["id"]]


def test_the_programme_may_be_named_in_the_body_and_time_limits_stop_at_ten_minutes(client, world, token, enqueued) -> None:
    leader = token("district_leader")
    body = {"programme": world.programme_id, "name": "Dix minutes", "time_limit": 600}
    assert client.post("/api/v1/plans", json=body, headers=leader).status_code == 202
    assert client.post("/api/v1/plans", json={**body, "time_limit": 601}, headers=leader).status_code == 422
    assert len(enqueued) == 1


def test_a_leader_stops_a_solve_by_api(client, world, token, engine: sa.Engine, enqueued) -> None:
    leader = token("district_leader")
    plan_id = _create(client, leader, world).get_json()["id"]
    stopped = client.post(f"/api/v1/plans/{plan_id}/stop?programme={world.programme_id}", headers=leader)
    assert stopped.status_code == 202 and stopped.get_json()["stop_requested"] is True
    run_plan(engine, plan_id)
    assert client.get(f"/api/v1/plans/{plan_id}", headers=leader).get_json()["status"] == "stopped"
    again = client.post(f"/api/v1/plans/{plan_id}/stop", headers=leader)
    assert again.status_code == 409 and "stopped" in again.get_json()["message"]


def test_reading_a_plan_whose_worker_went_silent_marks_it_failed(client, world, token, engine: sa.Engine, enqueued) -> None:
    leader = token("district_leader")
    plan_id = _create(client, leader, world).get_json()["id"]
    silent_since = utcnow() - timedelta(minutes=5)
    with Session(engine) as session:
        session.execute(sa.update(Plan).where(Plan.id == plan_id).values(status="solving", started_at=silent_since,
                                                                          heartbeat_at=silent_since))
        session.commit()
    plan = client.get(f"/api/v1/plans/{plan_id}", headers=leader).get_json()
    assert plan["status"] == "failed" and plan["failure"] == WORKER_DIED


def test_a_queue_out_of_reach_fails_the_plan_rather_than_leaving_it_queued(client, world, token, monkeypatch) -> None:
    def unreachable(_plan_id: int) -> None:
        raise ConnectionError("redis: connection refused")

    monkeypatch.setattr(tasks, "solve_plan", unreachable)
    leader = token("district_leader")
    plan_id = _create(client, leader, world).get_json()["id"]
    plan = client.get(f"/api/v1/plans/{plan_id}", headers=leader).get_json()
    assert plan["status"] == "failed" and plan["failure"] == tasks.QUEUE_DOWN


def test_plans_page_queues_shows_progress_and_adopts(client, world, login, csrf, engine: sa.Engine, enqueued) -> None:
    login(client, "district_leader")
    page = f"/programmes/{world.programme_id}/plans"
    response = client.post(page, data={"name": "Depuis la page", "time_limit": "5", "csrf_token": csrf(client, page)})
    assert response.status_code == 302
    detail = response.headers["Location"]
    plan_id = int(re.search(r"/plans/(\d+)$", detail).group(1))
    assert enqueued == [plan_id]
    text = client.get(detail).text
    assert "en attente d&#39;un calculateur" in text and "Arrêter le calcul" in text and "plan_progress.js" in text
    queued = client.get(f"{detail}/progress.json").get_json()
    assert queued["status"] == "queued" and queued["running"] and queued["progress"] == []

    run_plan(engine, plan_id)
    progress = client.get(f"{detail}/progress.json").get_json()
    assert progress["status"] == "optimal" and not progress["running"] and progress["progress"]
    assert progress["objective"] == progress["progress"][-1][1] and progress["gap"] == 0
    text = client.get(detail).text
    assert "Depuis la page" in text and "Établissements par vague" in text and "Arrêter le calcul" not in text
    adopted = client.post(f"{detail}/adopt", data={"csrf_token": csrf(client, detail)})
    assert adopted.status_code == 302
    assert "plan de référence" in client.get(detail).text
    with Session(engine) as session:
        assert session.get(Plan, plan_id).is_baseline
        assert session.exec(select(func.count()).select_from(Milestone)).one() == 42
    assert client.post(page, data={"name": "", "time_limit": "500", "csrf_token": csrf(client, page)}).status_code == 422
    assert client.post(page, data={"name": "Trop long", "time_limit": "601", "csrf_token": csrf(client, page)}).status_code == 422


def test_a_leader_stops_a_solve_from_its_page(client, world, login, csrf, engine: sa.Engine, enqueued) -> None:
    login(client, "district_leader")
    page = f"/programmes/{world.programme_id}/plans"
    detail = client.post(page, data={"name": "À arrêter", "time_limit": "60", "csrf_token": csrf(client, page)}).headers["Location"]
    assert client.post(f"{detail}/stop").status_code == 400  # no CSRF token
    stopped = client.post(f"{detail}/stop", data={"csrf_token": csrf(client, detail)})
    assert stopped.status_code == 302
    assert client.get(f"{detail}/progress.json").get_json()["stop_requested"] is True
    run_plan(engine, enqueued[0])
    assert client.get(f"{detail}/progress.json").get_json()["status"] == "stopped"
