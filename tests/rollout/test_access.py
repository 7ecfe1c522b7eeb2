"""Every route declares who may call it, and the declarations hold for every role.

The matrix enumerates `app.url_map`: a route added later is covered without editing this
file, as long as its URL parameters have a sample value below.
"""

from __future__ import annotations

import pytest
from flask import url_for

from rollout.auth.access import rule_of

from conftest import WORLD_EMAILS, World

PRINCIPALS = ("anonymous", "stakeholder", "project_manager", "district_leader", "admin", "other_leader")
SCOPED_PARAMETERS = {"programme_id", "uai"}


def _sample_values(world: World, endpoint: str) -> dict[str, object]:
    return {
        "programme_id": world.programme_id,
        "uai": world.uais[0],
        "kind": "school_live",
        "code": "AT-001" if "trainer" in endpoint else "W1",
        "token_id": 999_999,
        "preview_id": 999_999,
        "plan_id": 999_999,
        "filename": "rollout.css",
        "label_key": "notes",
    }


def _routes(app):
    """(rule, method) pairs, sign-out last so it does not end the session mid-matrix."""
    pairs = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(pairs, key=lambda pair: (pair[0].endpoint == "auth.logout", pair[0].rule, pair[1]))


def test_every_route_declares_an_access_rule(app) -> None:
    with app.app_context():
        missing = sorted(rule.rule for rule in app.url_map.iter_rules() if rule_of(rule.endpoint) is None)
    assert missing == [], f"routes without @access: {missing}"


def _expected(rule_access, principal: str, rule, is_api: bool) -> str:
    if rule_access.public:
        return "reachable"
    if principal == "anonymous":
        return "401" if is_api else "login"
    role = "district_leader" if principal == "other_leader" else principal
    if not rule_access.allows(role):
        return "403"
    if principal == "other_leader" and SCOPED_PARAMETERS & set(rule.arguments):
        return "404"
    return "reachable"


def test_role_route_matrix(app, world: World, login, token) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about roles and districts
    clients = {}
    api_headers = {}
    for principal in PRINCIPALS:
        client = app.test_client()
        if principal != "anonymous":
            login(client, email=WORLD_EMAILS[principal])
            api_headers[principal] = token(principal)
        clients[principal] = client
    failures = []
    checked = 0
    for rule, method in _routes(app):
        with app.test_request_context():
            rule_access = rule_of(rule.endpoint)
            values = _sample_values(world, rule.endpoint)
            unknown = set(rule.arguments) - set(values)
            assert not unknown, f"{rule.rule}: add sample values for {sorted(unknown)} in _sample_values"
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        is_api = rule.rule.startswith("/api/")
        for principal in PRINCIPALS:
            headers = api_headers.get(principal, {}) if is_api else {}
            response = clients[principal].open(url, method=method, headers=headers)
            checked += 1
            expected = _expected(rule_access, principal, rule, is_api)
            status = response.status_code
            response.close()
            ok = {
                "reachable": status not in (401, 403) and status < 500,
                "401": status == 401,
                "login": status == 302 and response.headers["Location"].startswith("/login"),
                "403": status == 403,
                "404": status == 404,
            }[expected]
            if not ok:
                failures.append(f"{method} {url} as {principal}: expected {expected}, got {status}")
    assert failures == [], "\n".join(failures)
    assert checked >= len(PRINCIPALS) * 5


def test_other_district_data_is_not_listed(client, world: World, token) -> None:
    response = client.get("/api/v1/schools", headers=token("other_leader"))
    assert response.status_code == 200
    assert [school["uai"] for school in response.get_json()["schools"]] == [world.other_uai]
    assert client.get(f"/api/v1/schools/{world.uais[0]}", headers=token("other_leader")).status_code == 404
    assert client.get(f"/api/v1/schools?programme={world.programme_id}", headers=token("other_leader")).status_code == 404


@pytest.mark.parametrize("role", ["stakeholder", "admin"])
def test_api_reads_for_every_role(client, world: World, token, role: str) -> None:
    response = client.get(f"/api/v1/schools?programme={world.programme_id}", headers=token(role))
    assert response.status_code == 200
    assert sorted(s["uai"] for s in response.get_json()["schools"]) == sorted(world.uais)


def test_ids_beyond_the_database_range_are_404(client, world: World, login, token) -> None:
    login(client, "district_leader")
    assert client.get("/programmes/99999999999/progress").status_code == 404
    assert client.get(f"/programmes/{world.programme_id}/plans/99999999999").status_code == 404
    assert client.get("/api/v1/plans/99999999999", headers=token("admin")).status_code == 404
