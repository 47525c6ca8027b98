"""The OpenAPI schema reads like a product's (config/openapi.py): every
operation in one of a few areas, with a summary, the problem responses it can
give and the Idempotency-Key header where its view honours it. Each check
names the operations that fail it, so a new endpoint without them is caught."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from config.openapi import AREAS, SUMMARIES, productise
from foundation.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db

PROBLEM_REF = "#/components/schemas/ProblemDetails"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """Generated once for the module (about 5 s); it reads no database."""
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path} ({operation['operationId']})", operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def without_an_area(schema: dict[str, Any]) -> list[str]:
    return [
        name for name, op in operations(schema) if len(op.get("tags", [])) != 1 or op["tags"][0] not in AREAS
    ]


def without_a_summary(schema: dict[str, Any]) -> list[str]:
    return [name for name, op in operations(schema) if not op.get("summary")]


def resolved(schema: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    ref = response.get("$ref")
    return schema["components"]["responses"][ref.rsplit("/", 1)[1]] if ref else response


def missing_problems(schema: dict[str, Any]) -> list[str]:
    """Operations lacking a problem response they can give, or whose error
    responses are not the one problem shape."""
    found = []
    for name, op in operations(schema):
        parameters = op.get("parameters", [])
        expected = {"5XX"}
        if "requestBody" in op:
            expected.add("400")
        if {} not in op.get("security", [{}]):
            expected |= {"401", "403"}
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")
        if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in parameters):
            expected |= {"400", "422"}
        responses = op.get("responses", {})
        lacking = sorted(expected - set(responses))
        if lacking:
            found.append(f"{name}: no {', '.join(lacking)}")
        for status, response in responses.items():
            if status[0] in "45":
                content = resolved(schema, response).get("content", {})
                if list(content) != [PROBLEM_CONTENT_TYPE] or content[PROBLEM_CONTENT_TYPE]["schema"] != {
                    "$ref": PROBLEM_REF
                }:
                    found.append(f"{name}: {status} is not {PROBLEM_CONTENT_TYPE} ProblemDetails")
    return found


def test_every_operation_is_in_one_area(schema):
    assert without_an_area(schema) == []


def test_every_area_in_use_is_described_at_the_top_in_order(schema):
    used = {op["tags"][0] for _, op in operations(schema)}
    assert [tag["name"] for tag in schema["tags"]] == [area for area in AREAS if area in used]
    assert all(tag["description"] for tag in schema["tags"])
    assert len(used) >= 10  # a small set of areas, but the whole product


def test_every_operation_has_a_summary(schema):
    assert without_a_summary(schema) == []


def test_every_summary_names_an_operation_that_exists(schema):
    ids = {op["operationId"] for _, op in operations(schema)}
    assert sorted(set(SUMMARIES) - ids) == []


def test_summaries_are_short_and_in_product_words():
    for operation_id, summary in SUMMARIES.items():
        assert len(summary) <= 60, operation_id
        assert summary[0].isupper(), operation_id
        assert not summary.endswith("."), operation_id
    assert SUMMARIES["alerts_create"] == "Raise an alert"
    assert SUMMARIES["alerts_accept_create"] == "Take an alert"


def test_every_operation_documents_its_problem_responses(schema):
    assert missing_problems(schema) == []


def test_a_new_endpoint_without_area_summary_or_problems_is_named(schema):
    """The checks above are not vacuous: an operation the registry and the
    area map have never heard of is reported by each of them."""
    fresh = {
        "paths": {
            "/api/v1/somewhere-new/{thing_id}/": {
                "post": {
                    "operationId": "somewhere_new_create",
                    "tags": ["somewhere-new"],
                    "parameters": [
                        {"in": "path", "name": "thing_id", "required": True, "schema": {"type": "integer"}}
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "security": [{"deviceToken": []}],
                    "responses": {"200": {"description": ""}},
                }
            }
        }
    }
    name = "POST /api/v1/somewhere-new/{thing_id}/ (somewhere_new_create)"
    assert without_an_area(fresh) == [name]
    assert without_a_summary(fresh) == [name]
    assert missing_problems(fresh) == [f"{name}: no 400, 401, 403, 404, 5XX"]
    # The hook documents its problems at once; only the area and summary need words.
    productise(fresh, generator=type("NoEndpoints", (), {"endpoints": []})(), request=None, public=True)
    assert missing_problems(fresh) == []
    assert without_a_summary(fresh) == [name]


def _operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return schema["paths"][f"/api/v1/{path}"][method]


def _header(operation: dict[str, Any]) -> dict[str, Any] | None:
    return next(
        (
            p
            for p in operation.get("parameters", [])
            if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ),
        None,
    )


@pytest.mark.parametrize(
    ("method", "path", "required"),
    [
        ("post", "alerts/", True),  # a raise must carry its key (client_key_from)
        ("post", "conversations/{conversation_id}/messages/", True),
        ("post", "plans/", False),  # @idempotent: honoured when sent
        ("post", "networks/{network_id}/shifts/", False),
        ("post", "me/ties/", False),
        ("put", "networks/{network_id}/pulse/question/", False),
    ],
)
def test_operations_that_honour_an_idempotency_key_document_it(schema, method, path, required):
    header = _header(_operation(schema, method, path))
    assert header is not None
    assert header["required"] is required
    assert "422" in _operation(schema, method, path)["responses"]


def test_operations_that_ignore_the_key_do_not_offer_it(schema):
    for method, path in [("post", "alerts/{alert_id}/accept/"), ("patch", "me/"), ("post", "auth/code/")]:
        assert _header(_operation(schema, method, path)) is None, path


def test_throttled_operations_document_429_and_the_alert_flow_does_not(schema):
    for method, path in [
        ("post", "auth/code/"),
        ("post", "auth/sign-in/"),
        ("patch", "me/"),
        ("post", "plans/"),
    ]:
        assert "429" in _operation(schema, method, path)["responses"], path
    # A person in crisis is never refused (config/edge.py), and reads are never limited.
    for method, path in [("post", "alerts/"), ("post", "alerts/{alert_id}/accept/"), ("get", "me/")]:
        assert "429" not in _operation(schema, method, path)["responses"], path
    assert "Retry-After" in schema["components"]["responses"]["TooManyRequests"]["headers"]


def test_public_operations_document_no_401(schema):
    for method, path in [("post", "auth/code/"), ("post", "auth/sign-in/"), ("get", "calendar/{token}.ics")]:
        assert "401" not in _operation(schema, method, path)["responses"], path
    assert "401" in _operation(schema, "get", "me/")["responses"]


def test_the_problem_component_matches_what_the_service_sends(schema, api, member):
    """Real answers from the error handler validate against ProblemDetails:
    a validation error, not signed in, not found (DRF's and Django's), and a
    429 with retry_after."""
    problem = {**schema["components"]["schemas"]["ProblemDetails"]}
    anonymous = api(None)
    answers = [
        anonymous.post("/api/v1/auth/code/", {"phone_number": "not a number"}, format="json"),
        anonymous.get("/api/v1/me/"),
        api(member).get("/api/v1/alerts/999999/"),
        anonymous.get("/api/v1/no-such-path/"),
    ]
    for _ in range(6):
        throttled = anonymous.post("/api/v1/auth/code/", {"phone_number": "+447700800177"}, format="json")
    answers.append(throttled)
    assert [answer.status_code for answer in answers] == [400, 401, 404, 404, 429]
    for answer in answers:
        assert answer["Content-Type"] == PROBLEM_CONTENT_TYPE
        jsonschema.validate(answer.json(), problem)
    assert answers[0].json()["errors"][0]["field"] == "phone_number"
    assert answers[-1].json()["retry_after"] == int(answers[-1]["Retry-After"])


def test_the_served_schema_is_the_product_one(client):
    served = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert served.status_code == 200
    body = served.json()
    assert body["paths"]["/api/v1/alerts/"]["post"]["summary"] == "Raise an alert"
    assert body["paths"]["/api/v1/alerts/"]["post"]["tags"] == ["Alerts"]
    assert "ProblemDetails" in body["components"]["schemas"]
