"""Bad input at every form and every API operation: a body over the limit answers 413 (a page
for a browser, JSON for the API), and malformed, hostile or huge values get a clear refusal,
never a 500, with nothing written.

Routes are enumerated from `app.url_map`, so a new form or API operation is covered the day
it is added. The values are generated (hypothesis), with few enough examples that the module
runs in well under a minute on SQLite.
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rollout.api import spec

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _writing_routes(app, *, api: bool) -> list[tuple[str, str]]:
    """(URL, method) of every route that changes something, with 1 for each URL parameter: a
    body over the limit is refused before any view loads what the URL names."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith("/api/") != api:
                continue
            for method in sorted(rule.methods & WRITES):
                routes.append((url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1)), method))
    assert routes
    return routes


@pytest.fixture
def small_bodies(app) -> int:
    """A body limit of 4 KiB, so that the test need not send 50 MiB."""
    app.config["MAX_CONTENT_LENGTH"] = 4096
    return 4096


def test_every_api_operation_answers_413_in_json_to_a_body_over_the_limit(app, client, world, token, stored,
                                                                           small_bodies) -> None:
    headers, before = token("admin"), stored()
    body = json.dumps({"name": "x" * small_bodies})
    for url, method in _writing_routes(app, api=True):
        response = client.open(url, method=method, headers=headers, data=body, content_type="application/json")
        assert response.status_code == 413, (method, url, response.text)
        assert response.json == {"field": None, "message": "Envoi trop volumineux : rien n'a été enregistré. Un envoi "
                                 "fait au plus 0 Mio, fichier compris : découpez le fichier en plusieurs."}
        upload = client.open(url, method=method, headers=headers, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"x" * small_bodies), "usage.csv")})
        assert upload.status_code == 413 and upload.is_json, (method, url)
    assert stored() == before


def test_every_form_answers_413_with_a_page_to_a_body_over_the_limit(app, client, world, login, stored,
                                                                     small_bodies) -> None:
    login(client, "admin")
    before = stored()
    for url, method in _writing_routes(app, api=False):
        response = client.open(url, method=method, data={"csrf_token": "x", "name": "x" * small_bodies})
        assert response.status_code == 413, (method, url, response.text)
        assert response.mimetype == "text/html" and "Envoi trop volumineux" in response.text
        upload = client.open(url, method=method, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"x" * small_bodies), "usage.csv")})
        assert upload.status_code == 413 and "Envoi trop volumineux" in upload.text, (method, url)
    assert stored() == before


def test_a_form_field_over_the_form_memory_limit_answers_413(app, client, world, login) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 1_000  # Flask's default is 500 kB a field
    login(client, "district_leader")
    response = client.post(f"/programmes/{world.programme_id}/basins/import", content_type="multipart/form-data",
                           data={"csrf_token": "x" * 2_000, "file": (io.BytesIO(b"code;name\n"), "b.csv")})
    assert response.status_code == 413 and "Envoi trop volumineux" in response.text


def test_the_413_page_speaks_the_readers_language(client, world, login, small_bodies) -> None:
    login(client, "district_leader")
    response = client.post(f"/programmes/{world.programme_id}/basins/new?lang=en", data={"name": "x" * small_bodies})
    assert response.status_code == 413 and "Upload too large: nothing was saved." in response.text


# Malformed, hostile and huge values: never a 500, a refusal writes nothing.

HOSTILE_TEXTS = ("", " ", "=1+1", "@SUM(1)", "-1", "0", "2147483648", str(2**70), "1e308", "NaN", "Infinity", "x" * 100_000,
                 "é" * 300, "\u202e", "\ufeff", "\x01", "a\x00b", "2015-02-30", "31/12/9999", "0931234L", "N", "W1", "[]",
                 "{}", "null", "true", "<script>", "' OR 1=1 --")
SENSIBLE = {"version": 1, "name": "Essai", "label": "Essai", "code": "Z1", "uai": "0930616P", "commune": "Clichy",
            "pupils": 600, "teachers": 40, "basin": "N", "basins": ["N"], "tier": "relay", "capacity": 4, "position": 9,
            "start_date": "2019-01-07", "end_date": "2019-03-01", "status": "done", "actual_on": "2016-01-04",
            "count": 3, "category": "pedagogy", "time_limit": 1, "priority": "none", "trained": True}
"""A plausible value per field name, so that a body with one hostile field reaches the domain."""
SIGNING_OUT = ("/logout", "/account/sessions/end", "/login")
"""Forms that end the session the fuzzing runs in (the sign-in form is fuzzed anonymously)."""


def _settings(engine, count: int) -> settings:
    """`count` examples on SQLite, a third on PostgreSQL; no deadline (a request takes what it takes)."""
    examples = count if engine.dialect.name == "sqlite" else max(count // 3, 5)
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                   st.sampled_from([2**31, -(2**31) - 1, 2**63, 2**70, -(2**70), 10**100]),
                   st.sampled_from(HOSTILE_TEXTS), st.text(max_size=20))
JSON_VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                               max_size=3), max_leaves=8)


