"""Every route of the gateway, from its OpenAPI document and its page routes, has an entry in
the access table, its guards let in exactly who the table says, and with private browsing the
app answers each caller as the table says: no credential 401, a role too low 403."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from services.gateway.access import ADMIN, ANYONE, BROWSE, UPLOADER, expected, level_of
from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from services.gateway.tokens import create_token
from shared.persistence.db import make_engine, make_sessions, transaction

pytestmark = pytest.mark.integration

Route = tuple[str, str, list]  # method, path as Litestar writes it, the handler's guards


def routes(app: Litestar) -> Iterator[Route]:
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in sorted(handler.http_methods - {"OPTIONS"}):
                    yield method, route.path, handler.resolve_guards()


def openapi_form(path: str) -> str:
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", path)


def concrete(path: str) -> str:
    """A path to request: each parameter filled with a value of its type."""
    path = re.sub(r"\{\w+:uuid\}", str(uuid.uuid4()), path)
    return re.sub(r"\{\w+:\w+\}", "x", path)


@pytest.fixture(scope="module")
def app(database_url, broker_url) -> Litestar:
    return create_app(GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                             redis_url=None, public_browsing=False))


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        test_client.get("/login")  # the CSRF cookie, so that form posts reach the guards
        yield test_client


@pytest.fixture(scope="module")
def tokens(database_url) -> dict[str, str]:
    engine = make_engine(database_url)
    with transaction(make_sessions(engine)) as session:
        made = {role: create_token(session, f"access-{role}", role)
                for role in ("viewer", "uploader")}
    engine.dispose()
    return made


def call(client: TestClient, method: str, path: str, token: str | None = None) -> int:
    headers = {"X-CSRFToken": client.cookies["csrftoken"]}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.request(method, concrete(path), headers=headers).status_code


def test_every_operation_of_the_openapi_document_has_an_entry(app) -> None:
    documented = {(method.upper(), path) for path, item in app.openapi_schema.paths.items()
                  for method in ("get", "post", "put", "patch", "delete", "head")
                  if getattr(item, method) is not None}
    entries = {(method, openapi_form(path)) for method, path, _ in routes(app)
               if expected(method, path) is not None}
    assert documented and sorted(documented - entries) == []


def test_every_route_has_an_entry_and_its_guards_match_it(app) -> None:
    missing = [(method, path) for method, path, _ in routes(app)
               if expected(method, path) is None]
    assert missing == [], "routes without an entry in services/gateway/access.py"
    wrong = {(method, path): (level_of(guards), expected(method, path))
             for method, path, guards in routes(app)
             if level_of(guards) != expected(method, path)}
    assert wrong == {}, "(guards let in, the table says)"


def test_with_private_browsing_every_route_but_the_open_ones_refuses_anonymous_callers(
        app, client) -> None:
    answers = {(method, path): call(client, method, path) for method, path, _ in routes(app)
               if expected(method, path) != ANYONE}
    assert {route: code for route, code in answers.items() if code != 401} == {}


def test_the_private_api_reads_refuse_anonymous_callers(client) -> None:
    for path in ("/api/songs", f"/api/songs/{uuid.uuid4()}", "/api/library",
                 "/api/library/totals", f"/api/uploads/{uuid.uuid4()}"):
        assert client.get(path).status_code == 401, path


def test_a_viewer_browses_but_neither_uploads_nor_administers(app, client, tokens) -> None:
    answers = {(method, path, expected(method, path)): call(client, method, path,
                                                            tokens["viewer"])
               for method, path, _ in routes(app) if expected(method, path) != ANYONE}
    refused = {key for key, code in answers.items() if code == 403}
    assert refused == {key for key in answers if key[2] in (UPLOADER, ADMIN)}
    assert all(code not in (401, 403) for key, code in answers.items() if key[2] == BROWSE)


def test_an_uploader_does_not_administer(app, client, tokens) -> None:
    answers = {(method, path): call(client, method, path, tokens["uploader"])
               for method, path, _ in routes(app) if expected(method, path) == ADMIN}
    assert answers and {route: code for route, code in answers.items() if code != 403} == {}
