"""Every route declares who may call it, and the declarations hold for every role.

The matrix enumerates `app.url_map`: a route added later is covered without editing this
file, as long as its URL parameters have a sample value below and, unless it is a GET
answering 200, the status it answers is listed in SUCCESS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import url_for
from sqlmodel import Session, select

from rollout.auth.access import rule_of
from rollout.auth.accounts import create_token
from rollout.core.author import Author
from rollout.imports.pipeline import PREVIEW_LIFETIME, Preview
from rollout.models import ApiToken, Plan, Programme, SavedPreview, Scenario, Trainer, utcnow
from rollout.models.training import TrainerFeed
from rollout.sharing.links import create_link

from conftest import WORLD_EMAILS, World

PRINCIPALS = ("anonymous", "stakeholder", "project_manager", "district_leader", "admin", "other_leader")
# URL parameters naming something of one district: another district's leader gets 404.
SCOPED_PARAMETERS = {"programme_id", "uai", "plan_id", "token_id", "preview_id", "link_id", "scenario_id"}
# URL parameters naming something of one user (in the world, the district leader's API token
# and kept import preview): anyone else gets 404, admins included.
OWNED_PARAMETERS = {"token_id", "preview_id"}
OWNER = "district_leader"
# The scoped parameters that name an object inside a programme (all of them but the programme).
OBJECT_PARAMETERS = SCOPED_PARAMETERS - {"programme_id"}

# What a principal allowed on a route gets for the matrix's request (the sample values, an
# empty body): 200 for a GET unless listed here.
SUCCESS = {
    ("auth.login", "POST"): 200,  # the form again: no email, no password
    ("auth.logout", "POST"): 302,
    ("auth.password", "POST"): 422,  # the account page again: no password
    ("auth.sign_out_everywhere", "POST"): 302,
    ("auth.tokens", "POST"): 200,  # the form again: no token name
    ("auth.revoke_token", "POST"): 302,
    ("sharing.index", "POST"): 422,  # the form again: no label
    ("sharing.revoke", "POST"): 302,
    ("trainer_plans.create_feed", "POST"): 200,  # the trainer's page, the new feed's address shown once
    ("trainer_plans.revoke_feed", "POST"): 302,
    ("trainer_plans.record_held", "GET"): 404,  # no planned entry named (and no adopted plan)
    ("trainer_plans.record_held", "POST"): 404,
    ("trainer_plans.feed", "GET"): 404,  # the sample secret is a share link's, not a feed's
    ("dashboards.school_link", "GET"): 302,  # to the school dashboard, the school as its filter
    ("admin.deactivate", "POST"): 302,  # refused (the sample account is the admin's own), with a message
    ("admin.activate", "POST"): 302,  # nothing to do: the sample account is active
    ("basins.new", "POST"): 422,
    ("basins.edit", "POST"): 422,
    ("basins.remove", "POST"): 302,  # refused (schools are in the basin), with a message on the page it redirects to
    ("imports.confirm_preview", "POST"): 302,
    ("imports.cancel", "POST"): 302,
    ("imports.upload_basins", "POST"): 422,
    ("imports.upload_certifications", "POST"): 422,
    ("imports.upload_courses", "POST"): 422,
    ("imports.upload_progress", "POST"): 422,
    ("imports.upload_schools", "POST"): 422,
    ("imports.upload_sessions", "POST"): 422,
    ("imports.upload_trainers", "POST"): 422,
    ("imports.upload_usage", "POST"): 422,
    ("imports.upload_waves", "POST"): 422,
    ("planning.create", "POST"): 422,
    ("programmes.new", "POST"): 422,  # the form again: no name
    ("programmes.save_settings", "POST"): 400,  # the version the form was opened at is missing
    ("plan_comparison.compare_page", "GET"): 400,  # no plan chosen: 2 to 4 are needed
    ("replanning.create", "POST"): 302,  # refused (no name), with a message on the plans page
    ("api_v1.create_replan", "POST"): 422,
    ("planning.adopt", "POST"): 302,  # refused (the plan has no solution), with a message
    ("planning.stop", "POST"): 302,  # refused (the sample plan's solve has ended), with a message
    ("plan_relaxation.relax", "POST"): 302,  # refused (the sample plan has no relaxation), with a message
    ("planning.plan_table", "GET"): 404,  # the sample plan has no solution to export
    ("planning.figure_csv", "GET"): 404,  # nor any figure's table
    ("planning.trainer_ics", "GET"): 404,  # nor any trainer's session
    ("schools.new", "POST"): 422,
    ("schools.edit", "POST"): 422,
    ("schools.remove", "POST"): 302,
    ("schools.import_national", "POST"): 422,
    ("tracking.edit_milestone", "POST"): 422,
    ("trainers.new", "POST"): 422,
    ("trainers.edit", "POST"): 422,
    ("trainers.remove", "POST"): 302,
    ("usage.set_label_category", "POST"): 400,
    ("waves.new", "POST"): 422,
    ("waves.edit", "POST"): 400,  # every field is optional, but the version the form was opened at is missing
    ("waves.remove", "POST"): 302,
    ("api_v1.create", "POST"): 422,
    ("api_v1.adopt", "POST"): 409,  # the plan has no solution to adopt
    ("api_v1.stop_plan", "POST"): 409,  # the sample plan's solve has ended
    ("api_v1.upload_progress", "POST"): 422,
    ("api_v1.post_school", "POST"): 422,
    ("api_v1.post_programme", "POST"): 422,
    ("api_v1.patch_programme", "PATCH"): 422,
    ("api_v1.patch_school", "PATCH"): 422,
    ("api_v1.patch_milestone", "PATCH"): 422,
    ("api_v1.post_trainer", "POST"): 422,
    ("api_v1.patch_trainer", "PATCH"): 422,
    ("api_v1.post_usage_import", "POST"): 422,
    ("api_v1.put_usage_category", "PUT"): 422,
    ("api_v1.post_wave", "POST"): 422,
    ("api_v1.patch_wave", "PATCH"): 422,
    ("scenarios.create", "POST"): 422,  # the form again: no name
    ("scenarios.save", "POST"): 422,  # the page again: no name
    ("scenarios.add", "POST"): 422,  # the page again: no kind of edit
    ("scenarios.remove", "POST"): 400,  # the version the page was opened at is missing
    ("scenarios.remove_scenario", "POST"): 400,  # likewise
    ("scenarios.solve", "POST"): 422,  # the page again: no plan name
    ("api_v1.post_scenario", "POST"): 422,
    ("api_v1.patch_scenario", "PATCH"): 422,
    ("api_v1.delete_scenario_view", "DELETE"): 422,  # no ?version=
    ("api_v1.post_scenario_plan", "POST"): 422,
    ("training_records.school_certifications", "POST"): 422,  # the form again: no date
    ("api_v1.post_course_import", "POST"): 422,  # no file
    ("api_v1.post_certification_import", "POST"): 422,
    ("training_sessions.index", "POST"): 422,  # the page again: the form is empty
    ("training_sessions.cancel", "POST"): 404,  # the sample session does not exist
    ("api_v1.post_training_sessions", "POST"): 422,
    ("api_v1.patch_training_session", "PATCH"): 422,  # no version
    ("api_v1.post_training_import", "POST"): 422,  # no file
    ("api_v1.get_import_job", "GET"): 404,  # the sample import job does not exist
}
# API routes whose JSON body spectree checks before the view reads `?programme=`: another
# district's leader gets the 422 of the empty body, which tells nothing of the programme.
BODY_CHECKED_FIRST = {
    "api_v1.create", "api_v1.post_school", "api_v1.post_trainer", "api_v1.patch_trainer", "api_v1.put_usage_category",
    "api_v1.post_wave", "api_v1.patch_wave", "api_v1.post_programme",
    "api_v1.post_training_sessions", "api_v1.patch_training_session",
}
# API routes that name no programme, not even in the query: each caller gets their districts' own.
DISTRICTS_OWN = {"api_v1.list_programmes"}
# Routes whose success deletes what they name: the matrix leaves their successful requests out,
# since the first would turn the next into a 404, and `test_a_route_that_deletes_...` sends
# each one on a world of its own.
DELETING = ("imports.cancel", "imports.confirm_preview", "schools.remove", "trainers.remove", "waves.remove")
# Routes that end the caller's sessions: the matrix sends them last.
SIGNING_OUT = ("auth.sign_out_everywhere", "auth.logout")


@dataclass
class Owned:
    """What a district's leader has beyond the reference data, each in their own programme."""

    token_id: int
    preview_id: int
    plan_id: int
    scenario_id: int
    link_id: int  # a share link of the leader's programme, which the matrix revokes
    secret: str  # another one's secret, which the matrix opens signed out
    feed_id: int | None = None  # a calendar feed of the programme's trainer AT-001 (the main programme only)


