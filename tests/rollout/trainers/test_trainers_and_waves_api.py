"""`/api/v1/trainers` and `/api/v1/waves`: list, read, create, edit; refusals as 409 naming the field."""

from __future__ import annotations


def test_trainers_read_create_and_edit(client, world, token):
    headers = token("district_leader")
    listed = client.get("/api/v1/trainers", headers=token("stakeholder")).get_json()
    assert [t["code"] for t in listed["trainers"]] == ["AT-001", "AT-002", "V-1"]
    assert client.get("/api/v1/trainers/AT-001", headers=headers).get_json()["basins"] == ["N", "S"]
    created = client.post("/api/v1/trainers", json={"code": "R-1", "name": "Relais", "tier": "relay", "basins": ["S"],
                                                     "capacities": {"W2": 0}}, headers=headers)
    assert created.status_code == 201 and created.get_json()["capacities"] == {"W2": 0}
    assert created.get_json()["version"] == 1
    patched = client.patch("/api/v1/trainers/R-1", json={"basins": None, "version": 1}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["basins"] is None and patched.get_json()["version"] == 2
    unknown = client.patch("/api/v1/trainers/R-1", json={"basins": ["Z"], "version": 2}, headers=headers)
    assert unknown.status_code == 409 and unknown.get_json()["field"] == "basins"
    assert client.get("/api/v1/trainers/AT-001", headers=token("other_leader")).status_code == 404


def test_waves_keep_their_order(client, world, token):
    headers = token("district_leader")
    assert [w["code"] for w in client.get("/api/v1/waves", headers=headers).get_json()["waves"]] == ["W1", "W2", "W3"]
    created = client.post("/api/v1/waves", json={"code": "W4", "position": 3, "start_date": "2016-09-01", "end_date": "2016-12-16"},
                          headers=headers)
    assert created.status_code == 201
    overlapping = client.patch("/api/v1/waves/W4", json={"start_date": "2016-05-01", "version": 1}, headers=headers)
    assert overlapping.status_code == 409 and overlapping.get_json()["field"] == "start_date"
    assert client.post("/api/v1/waves", json={"code": "W5", "position": 4, "start_date": "2017-01-01"},
                       headers=headers).status_code == 422
    assert client.patch("/api/v1/waves/W1", json={"label": "Pilotes", "version": 1}, headers=token("project_manager")).status_code == 403


def test_an_edit_based_on_an_old_version_is_refused_not_applied(client, world, token):
    """Two people PATCH the same trainer and the same wave from the version they both read:
    the second gets 409 with the current version, and the first one's change stays."""
    headers = token("district_leader")
    for path, first, second, field in (
        ("/api/v1/trainers/AT-001", {"name": "Première"}, {"name": "Seconde"}, "name"),
        ("/api/v1/waves/W1", {"label": "Pilotes"}, {"label": "Écrasé"}, "label"),
    ):
        version = client.get(path, headers=headers).get_json()["version"]
        assert client.patch(path, json={**first, "version": version}, headers=headers).status_code == 200
        stale = client.patch(path, json={**second, "version": version}, headers=headers)
        assert stale.status_code == 409
        assert stale.get_json()["field"] == "version" and stale.get_json()["current_version"] == version + 1
        assert ("W1 : quelqu'un d'autre a enregistré" if "waves" in path else "AT-001 : quelqu'un d'autre a enregistré") in stale.get_json()["message"]
        assert client.get(path, headers=headers).get_json()[field] == first[field]
        assert client.patch(path, json=second, headers=headers).status_code == 422  # no version: refused
