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

import pytest
from flask import url_for

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