@pytest.fixture
def owned(engine: sa.Engine, world: World) -> dict[str, Owned]:
    """For the district leader and the other district's leader: an API token, a kept import
    preview, a plan and two share links, so that routes naming one have a real one to find or
    to refuse. Not in
    `world`, since other tests count the previews, plans and tokens of the whole database."""
    owned = {}
    with Session(engine) as session:
        for leader, programme_id in (("district_leader", world.programme_id), ("other_leader", world.other_programme_id)):
            create_token(session, email=WORLD_EMAILS[leader], name="owned", author=Author(actor="tests", channel="system"))
            preview = SavedPreview(
                programme_id=programme_id, user_id=world.user_ids[leader], kind="trainers", filename="formateurs.csv",
                rows=[], summary=Preview(kind="trainers", filename="formateurs.csv").summary(),
                expires_at=utcnow() + PREVIEW_LIFETIME,
            )
            plan = Plan(programme_id=programme_id, name="Sans solution", status="infeasible", scenario={},
                        result={"status": "INFEASIBLE", "conflicts": []})
            scenario = Scenario(programme_id=programme_id, name="Sans changement")
            session.add_all([preview, plan, scenario])
            author = Author(actor=WORLD_EMAILS[leader], channel="system", user_id=world.user_ids[leader])
            programme = session.get(Programme, programme_id)
            revoked, _secret = create_link(session, programme=programme, label="révoqué", days=7, author=author)
            _opened, secret = create_link(session, programme=programme, label="ouvert", days=7, author=author)
            feed = None
            if leader == "district_leader":
                trainer = session.exec(select(Trainer).where(Trainer.programme_id == programme_id, Trainer.code == "AT-001")).one()
                feed = TrainerFeed(trainer_id=trainer.id, token_hash="0" * 64)
                session.add(feed)
            session.flush()
            token_id = session.exec(select(ApiToken.id).where(ApiToken.user_id == world.user_ids[leader])).one()
            owned[leader] = Owned(token_id=token_id, preview_id=preview.id, plan_id=plan.id, scenario_id=scenario.id, link_id=revoked.id,
                                  secret=secret, feed_id=feed.id if feed else None)
        session.commit()
    return owned


