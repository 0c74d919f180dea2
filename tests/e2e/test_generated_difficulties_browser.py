"""In a real browser (headless Chromium), an admin generates Hard, Medium and Easy for a song
charted on Expert only from its page, by keyboard, and sees them marked as generated; someone
not signed in sees the marker and no buttons."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.test_browser import PASSWORD, shot, sign_in, unnamed_controls
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

EXHILARATE = "donnaken15-charts/Kevin MacLeod - Exhilarate"  # guitar and drums on Expert only
GENERATE = "Generate easier difficulties"

pytestmark = pytest.mark.usefixtures("stack")  # Chromium must be installed: CI installs it


def tab_to(page, name: str, presses: int = 80) -> None:
    """Tab through the page until the button called `name` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"no Tab reaches {name!r}")


def test_an_admin_generates_easier_difficulties_by_keyboard_and_sees_them_marked(
        browser, stack, admin_token, corpus, unique):
    username = f"gene-{unique[:6]}"
    stack.chhub("admin", "create", "--username", username, "--password", PASSWORD,
                "--role", "admin")
    details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(song_files(
        corpus / EXHILARATE, unique)), "song.zip"))
    song_id = details["songs"][0]["song_id"]

    anonymous = httpx.get(f"{stack.gateway_url}/songs/{song_id}").text
    assert GENERATE not in anonymous and "generated from Expert" not in anonymous

    page = sign_in(browser, stack, username)
    page.goto(f"/songs/{song_id}")
    assert "Remove generated difficulties" not in page.content()
    tab_to(page, GENERATE)
    page.keyboard.press("Enter")
    page.wait_for_url("**asked=generate*")
    assert page.get_by_role("status").first.inner_text().startswith(
        "Hard, Medium and Easy are being generated from Expert")
    marker = page.locator("#generated-difficulties")
    for _ in range(90):  # the new revision goes through the pipeline
        if marker.count():
            break
        page.wait_for_timeout(1000)
        page.goto(f"/songs/{song_id}")
    assert "generated from Expert for Guitar, Drums" in marker.inner_text()
    assert page.get_by_role("cell", name="Hard").count() == 2
    assert page.get_by_role("button", name="Remove generated difficulties").is_visible()
    assert page.get_by_role("button", name=GENERATE).count() == 0  # nothing left to generate
    assert unnamed_controls(page) == []
    shot(page, "generated-difficulties")
    page.close()

    anonymous = httpx.get(f"{stack.gateway_url}/songs/{song_id}").text
    assert "generated from Expert for Guitar, Drums" in anonymous
    assert "Remove generated difficulties" not in anonymous


def test_an_upload_through_the_page_that_asks_for_easier_difficulties_gets_them(
        browser, stack, admin_token, corpus, unique, tmp_path):
    username = f"ulla-{unique[:6]}"
    stack.chhub("admin", "create", "--username", username, "--password", PASSWORD,
                "--role", "uploader")
    archive = tmp_path / f"{unique}.zip"  # one file: the page sends it resumably (tus)
    archive.write_bytes(zip_bytes(song_files(corpus / EXHILARATE, unique)))
    page = sign_in(browser, stack, username)
    page.goto("/upload")
    page.get_by_label("Archives or .sng files").set_input_files(str(archive))
    page.get_by_label("Generate Hard, Medium and Easy from Expert").check()
    page.get_by_role("button", name="Upload").click()
    page.locator("[data-stage=published]").first.wait_for(timeout=90_000)
    song_link = page.locator("#upload-list a[href^='/songs/']").first
    song_id = song_link.get_attribute("href").rsplit("/", 1)[-1]
    page.close()

    for _ in range(90):  # the generated revision follows the published one
        song = httpx.get(f"{stack.gateway_url}/api/songs/{song_id}").json()
        if song["revision"] == 2:
            break
        time.sleep(1)
    assert song["metadata"]["metadata"]["generated_difficulties"] == "guitar,drums"
