"""The gateway refuses what it should: no session or token, the wrong role, no CSRF token,
too many sign-ins, revoked tokens; and hostile song names and album art stay inert."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from services.gateway.tokens import create_token, revoke_token
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"
PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script>"
SVG_ART = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
           b'<script>alert(2)</script><rect width="10" height="10"/></svg>')


def make_user(stack, unique: str, role: str) -> str:
    name = f"{role}-{unique}"
    stack.chhub("admin", "create", "--username", name, "--password", PASSWORD, "--role", role)
    return name


def csrf(client: httpx.Client) -> str:
    client.get("/login")
    return client.cookies["csrftoken"]


def signed_in(stack, username: str) -> httpx.Client:
    client = httpx.Client(base_url=stack.gateway_url, timeout=30)
    answer = client.post("/login", data={"username": username, "password": PASSWORD,
                                         "_csrf_token": csrf(client)})
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture(scope="module")
def people(stack):
    unique = uuid.uuid4().hex[:8]
    return {role: signed_in(stack, make_user(stack, unique, role))
            for role in ("viewer", "uploader", "admin")}


@pytest.fixture
def anonymous(stack):
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client


def writes(song_id: str) -> list[tuple[str, str, dict]]:
    """Every write endpoint, each with the role it needs and a harmless request."""
    form = {"song": song_id}
    return [
        ("POST", "/api/uploads/?filename=x.zip", {"content": b"x", "role": "uploader"}),
        ("PATCH", f"/api/songs/{song_id}", {"json": {"changes": {"name": "x"}}, "role": "admin"}),
        ("DELETE", f"/api/songs/{song_id}", {"role": "admin"}),
        ("POST", "/library/bulk", {"data": {**form, "action": "delete"}, "role": "admin"}),
        ("POST", "/library/bulk", {"data": {**form, "action": "confirm-delete"},
                                   "role": "admin"}),
        ("POST", f"/songs/{song_id}/edit", {"data": {"name": "x"}, "role": "admin"}),
        ("POST", "/admin/users", {"data": {"username": "x", "password": "y" * 9},
                                  "role": "admin"}),
    ]


def send(client: httpx.Client, method: str, path: str, spec: dict, token: str | None = None,
         headers: dict | None = None) -> httpx.Response:
    data = dict(spec["data"]) if "data" in spec else None
    if token and data is not None:
        data["_csrf_token"] = token
    elif token:
        headers = {**(headers or {}), "X-CSRFToken": token}
    return client.request(method, path, data=data, json=spec.get("json"),
                          content=spec.get("content"), headers=headers)


def test_every_write_endpoint_refuses_requests_without_a_session_or_token(anonymous):
    token = csrf(anonymous)
    for method, path, spec in writes(str(uuid.uuid4())):
        answer = send(anonymous, method, path, spec, token)
        assert answer.status_code == 401, (method, path, answer.text)


def test_every_write_endpoint_refuses_a_role_below_the_one_it_needs(people):
    below = {"uploader": "viewer", "admin": "uploader"}
    for method, path, spec in writes(str(uuid.uuid4())):
        client = people[below[spec["role"]]]
        answer = send(client, method, path, spec, client.cookies["csrftoken"])
        assert answer.status_code == 403, (method, path, answer.text)


def test_every_write_endpoint_refuses_a_session_request_without_its_csrf_token(people):
    admin = people["admin"]
    for method, path, spec in writes(str(uuid.uuid4())):
        answer = send(admin, method, path, spec)
        assert answer.status_code == 403, (method, path, answer.text)
        assert "CSRF" in answer.text


def test_a_session_with_the_csrf_token_passes_the_checks(people):
    admin = people["admin"]
    answer = admin.patch(f"/api/songs/{uuid.uuid4()}", json={"changes": {"name": "x"}},
                         headers={"X-CSRFToken": admin.cookies["csrftoken"]})
    assert answer.status_code == 404  # past authentication, role and CSRF


def test_api_token_requests_need_no_csrf_token(stack, admin_token):
    answer = httpx.patch(f"{stack.gateway_url}/api/songs/{uuid.uuid4()}",
                         json={"changes": {"name": "x"}},
                         headers={"Authorization": f"Bearer {admin_token}"})
    assert answer.status_code == 404


def test_sign_in_is_rate_limited_per_address(stack, people):
    # From another loopback address, so that other tests' sign-ins are not throttled.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=stack.gateway_url, transport=transport, timeout=30) as client:
        token = csrf(client)
        codes = [client.post("/login", data={"username": "nobody", "password": "wrong-password",
                                             "_csrf_token": token}).status_code
                 for _ in range(7)]
    assert codes[0] == 401
    assert codes[-1] == 429


def test_a_revoked_token_stops_working(stack, database_url):
    engine = create_engine(database_url)
    sessions = sessionmaker(engine)
    with sessions.begin() as session:
        token = create_token(session, "revoked soon", "admin")
    url = f"{stack.gateway_url}/api/songs/{uuid.uuid4()}"
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.delete(url, headers=auth).status_code == 404
    with sessions.begin() as session:
        assert revoke_token(session, token)
    assert httpx.delete(url, headers=auth).status_code == 401
    engine.dispose()


def test_a_hostile_song_name_and_svg_album_art_are_shown_inert(stack, admin_token, corpus,
                                                               unique):
    files = song_files(corpus / AMAZING, unique)
    files["song.ini"] = re.sub(rb"name = Amazing", f"name = {XSS}".encode(), files["song.ini"])
    files["album.png"] = SVG_ART
    details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(files), "xss.zip"))
    [song] = details["songs"]
    assert song["stage"] == "published", details
    page = httpx.get(f"{stack.gateway_url}/songs/{song['song_id']}")
    assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    listing = httpx.get(f"{stack.gateway_url}/library", params={"q": "alert"})
    assert XSS not in listing.text
    art = httpx.get(f"{stack.gateway_url}/songs/{song['song_id']}/art")
    assert art.headers["content-type"].startswith("image/svg+xml")
    assert art.headers["content-security-policy"].startswith("default-src 'none'")
    assert art.headers["x-content-type-options"] == "nosniff"