def _sample_values(world: World, owned: dict[str, Owned], endpoint: str, *, other_district: bool = False) -> dict[str, object]:
    """URL parameters, and `programme` for the API's query string. With `other_district`, the
    ids name the other district's school, plan, token, preview and share link (the programme stays)."""
    mine, theirs = owned["district_leader"], owned["other_leader"]
    values = {
        "programme_id": world.programme_id,
        "programme": world.programme_id,
        "uai": world.uais[0],
        "kind": "school_live",
        "code": "AT-001" if "trainer" in endpoint else "N" if "basin" in endpoint else "W1",
        "token_id": mine.token_id,
        "preview_id": mine.preview_id,
        "plan_id": mine.plan_id,
        "scenario_id": mine.scenario_id,
        "position": 1,  # a scenario's first edit (the sample scenario has none: refused)
        "filename": "rollout.css",
        "label_key": "notes",
        "resource": "schools",
        "fmt": "xlsx",
        "figure": "plan_map" if endpoint.startswith("planning.") else "cascade",  # a plan's or a dashboard's figure CSV
        "link_id": mine.link_id,
        "feed_id": mine.feed_id,
        "secret": mine.secret,
        "dashboard": "equity",  # a dashboard through a share link
        "user_id": world.user_ids["admin"],  # the admin pages' own account: a deactivation is refused
        "session_id": 2**31 - 1,  # a training session that does not exist
        "job_id": 2**31 - 1,  # an import job sent through the API that does not exist
    }
    if other_district:
        values.update(uai=world.other_uai, token_id=theirs.token_id, preview_id=theirs.preview_id, plan_id=theirs.plan_id,
                      scenario_id=theirs.scenario_id, link_id=theirs.link_id)
    return values


def _url(app, world: World, owned: dict[str, Owned], rule, *, other_district: bool = False) -> str:
    """The rule's URL with sample values; API URLs ask for the main programme (`?programme=`)."""
    with app.test_request_context():
        values = _sample_values(world, owned, rule.endpoint, other_district=other_district)
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"{rule.rule}: add sample values for {sorted(unknown)} in _sample_values"
        query = {"programme": values["programme"]} if _is_api(rule) else {}
        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}, **query)


def _is_api(rule) -> bool:
    return rule.rule.startswith("/api/")


def _routes(app):
    """(rule, method) pairs, the sign-outs last so they do not end the sessions mid-matrix."""
    pairs = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(pairs, key=lambda pair: (pair[0].endpoint in SIGNING_OUT, pair[0].rule, pair[1]))


