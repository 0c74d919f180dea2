"""Sessions are stored only once they hold a sign-in: anonymous requests cost no store write
and get no session cookie, a sign-in keeps its session, and signing out forgets it."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import TestClient

from services.catalog.db import make_engine, make_sessions, transaction
from services.gateway.app import create_app
from services.gateway.security import SESSION_KEY
from services.gateway.settings import GatewayServiceSettings
from services.gateway.users import create_user

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def account(database_url) -> tuple[str, str]:
    name, password = f"session-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    engine = make_engine(database_url)
    with transaction(make_sessions(engine)) as session:
        create_user(session, name, password, "viewer")
    engine.dispose()
    return name, password


@pytest.fixture
def client(database_url, broker_url):
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                      redis_url=None)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def stored_sessions(client: TestClient) -> int:
    return len(client.app.stores.get("sessions")._store)


def sign_in(client: TestClient, account: tuple[str, str]):
    client.get("/login")
    return client.post("/login", data={"username": account[0], "password": account[1],
                                       "next": "/", "_csrf_token": client.cookies["csrftoken"]},
                       follow_redirects=False)


def test_anonymous_requests_store_no_session_and_set_no_session_cookie(client):
    for path in ("/api/library", "/library", "/login", "/api/library/totals"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert SESSION_KEY not in response.cookies, path
    assert stored_sessions(client) == 0


def test_a_sign_in_keeps_one_session_and_signing_out_forgets_it(client, account):
    response = sign_in(client, account)
    assert response.status_code == 303 and SESSION_KEY in response.cookies
    assert stored_sessions(client) == 1
    assert client.get("/library").status_code == 200
    assert stored_sessions(client) == 1
    client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]},
                follow_redirects=False)
    assert stored_sessions(client) == 0
