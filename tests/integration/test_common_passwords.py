"""Wherever a user and password are set, `chhub admin create` and the users page, a password
from the common-password list is refused and no user is made."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from services.cli import main
from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from services.gateway.users import create_user, list_users
from shared.persistence.db import make_engine, make_sessions, transaction

pytestmark = pytest.mark.integration

ADMIN_PASSWORD = "admins pick long phrases 9"


def usernames(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    with make_sessions(engine)() as session:
        names = {user.username for user in list_users(session)}
    engine.dispose()
    return names


def test_chhub_admin_create_refuses_a_common_password(database_url) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    result = CliRunner().invoke(main, ["admin", "create", "--username", name,
                                       "--password", "password1"],
                                env={"CHHUB_DATABASE_URL": database_url})
    assert result.exit_code != 0
    assert "too easy to guess" in result.output and "common password" in result.output
    assert name not in usernames(database_url)


def test_the_users_page_refuses_a_common_password(database_url, broker_url) -> None:
    admin = f"admin-{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    with transaction(make_sessions(engine)) as session:
        create_user(session, admin, ADMIN_PASSWORD, "admin")
    engine.dispose()
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                      redis_url=None)
    with TestClient(create_app(settings)) as client:
        client.get("/login")
        client.post("/login", data={"username": admin, "password": ADMIN_PASSWORD,
                                    "_csrf_token": client.cookies["csrftoken"]})
        name = f"page-{uuid.uuid4().hex[:8]}"
        response = client.post("/admin/users", data={
            "username": name, "password": "iloveyou2", "role": "viewer",
            "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 400
    assert "too easy to guess" in response.text
    assert name not in usernames(database_url)