def _success(rule, method: str) -> int:
    if method == "GET":
        return SUCCESS.get((rule.endpoint, method), 200)
    assert (rule.endpoint, method) in SUCCESS, f"{method} {rule.rule}: add the status it answers to SUCCESS"
    return SUCCESS[(rule.endpoint, method)]


def _expected(app, rule, method: str, principal: str) -> int | str:
    """The exact status of the matrix's request, or "login" for a redirect to the login page."""
    with app.app_context():
        rule_access = rule_of(rule.endpoint)
    success = _success(rule, method)
    if rule_access.public:
        return success
    if principal == "anonymous":
        return 401 if _is_api(rule) else "login"
    role = "district_leader" if principal == "other_leader" else principal
    if not rule_access.allows(role):
        return 403
    if principal == "other_leader":
        if SCOPED_PARAMETERS & set(rule.arguments):
            return 404
        if _is_api(rule):  # it asks for the main programme
            return success if rule.endpoint in BODY_CHECKED_FIRST | DISTRICTS_OWN else 404
    if principal != OWNER and OWNED_PARAMETERS & set(rule.arguments):
        return 404
    return success


def _matches(response, expected: int | str) -> bool:
    if expected == "login":
        return response.status_code == 302 and response.headers["Location"].startswith("/login")
    return response.status_code == expected


def test_every_route_declares_an_access_rule(app) -> None:
    with app.app_context():
        missing = sorted(rule.rule for rule in app.url_map.iter_rules() if rule_of(rule.endpoint) is None)
    assert missing == [], f"routes without @access: {missing}"


def _signed_in_clients(app, login, token) -> tuple[dict, dict]:
    clients, api_headers = {}, {}
    for principal in PRINCIPALS:
        client = app.test_client()
        if principal != "anonymous":
            login(client, email=WORLD_EMAILS[principal])
            api_headers[principal] = token(principal)
        clients[principal] = client
    return clients, api_headers


def test_role_route_matrix(app, world: World, owned: dict[str, Owned], login, token) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about roles and districts
    clients, api_headers = _signed_in_clients(app, login, token)
    failures = []
    checked = 0
    for rule, method in _routes(app):
        url = _url(app, world, owned, rule)
        for principal in PRINCIPALS:
            expected = _expected(app, rule, method, principal)
            if rule.endpoint in DELETING and expected == _success(rule, method):
                continue
            headers = api_headers.get(principal, {}) if _is_api(rule) else {}
            response = clients[principal].open(url, method=method, headers=headers)
            checked += 1
            if not _matches(response, expected):
                failures.append(f"{method} {url} as {principal}: expected {expected}, got {response.status_code}")
            response.close()
    assert failures == [], "\n".join(failures)
    assert checked >= len(PRINCIPALS) * 5


@pytest.mark.parametrize("principal", ["district_leader", "admin"])
@pytest.mark.parametrize("endpoint", DELETING)
def test_a_route_that_deletes_what_it_names_answers_each_allowed_principal(app, world: World, owned: dict[str, Owned], login,
                                                                           endpoint: str, principal: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    assert rules, f"no route {endpoint} any more: update DELETING"
    client = app.test_client()
    login(client, email=WORLD_EMAILS[principal])
    response = client.post(_url(app, world, owned, rules[0]))
    assert response.status_code == _expected(app, rules[0], "POST", principal)


def test_another_districts_objects_are_404_through_ones_own_programme(app, world: World, owned: dict[str, Owned], login,
                                                                      token) -> None:
    """The other district's school, plan, token, preview or share link, named under the leader's own
    programme: each route checks that what it loads belongs to that programme (or user)."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    login(client, "district_leader")
    headers = token("district_leader")
    failures = []
    for rule, method in _routes(app):
        if rule.endpoint in SIGNING_OUT or not OBJECT_PARAMETERS & set(rule.arguments):
            continue
        url = _url(app, world, owned, rule, other_district=True)
        response = client.open(url, method=method, headers=headers if _is_api(rule) else {})
        if response.status_code != 404:
            failures.append(f"{method} {url}: expected 404, got {response.status_code}")
        response.close()
    assert failures == [], "\n".join(failures)


def test_the_other_leader_reaches_their_own_objects(client, world: World, owned: dict[str, Owned], login) -> None:
    """The other district's objects that the test above names are real: their owner sees them."""
    theirs = owned["other_leader"]
    login(client, "other_leader")
    assert client.get(f"/programmes/{world.other_programme_id}/plans/{theirs.plan_id}").status_code == 200
    assert client.get(f"/programmes/{world.other_programme_id}/imports/{theirs.preview_id}").status_code == 200


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
