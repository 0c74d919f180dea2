"""Admins run the pipeline from the Operations pages and their JSON twins: dead letters are
listed with their reason, retried or discarded; the upload history filters; API tokens are
created once, work, and stop working when revoked. Uploaders are refused all of it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from shared.persistence.tables import Upload
from shared.topology import EXTRACT
from tests.support.operations import (
    client_for,
    dead_letter,
    form,
    listed,
    sign_in,
    wait_for_letter,
)
from tests.support.songs import song_files, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


@pytest.fixture(scope="module")
def admin(stack):
    client = sign_in(stack, "admin")
    yield client
    client.close()


@pytest.fixture(scope="module")
def uploader(stack):
    client = sign_in(stack, "uploader")
    yield client
    client.close()


def test_an_admin_sees_a_dead_letter_with_its_reason_and_retries_it(stack, admin, unique):
    message_id = dead_letter(stack, f"Gave up after 4 attempts: S3 is away {unique}")
    page = admin.get("/operations/dead-letters")
    assert page.status_code == 200
    assert f"S3 is away {unique}" in page.text and f'data-message-id="{message_id}"' in page.text
    assert "song.found" in page.text and "/uploads/" in page.text and "/songs/" in page.text

    answer = form(admin, "/operations/dead-letters/retry", queue=EXTRACT.queue_name,
                  message_id=message_id)
    assert answer.status_code == 200 and "1 message of ingest.extract retried" in answer.text
    assert f'data-message-id="{message_id}"' not in answer.text
    assert not listed(admin, message_id)
    # Its cause (a missing original) lasts: the stage tries it again and gives up again.
    letter = wait_for_letter(admin, message_id)
    assert letter["reason"].startswith("Gave up after 4 attempts"), letter
    assert form(admin, "/operations/dead-letters/discard", queue=EXTRACT.queue_name,
                message_id=message_id, confirmed="true").status_code == 200


def test_a_dead_letter_is_discarded_only_after_a_confirmation(stack, admin, unique):
    message_id = dead_letter(stack, f"broken {unique}")
    fields = {"queue": EXTRACT.queue_name, "message_id": message_id}
    confirm = form(admin, "/operations/dead-letters/discard", **fields)
    assert confirm.status_code == 200 and "Yes, discard" in confirm.text
    assert listed(admin, message_id), "asking for the confirmation discards nothing"
    answer = form(admin, "/operations/dead-letters/discard", **fields, confirmed="true")
    assert "1 message of ingest.extract discarded" in answer.text
    assert not listed(admin, message_id)


def test_the_dead_letter_api_takes_a_bearer_token(stack, admin_token, unique):
    message_id = dead_letter(stack, f"api {unique}")
    with httpx.Client(base_url=stack.gateway_url, timeout=30,
                      headers={"Authorization": f"Bearer {admin_token}"}) as api:
        [letter] = [item for item in api.get("/api/operations/dead-letters").json()["items"]
                    if item["message_id"] == message_id]
        assert (letter["queue"], letter["reason"], letter["attempts"]) == (
            EXTRACT.queue_name, f"api {unique}", 4)
        answer = api.post(f"/api/operations/dead-letters/{EXTRACT.queue_name}/discard",
                          params={"message_id": message_id})
        assert answer.json()["discarded"] == 1
        assert api.post("/api/operations/dead-letters/no.such.queue/retry").status_code == 404


def test_the_upload_history_filters_by_state_source_and_file_name(stack, admin, database_url,
                                                                   unique):
    engine = create_engine(database_url)
    failed, completed = uuid.uuid4(), uuid.uuid4()
    with sessionmaker(engine).begin() as session:
        session.add_all([
            Upload(id=failed, filename=f"history-{unique}-a.zip", source="bucket",
                   bucket="chhub-uploads", key="k", state="failed", error="not an archive"),
            Upload(id=completed, filename=f"history-{unique}-b.zip", source="gateway",
                   bucket="chhub-uploads", key="k", state="completed", song_total=1)])
    engine.dispose()
    page = admin.get("/operations/uploads", params={"state": "failed", "q": f"history-{unique}"})
    assert f'href="/uploads/{failed}"' in page.text and str(completed) not in page.text
    assert "1 upload" in page.text
    api = admin.get("/api/operations/uploads",
                    params={"source": "gateway", "q": f"HISTORY-{unique}", "since": "2000-01-01"})
    assert api.json()["total"] == 1 and api.json()["items"][0]["id"] == str(completed)
    assert admin.get("/operations/uploads", params={"state": "lost"}).status_code == 400


def test_a_token_created_on_the_page_works_until_it_is_revoked(stack, admin, corpus, unique):
    created = form(admin, "/operations/tokens", name=f"ci-{unique}", role="uploader")
    [token] = re.findall(r'value="(chh_[^"]+)"', created.text)
    assert "shown only this once" in created.text
    assert created.headers["cache-control"] == "no-store"
    listing = admin.get("/operations/tokens").text
    assert token not in listing
    [token_id] = re.findall(rf'data-token-id="([0-9a-f-]+)">\s*<td>ci-{unique}<', listing)

    def send_upload() -> httpx.Response:
        return httpx.post(f"{stack.gateway_url}/api/uploads/", params={"filename": "ops.zip"},
                          content=zip_bytes(song_files(Path(corpus) / AMAZING, unique)),
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)

    assert send_upload().status_code == 202
    confirm = form(admin, f"/operations/tokens/{token_id}/revoke")
    assert "Yes, revoke it" in confirm.text
    revoked = form(admin, f"/operations/tokens/{token_id}/revoke", confirmed="true")
    assert "The token is revoked" in revoked.text
    assert send_upload().status_code == 401


def test_the_token_api_creates_lists_and_revokes(stack, admin_token, unique):
    with httpx.Client(base_url=stack.gateway_url, timeout=30,
                      headers={"Authorization": f"Bearer {admin_token}"}) as api:
        created = api.post("/api/operations/tokens", json={"name": f"api-{unique}",
                                                           "role": "viewer"}).json()
        [row] = [t for t in api.get("/api/operations/tokens").json()["items"]
                 if t["id"] == created["id"]]
        assert (row["name"], row["role"], row["revoked_at"]) == (f"api-{unique}", "viewer", None)
        assert "token" not in row
        assert api.delete(f"/api/operations/tokens/{created['id']}").status_code == 204
        assert api.delete(f"/api/operations/tokens/{created['id']}").status_code == 404
    refused = httpx.get(f"{stack.gateway_url}/api/operations/tokens",
                        headers={"Authorization": f"Bearer {created['token']}"})
    assert refused.status_code == 401


def test_an_uploader_is_refused_every_operations_page_and_api(stack, uploader):
    some_id = uuid.uuid4()
    queue = EXTRACT.queue_name
    csrf = uploader.cookies["csrftoken"]
    requests = [
        ("GET", "/operations"), ("GET", "/operations/dead-letters"),
        ("GET", "/operations/uploads"), ("GET", "/operations/tokens"),
        ("POST", "/operations/dead-letters/retry"), ("POST", "/operations/dead-letters/discard"),
        ("POST", "/operations/tokens"), ("POST", f"/operations/tokens/{some_id}/revoke"),
        ("GET", "/api/operations/dead-letters"), ("GET", "/api/operations/uploads"),
        ("GET", "/api/operations/tokens"), ("POST", "/api/operations/tokens"),
        ("POST", f"/api/operations/dead-letters/{queue}/retry"),
        ("POST", f"/api/operations/dead-letters/{queue}/discard"),
        ("DELETE", f"/api/operations/tokens/{some_id}"),
    ]
    for method, path in requests:
        data = {"queue": queue, "name": "x", "_csrf_token": csrf} if method == "POST" else None
        answer = uploader.request(method, path, data=data, headers={"X-CSRFToken": csrf})
        assert answer.status_code == 403, (method, path, answer.status_code)
    assert "Operations" not in uploader.get("/").text
    with client_for(stack) as anonymous:
        assert anonymous.get("/api/operations/dead-letters").status_code == 401


def test_the_dead_letter_page_renders_with_labelled_controls_in_a_browser(stack, admin, unique):
    import playwright.sync_api as playwright_api

    from tests.e2e.conftest import ARGS, CHROMIUM
    from tests.e2e.test_browser import shot, unnamed_controls

    # The dead letter is made first: playwright's sync API keeps an event loop running.
    message_id = dead_letter(stack, f"seen in a browser {unique}")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(base_url=stack.gateway_url)
        context.add_cookies([{"name": c.name, "value": c.value, "url": stack.gateway_url}
                             for c in admin.cookies.jar])
        page = context.new_page()
        page.goto("/")
        page.get_by_role("link", name="Operations").click()
        page.wait_for_url("**/operations/dead-letters")
        assert page.get_by_role("heading", name="Dead letters").is_visible()
        assert page.get_by_text(f"seen in a browser {unique}").is_visible()
        assert unnamed_controls(page) == []
        shot(page, "operations-dead-letters")
        page.get_by_role("button", name=f"Discard message {message_id}").click()
        page.get_by_role("button", name="Yes, discard").click()
        page.get_by_text("1 message of ingest.extract discarded").wait_for()
        for section in ("uploads", "tokens"):
            page.goto(f"/operations/{section}")
            assert unnamed_controls(page) == []
        browser.close()
