"""Schemathesis against the OpenAPI document, with a token for each role.

Every operation of the document is called with generated inputs by every role: no response may
be a server error, and every response must match what the document declares (status code,
body schema, content type). Schemathesis's pytest plugin does not run under this pytest, so
the operations are driven through its Python API with Hypothesis directly.
"""

from __future__ import annotations

import schemathesis
from schemathesis.config import PositiveDataAcceptanceConfig
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

ROLES = ("stakeholder", "project_manager", "district_leader", "admin")
EXAMPLES_PER_OPERATION = 15


def test_api_conforms_to_its_document(app, world, token) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    # 400 is how the API answers a valid but ambiguous call (no ?programme= while the caller
    # sees several programmes): an accepted answer to schema-valid data, like 404 and 409.
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
    )
    headers = [token(role) for role in ROLES]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the document describes no operation"

    for operation in operations:
        # Any bytes are a schema-valid file: a file with invalid rows is answered 422 listing
        # every invalid row, by design, so uploads are exempt from positive-data acceptance.
        uploads = any(body.media_type == "multipart/form-data" for body in operation.body)
        excluded = [positive_data_acceptance] if uploads else []

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def conforms(case) -> None:
            for role_headers in headers:
                case.call_and_validate(headers=role_headers, excluded_checks=excluded)

        conforms()


def test_every_operation_declares_the_503_of_an_unavailable_database(client) -> None:
    """Any operation may meet the database unavailable or busy, answered 503 `{message, field}`
    by one handler for the whole app (tests/rollout/test_database_outage.py): each says so."""
    document = client.get("/api/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    operations = {(path, method): operation for path, methods in document["paths"].items()
                  for method, operation in methods.items()}
    assert operations, "the document describes no operation"
    for name, operation in operations.items():
        declared = operation["responses"].get("503")
        assert declared is not None, name
        reference = declared["content"]["application/json"]["schema"]["$ref"]
        assert set(schemas[reference.rsplit("/", 1)[1]]["properties"]) == {"message", "field"}, name
