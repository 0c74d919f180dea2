"""Sessions are stored only once they hold a sign-in: anonymous requests cost no store write
and get no session cookie, a sign-in keeps its session, and signing out forgets it."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import TestClient

from services.gateway.app import create_app
from services.gateway.sessions import SESSION_KEY
from services.gateway.settings import GatewayServiceSettings
from services.gateway.users import create_user
from shared.persistence.db import make_engine, make_sessions, transaction

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


def session_cookie(response) -> str:
    [header] = [value for value in response.headers.get_list("set-cookie")
                if value.startswith(f"{SESSION_KEY}=")]
    return header


def test_a_session_id_the_server_never_issued_is_not_adopted_at_sign_in(client, account):
    client.get("/login")
    client.cookies.set(SESSION_KEY, "attackerchosen1234", domain="testserver.local")
    response = client.post("/login", data={"username": account[0], "password": account[1],
                                           "_csrf_token": client.cookies["csrftoken"]},
                           follow_redirects=False)
    assert response.status_code == 303
    issued = response.cookies[SESSION_KEY]
    assert issued != "attackerchosen1234" and len(issued) >= 32
    assert client.app.stores.get("sessions")._store.keys() == {issued}


def test_every_sign_in_moves_the_session_to_a_new_id_and_the_old_one_stops_working(
        client, account):
    first = sign_in(client, account).cookies[SESSION_KEY]
    second = sign_in(client, account).cookies[SESSION_KEY]
    assert second != first
    assert client.app.stores.get("sessions")._store.keys() == {second}
    # Someone who learnt the id before the second sign-in has nothing.
    client.cookies.set(SESSION_KEY, first, domain="testserver.local")
    assert "Sign out" not in client.get("/library").text
    client.cookies.set(SESSION_KEY, second, domain="testserver.local")
    assert "Sign out" in client.get("/library").text


def test_signing_out_expires_the_session_cookie_at_once(client, account):
    sign_in(client, account)
    response = client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]},
                           follow_redirects=False)
    cookie = session_cookie(response).lower()
    assert "max-age=0" in cookie and "max-age=1209600" not in cookie


def test_cookies_are_secure_when_the_hub_is_behind_tls(database_url, broker_url, account):
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                      redis_url=None, secure_cookies=True)
    with TestClient(create_app(settings), base_url="https://testserver.local") as secure:
        assert "secure" in secure.get("/login").headers["set-cookie"].lower()
        response = sign_in(secure, account)
        assert response.status_code == 303, response.text
        assert "; secure" in session_cookie(response).lower()


def test_cookies_are_not_marked_secure_by_default(client, account):
    assert "secure" not in session_cookie(sign_in(client, account)).lower()
