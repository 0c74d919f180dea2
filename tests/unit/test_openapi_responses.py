"""Every JSON API operation documents the shape of its answers in the OpenAPI document."""

from __future__ import annotations

import pytest

from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from shared.storage import InMemoryObjectStore

METHODS = ("get", "post", "put", "patch", "delete", "head")
JSON_ROUTES = ("/api/", "/health")
UNDOCUMENTED = {
    ("POST", "/api/uploads/resumable"): "tus: the answer is in headers (Location), no body",
    ("HEAD", "/api/uploads/resumable/{upload_id}"): "tus: the answer is in headers, no body",
    ("PATCH", "/api/uploads/resumable/{upload_id}"): "tus: the answer is in headers, no body",
}
"""Operations whose successful answer has no JSON shape to show, and why."""


@pytest.fixture(scope="module")
def document() -> dict:
    app = create_app(GatewayServiceSettings(), store=InMemoryObjectStore())
    return app.openapi_schema.to_schema()


def operations(document: dict) -> dict[tuple[str, str], dict]:
    return {(method.upper(), path): operation
            for path, item in document["paths"].items() if path.startswith(JSON_ROUTES)
            for method, operation in item.items() if method in METHODS}


def shapeless(document: dict, schema: dict | None) -> bool:
    """True when `schema` (after its references) names no property: an answer of any shape."""
    components = document.get("components", {}).get("schemas", {})
    while schema and "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if not schema:
        return True
    if "oneOf" in schema or "anyOf" in schema:
        return any(shapeless(document, member)
                   for member in schema.get("oneOf", schema.get("anyOf")))
    return not schema.get("properties")


def shapeless_answers(document: dict, operation: dict, successful: bool) -> list[str]:
    """The status codes (2xx, or the others) whose JSON answer shows no shape; a success
    without a body (204) has nothing to show."""
    found = []
    for status, answer in operation.get("responses", {}).items():
        if status.startswith("2") != successful or status == "204":
            continue
        content = answer.get("content") or {"application/json": {}}
        found += [status for media_type, body in content.items()
                  if "json" in media_type and shapeless(document, body.get("schema"))]
    return found


@pytest.mark.unit
def test_every_json_api_success_shows_the_shape_of_its_answer(document):
    missing = {key: codes for key, operation in operations(document).items()
               if key not in UNDOCUMENTED
               and (codes := shapeless_answers(document, operation, successful=True))}
    assert missing == {}


@pytest.mark.unit
def test_every_documented_error_answer_shows_its_shape(document):
    missing = {key: codes for key, operation in operations(document).items()
               if (codes := shapeless_answers(document, operation, successful=False))}
    assert missing == {}


@pytest.mark.unit
def test_the_exceptions_name_operations_that_exist(document):
    assert set(UNDOCUMENTED) <= set(operations(document))


@pytest.mark.unit
def test_an_upload_documents_its_refusal_and_its_retry_later(document):
    answers = document["paths"]["/api/uploads"]["post"]["responses"]
    assert {"202", "400", "413", "503"} <= set(answers)
    assert not shapeless(document, answers["503"]["content"]["application/json"]["schema"])


@pytest.mark.unit
def test_the_library_search_documents_how_it_shows_a_songs_versions(document):
    operation = document["paths"]["/api/library"]["get"]
    versions = next(p for p in operation["parameters"] if p["name"] == "versions")
    assert "one item per song" in versions["description"]
    assert "every version its own item" in versions["description"]
    schema = versions["schema"]
    choices = {value for option in schema.get("oneOf", [schema])
               for value in option.get("enum", [])}
    assert {"grouped", "all"} <= choices
    assert "versions:all" in operation["description"]


@pytest.mark.unit
def test_an_uploads_status_documents_its_page_of_songs_and_their_counts(document):
    operation = document["paths"]["/api/uploads/{upload_id}"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"state", "after", "limit"} <= set(parameters)
    assert all(parameters[name].get("description") for name in ("state", "after", "limit"))
    assert parameters["limit"]["schema"]["maximum"] == 500
    assert {"failed", "in_progress", "published", "duplicate"} <= set(
        parameters["state"]["schema"]["enum"])
    schemas = document["components"]["schemas"]
    status = schemas[operation["responses"]["200"]["content"]["application/json"]["schema"]
                     ["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert {"song_counts", "songs", "next_after"} <= set(status)
    counts = schemas[status["song_counts"]["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert set(counts) == {"total", "in_progress", "published", "duplicate", "failed"}
