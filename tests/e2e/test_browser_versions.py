"""Version groups in a real browser (headless Chromium): an admin uploads a song and then a
remastered version of it, the upload page says it is a new version, the song page lists both
side by side, the library shows the song once (its newest version) counting its versions or,
asked to, every version its own row; a split takes the wrong one out (two rows) and a link
puts it back (one row)."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.songs import song_files

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "versions of one song"
AMAZING = "donnaken15-charts/Amazing"

pytestmark = pytest.mark.usefixtures("stack")


def sign_in(browser, stack, username: str):
    page = browser.new_page(base_url=stack.gateway_url)
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.gateway_url}/")
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def a_song(corpus: Path, unique: str, title: str) -> bytes:
    """The corpus's Amazing under another title, with content and a chart of its own (so it
    groups with no other test's Amazing by chart)."""
    files = song_files(corpus / AMAZING, unique)
    files["notes.chart"] = files["notes.chart"].replace(b'Name = "Amazing"',
                                                        f'Name = "{unique}"'.encode())
    files["song.ini"] = files["song.ini"].replace(b"name = Amazing", f"name = {title}".encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{title}/{name}", data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def admin(stack) -> str:
    name = f"vera-{uuid.uuid4().hex[:6]}"
    stack.chhub("admin", "create", "--username", name, "--password", PASSWORD, "--role", "admin")
    return name


def library_rows(page, search: str, count: int):
    """The library's rows for `search`, reloaded until they number `count` or a while has
    passed (the search index follows the catalog a moment later)."""
    deadline = time.monotonic() + 30
    while True:
        page.goto(f"/library?{urlencode({'q': search})}")
        rows = page.locator(".song-row")
        if rows.count() == count or time.monotonic() > deadline:
            return rows
        page.wait_for_timeout(200)


def upload(page, path: Path) -> None:
    page.goto("/upload")
    page.get_by_label("Archives or .sng files").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    page.locator("[data-stage=published]").first.wait_for(timeout=90_000)


def test_an_admin_sees_a_new_version_side_by_side_and_splits_it_out(
        browser, stack, admin, corpus, unique, tmp_path):
    title = f"Versioned {unique}"
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    first.write_bytes(a_song(corpus, f"{unique}-1", title))
    second.write_bytes(a_song(corpus, f"{unique}-2", f"{title} (Remastered 2011)"))
    page = sign_in(browser, stack, admin)
    upload(page, first)
    upload(page, second)
    notice = page.locator(".new-version").first
    notice.wait_for(timeout=30_000)
    assert f"A new version of {title}" in notice.inner_text()
    shot(page, "upload-new-version")

    page.get_by_role("link", name=title, exact=True).click()
    table = page.locator("#versions-table")
    table.wait_for()
    rows = table.locator("tbody tr")
    names = rows.locator("td:first-child").all_inner_texts()
    assert any(title in n and "Remastered" not in n for n in names)
    assert any(f"{title} (Remastered 2011)" in n for n in names)
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:6] == ["Version", "Charter", "Added", "Instruments and tiers",
                           "Peak notes/s", "Issues"]
    shot(page, "song-versions")

    rows = library_rows(page, unique, 1)  # one row: the newest version, counting both
    assert rows.count() == 1
    assert rows.locator("a.title").inner_text() == f"{title} (Remastered 2011)"
    count = rows.locator(".badge.versions")
    assert count.inner_text() == "2 versions"
    assert count.get_attribute("href").endswith("#versions")
    assert "1 song" in page.locator("#results").inner_text()
    shot(page, "library-one-row-per-song")
    page.get_by_text("Filters and sort").click()
    page.get_by_label("Every version its own row").check()
    page.locator(".song-row").nth(1).wait_for()
    assert page.locator(".song-row").count() == 2 and "versions=all" in page.url
    row = page.locator(".song-row", has=page.get_by_role("link", name=title, exact=True))

    row.get_by_role("link", name=title, exact=True).click()
    page.locator("#versions-table").wait_for()
    original = page.url
    page.get_by_role("button", name=f"Split {title} (Remastered 2011) by").click()
    page.get_by_text("The only version of this song in the library.").wait_for()
    assert page.locator("h1").inner_text() == f"{title} (Remastered 2011)"
    shot(page, "song-split")
    split_out = page.url
    page.goto(original)
    assert f"{title} (Remastered 2011)" not in page.locator("#versions-table").inner_text()
    split_rows = library_rows(page, unique, 2)  # two songs now, each alone
    assert split_rows.count() == 2 and split_rows.locator(".badge.versions").count() == 0

    page.goto(split_out)  # linked back: a version again
    page.get_by_label("Another version of this song").fill(original)
    page.get_by_role("button", name="Link as a version").click()
    page.locator("#versions-table tbody tr", has_text=title).nth(1).wait_for()
    assert title in page.locator("#versions-table").inner_text().replace(
        f"{title} (Remastered 2011)", "")
    assert library_rows(page, unique, 1).locator(".badge.versions").inner_text() == (
        "2 versions")
    page.close()
