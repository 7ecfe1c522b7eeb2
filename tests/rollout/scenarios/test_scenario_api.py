"""The scenarios API: create, read, change under optimistic locking, export the document, queue
its solve (202) and delete; refusals name the edit at fault; other districts get 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rollout.planning import tasks
from rollout.planning.runs import run_plan


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The plans handed to the queue, in order, instead of a worker."""
    handed: list[int] = []
    monkeypatch.setattr(tasks, "solve_plan", handed.append)
    return handed


EDITS = [{"kind": "wave_caps", "wave": "W1", "max_schools": 1, "max_pupils": None},
         {"kind": "cascade", "trainer_lag": 0}]


def test_a_leader_creates_changes_exports_solves_and_deletes_a_scenario(client, world, token, engine: sa.Engine,
                                                                        enqueued) -> None:
    leader = token("district_leader")
    listing = f"/api/v1/programmes/{world.programme_id}/scenarios"
    created = client.post(listing, json={"name": "Plafonné", "edits": EDITS}, headers=leader)
    assert created.status_code == 201, created.text
    scenario = created.get_json()
    assert (scenario["name"], scenario["edits"], scenario["version"], scenario["description"]) == ("Plafonné", EDITS, 1, None)
    url = f"/api/v1/scenarios/{scenario['id']}"
    assert client.get(listing, headers=token("stakeholder")).get_json()["scenarios"] == [scenario]
    assert client.get(url, headers=token("stakeholder")).get_json() == scenario

    patched = client.patch(url, json={"version": 1, "description": "W1 réduite", "edits": EDITS[:1]}, headers=leader)
    assert patched.status_code == 200
    assert (patched.get_json()["version"], patched.get_json()["edits"], patched.get_json()["description"]) == (2, EDITS[:1], "W1 réduite")
    stale = client.patch(url, json={"version": 1, "name": "Autre"}, headers=leader)
    assert stale.status_code == 409
    assert (stale.get_json()["field"], stale.get_json()["current_version"]) == ("version", 2)

    document = client.get(f"{url}/document", headers=token("stakeholder")).get_json()
    assert document["format"] == "rollout-scenario/1" and document["name"] == "Plafonné"
    assert document["waves"][0]["max_schools"] == 1

    queued = client.post(f"{url}/plans", json={"name": "Essai", "time_limit": 10}, headers=leader)
    assert queued.status_code == 202 and queued.get_json()["status"] == "queued"
    plan_id = queued.get_json()["id"]
    assert enqueued == [plan_id]
    run_plan(engine, plan_id)
    plan = client.get(f"/api/v1/plans/{plan_id}?programme={world.programme_id}", headers=leader).get_json()
    assert plan["status"] == "optimal" and plan["scenario"] == document

    assert client.delete(f"{url}?version=1", headers=leader).status_code == 409
    assert client.delete(f"{url}?version=2", headers=leader).status_code == 204
    assert client.get(url, headers=leader).status_code == 404
    assert client.get(f"/api/v1/plans/{plan_id}?programme={world.programme_id}", headers=leader).status_code == 200


def test_edits_that_do_not_apply_are_refused_naming_the_edit(client, world, token, enqueued) -> None:
    leader = token("district_leader")
    listing = f"/api/v1/programmes/{world.programme_id}/scenarios"
    refused = client.post(listing, json={"name": "Faux", "edits": [EDITS[0], {"kind": "trainer_remove", "trainer": "AT-404"}]},
                          headers=leader)
    assert refused.status_code == 409
    assert refused.get_json()["field"] == "edits[1].trainer"
    assert "'AT-404' is not a trainer id" in refused.get_json()["message"]
    assert client.post(listing, json={"name": "Bon", "edits": []}, headers=leader).status_code == 201
    taken = client.post(listing, json={"name": "Bon"}, headers=leader)
    assert (taken.status_code, taken.get_json()["field"]) == (409, "name")
    assert client.get(listing, headers=leader).get_json()["scenarios"][0]["name"] == "Bon"
    assert enqueued == []


def test_only_leaders_change_and_other_districts_see_nothing(client, world, token, enqueued) -> None:
    listing = f"/api/v1/programmes/{world.programme_id}/scenarios"
    scenario = client.post(listing, json={"name": "À moi"}, headers=token("district_leader")).get_json()
    url = f"/api/v1/scenarios/{scenario['id']}"
    manager = token("project_manager")
    assert client.post(listing, json={"name": "Non"}, headers=manager).status_code == 403
    assert client.patch(url, json={"version": 1, "name": "Non"}, headers=manager).status_code == 403
    assert client.post(f"{url}/plans", json={"name": "Non"}, headers=manager).status_code == 403
    other = token("other_leader")
    assert client.get(listing, headers=other).status_code == 404
    assert client.get(url, headers=other).status_code == 404
    assert client.get(f"{url}/document", headers=other).status_code == 404
    assert client.patch(url, json={"version": 1, "name": "Pris"}, headers=other).status_code == 404
    assert client.delete(f"{url}?version=1", headers=other).status_code == 404
    assert client.post(f"{url}/plans", json={"name": "Pris"}, headers=other).status_code == 404
    assert enqueued == []
