"""`/health` tells anyone only whether the hub is up; what failed, and the error, goes to the
log and to admins."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from services.gateway.tokens import create_token
from shared.persistence.db import make_engine, make_sessions, transaction
from tests.support.stack import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def without_store(database_url, broker_url) -> Iterator[TestClient]:
    """A gateway whose object store is away: nothing listens on its S3 port."""
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                      redis_url=None, s3_endpoint=f"127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while client.get("/health").json()["status"] != "waiting for object_store":
            assert time.monotonic() < deadline, client.get("/health").text
            time.sleep(0.2)  # the broker and the database answer at once; S3 never
        yield client


@pytest.fixture(scope="module")
def tokens(database_url) -> dict[str, str]:
    engine = make_engine(database_url)
    with transaction(make_sessions(engine)) as session:
        made = {role: create_token(session, f"health-{role}", role)
                for role in ("viewer", "admin")}
    engine.dispose()
    return made


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_anonymous_caller_learns_only_what_the_hub_waits_for(without_store) -> None:
    response = without_store.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "waiting for object_store"}
    assert "127.0.0.1" not in response.text and "rror" not in response.text


def test_a_viewer_learns_no_more_than_anyone(without_store, tokens) -> None:
    response = without_store.get("/health", headers=bearer(tokens["viewer"]))
    assert response.json() == {"status": "waiting for object_store"}


def test_an_admin_sees_which_dependency_is_away_and_why(without_store, tokens) -> None:
    body = without_store.get("/health", headers=bearer(tokens["admin"])).json()
    assert set(body["waiting_for"]) == {"object_store"}
    assert body["waiting_for"]["object_store"]