def _bodies(fields: list[str]) -> st.SearchStrategy[bytes]:
    """JSON bodies for an operation: its fields, each left out, plausible or hostile (a list for
    an object, a string for a number, null, 2**70, a 100,000-character string…), or a body that
    is no object at all, or no JSON."""
    objects = st.fixed_dictionaries({}, optional={
        name: st.one_of(st.just(SENSIBLE.get(name, "x")), JSON_VALUES) for name in fields})
    documents = st.one_of(objects, objects, JSON_VALUES).map(lambda document: json.dumps(document).encode())
    return st.one_of(documents, st.binary(max_size=40), st.sampled_from([b"", b"{", b'{"a":', b"[" * 5_000]))


def _json_operations(app) -> list[tuple[str, str, list[str]]]:
    """(method, path, body fields) of every API operation that takes JSON, from the OpenAPI document."""
    with app.app_context():
        document = spec.spec
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                schema = document["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
                operations.append((method.upper(), path, list(schema.get("properties", {}))))
    assert operations
    return operations


def _plan(client, world, token) -> int:
    made = client.post(f"/api/v1/plans?programme={world.programme_id}", json={"name": "Base", "time_limit": 5},
                       headers=token("district_leader"))
    assert made.status_code == 202, made.text
    return made.json["id"]


def _scenario(client, world, token) -> int:
    made = client.post(f"/api/v1/programmes/{world.programme_id}/scenarios", json={"name": "Base"},
                       headers=token("district_leader"))
    assert made.status_code == 201, made.text
    return made.json["id"]


def _training_session(client, world, token) -> int:
    made = client.post(f"/api/v1/training/sessions?programme={world.programme_id}", headers=token("district_leader"),
                       json={"held_on": "2015-10-05", "trainer": "AT-001", "audience": "teachers", "uais": [world.uais[0]],
                             "modality": "online", "hours": 1, "attendees": 1})
    assert made.status_code == 201, made.text
    return made.json["sessions"][0]["id"]


def test_any_json_body_at_any_api_operation_is_refused_clearly_never_a_500(app, client, engine, world, token,
                                                                         stored) -> None:
    headers, plan_id, scenario_id = token("admin"), _plan(client, world, token), _scenario(client, world, token)
    session_id = _training_session(client, world, token)
    operations = _json_operations(app)

    @_settings(engine, 150)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        method, path, fields = data.draw(st.sampled_from(operations))
        url = path.format(uai=world.uais[0], kind="teachers_trained", label_key="notes", plan_id=plan_id,
                          programme_id=world.programme_id, scenario_id=scenario_id, session_id=session_id,
                          code="AT-001" if "trainers" in path else "W1")
        programme = data.draw(st.sampled_from([world.programme_id, world.programme_id, "x", 2**70, -1, "", "1e3"]))
        content_type = data.draw(st.sampled_from(["application/json"] * 4 + ["text/plain", "application/x-www-form-urlencoded"]))
        before = stored()
        response = client.open(f"{url}?programme={programme}", method=method, headers=headers,
                               data=data.draw(_bodies(fields)), content_type=content_type)
        assert response.status_code < 500, response.text
        assert response.is_json and response.json.get("message") is not None or response.status_code < 300
        if response.status_code >= 400:
            assert stored() == before

    check()


class _Forms(HTMLParser):
    """The POST forms of a page: where each posts, and its fields with their values as shown."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.forms, self._open = url, [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._open = (attributes.get("action") or self.url, {})
            self.forms.append(self._open)
        elif self._open is not None and tag in ("input", "select", "textarea") and attributes.get("name"):
            self._open[1][attributes["name"]] = (attributes.get("type") or tag, attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def _page_forms(app, client, world, plan_id: int, scenario_id: int) -> list[tuple[str, dict[str, tuple[str, str]]]]:
    """Every POST form of every page the admin sees (URL parameters from the world), but those
    that end the session; each form once."""
    values = {"programme_id": world.programme_id, "uai": world.uais[0], "kind": "teachers_trained", "plan_id": plan_id,
              "scenario_id": scenario_id, "user_id": world.user_ids["district_leader"]}
    forms: dict[str, dict[str, tuple[str, str]]] = {}
    with app.test_request_context():
        urls = [url_for(rule.endpoint, **{name: values.get(name, "N" if "basin" in rule.endpoint else
                                                  "AT-001" if "trainer" in rule.endpoint else "W1")
                                          for name in rule.arguments})
                for rule in app.url_map.iter_rules()
                if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static/"))
                and set(rule.arguments) <= {*values, "code"}]
    for url in urls:
        page = client.get(url)
        if page.status_code == 200 and page.mimetype == "text/html":
            parser = _Forms(url)
            parser.feed(page.text)
            forms.update((action, fields) for action, fields in parser.forms if not action.startswith(SIGNING_OUT))
    assert len(forms) > 10
    return sorted(forms.items())


def _form_values(fields: dict[str, tuple[str, str]]) -> st.SearchStrategy[dict[str, object]]:
    """A form's fields, each as shown, left out, hostile or arbitrary; a file field gets bytes."""
    def value(kind: str, shown: str) -> st.SearchStrategy[object]:
        if kind == "file":
            return st.tuples(st.binary(max_size=200).map(io.BytesIO), st.sampled_from(["f.csv", "f.xlsx", ""]))
        return st.one_of(st.just(shown), st.sampled_from(HOSTILE_TEXTS), st.text(max_size=30))

    kept = {name: st.just(shown) for name, (_kind, shown) in fields.items() if name == "csrf_token"}
    return st.fixed_dictionaries(kept, optional={name: value(kind, shown) for name, (kind, shown) in fields.items()
                                                 if name != "csrf_token"})


def test_any_value_in_any_form_is_refused_clearly_never_a_500(app, client, engine, world, token, login,
                                                             stored) -> None:
    plan_id, scenario_id = _plan(client, world, token), _scenario(client, world, token)
    login(client, "admin")
    forms = _page_forms(app, client, world, plan_id, scenario_id)

    @_settings(engine, 150)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        action, fields = data.draw(st.sampled_from(forms))
        before = stored()
        response = client.post(action, data=data.draw(_form_values(fields)), content_type="multipart/form-data")
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert stored() == before

    check()


def test_any_sign_in_is_refused_clearly_never_a_500(client, engine, world, stored) -> None:
    @_settings(engine, 30)
    @given(st.sampled_from(HOSTILE_TEXTS) | st.emails(), st.sampled_from(HOSTILE_TEXTS) | st.text(max_size=30))
    def check(email: str, password: str) -> None:
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": "x"})
        assert response.status_code < 500, response.text

    check()


@pytest.mark.parametrize("url", ["/api/v1/schools/a%00b", "/api/v1/schools?q=a%00b", "/api/v1/usage/report?from=%00"])
def test_a_nul_character_in_an_api_address_is_refused_naming_where(client, world, token, url: str) -> None:
    response = client.get(url, headers=token("district_leader"))
    assert response.status_code == 400 and "caractère nul" in response.json["message"]


def test_a_nul_character_anywhere_in_a_request_is_refused_naming_the_field(client, world, token, login, csrf,
                                                                          stored) -> None:
    headers, path = token("district_leader"), f"/programmes/{world.programme_id}/basins/new"
    login(client, "district_leader")
    form_token, before = csrf(client, path), stored()
    created = client.post(f"/api/v1/waves?programme={world.programme_id}", headers=headers,
                          json={"code": "W9", "label": "a\x00b", "position": 9, "start_date": "2019-01-07",
                                "end_date": "2019-03-01"})
    assert created.status_code == 400 and created.json["field"] == "label"
    form = client.post(path, data={"csrf_token": form_token, "code": "Z9", "name": "a\x00b"})
    assert form.status_code == 400 and "name = &#39;a\\x00b&#39; : valeur refusée : elle contient un caractère nul" in form.text
    page = client.get(f"/programmes/{world.programme_id}/schools/a%00b/edit")
    assert page.status_code == 400 and "caractère nul (U+0000) dans l&#39;adresse" in page.text
    assert stored() == before


def test_json_nested_deeper_than_python_parses_is_refused(client, world, token) -> None:
    response = client.post(f"/api/v1/waves?programme={world.programme_id}", headers=token("district_leader"),
                           data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400 and response.json["message"] == "JSON imbriqué trop profondément"


def test_an_operation_that_reads_json_refuses_a_form_body(client, world, token, stored) -> None:
    # spectree validates no JSON sent as a form, even empty: the view got no body (a 500).
    headers, before = token("district_leader"), stored()
    for body in (b"", b"name=Essai"):
        response = client.post(f"/api/v1/plans?programme={world.programme_id}", headers=headers, data=body,
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 422
        assert response.json["message"] == "send the body as JSON (Content-Type: application/json)"
    assert stored() == before


@pytest.mark.parametrize(("resource", "field"), [(lambda world: f"schools/{world.uais[0]}", "name"),
                                                 (lambda world: f"schools/{world.uais[0]}", "pupils"),
                                                 (lambda world: "trainers/AT-001", "tier"),
                                                 (lambda world: "waves/W1", "start_date")])
def test_a_field_that_always_holds_a_value_cannot_be_emptied(client, world, token, stored, resource, field) -> None:
    # Given as null, it reached the database (NOT NULL, a 500) or the order of the waves (a TypeError).
    headers, before = token("district_leader"), stored()
    response = client.patch(f"/api/v1/{resource(world)}?programme={world.programme_id}", headers=headers,
                            json={"version": 1, field: None})
    assert response.status_code == 422 and response.json["field"] == field
    assert response.json["message"] == f"{field}: Value error, valeur obligatoire"
    assert stored() == before


def test_a_programme_id_no_database_holds_is_refused_not_looked_up(client, world, token) -> None:
    # The school scope looked it up before the query was validated: an integer overflow (a 500).
    response = client.patch(f"/api/v1/schools/{world.uais[0]}/milestones/school_live?programme={2**70}",
                            headers=token("district_leader"), json={"version": 1, "status": "done"})
    assert response.status_code == 422 and response.json["field"] == "programme"
