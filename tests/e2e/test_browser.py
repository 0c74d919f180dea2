"""A person in a real browser (headless Chromium): signs in, uploads through the page, finds
the song with a typo and filters, opens its page, and is kept out of what their role forbids."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.support.songs import song_files

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "rock and roll all nite"
AMAZING = "donnaken15-charts/Amazing"

pytestmark = pytest.mark.usefixtures("stack")  # Chromium must be installed: CI installs it


@pytest.fixture(scope="module")
def accounts(stack):
    suffix = uuid.uuid4().hex[:6]
    names = {"admin": f"ada-{suffix}", "uploader": f"ulla-{suffix}"}
    for role, name in names.items():
        stack.chhub("admin", "create", "--username", name, "--password", PASSWORD, "--role", role)
    return names


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


def unnamed_controls(page) -> list[str]:
    """Inputs, selects and buttons that a screen reader could not name."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, button, textarea')].filter(el => {
          const label = (el.labels && [...el.labels].map(l => l.textContent).join(' ').trim())
            || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
            || (el.tagName === 'BUTTON' && el.textContent.trim()) || el.title;
          return !label;
        }).map(el => el.outerHTML.slice(0, 120))""")


def unique_song(corpus: Path, unique: str, title: str) -> bytes:
    """The corpus's Amazing under another title, with a chart of its own: two of them are two
    songs, not versions of one."""
    files = song_files(corpus / AMAZING, unique)
    files["notes.chart"] = files["notes.chart"].replace(b'Name = "Amazing"',
                                                        f'Name = "{unique}"'.encode())
    files["song.ini"] = files["song.ini"].replace(b"name = Amazing", f"name = {title}".encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{title}/{name}", data)
    return buffer.getvalue()


def test_an_uploader_uploads_by_keyboard_and_watches_the_song_arrive(
        browser, stack, accounts, corpus, unique, tmp_path):
    title = f"Amazing Keyboard {unique}"
    archive = tmp_path / f"{unique}.zip"
    archive.write_bytes(unique_song(corpus, unique, title))
    page = sign_in(browser, stack, accounts["uploader"])
    page.goto("/upload")
    assert unnamed_controls(page) == []
    page.get_by_label("Archives or .sng files").focus()
    page.get_by_label("Archives or .sng files").set_input_files(str(archive))
    page.keyboard.press("Tab")  # the folder picker
    page.keyboard.press("Tab")  # the choice to generate lower difficulties
    page.keyboard.press("Tab")  # the Upload button
    assert page.evaluate("document.activeElement.id") == "upload-button"
    page.keyboard.press("Enter")
    page.locator("[data-stage=published]").first.wait_for(timeout=90_000)
    assert title in page.locator("#upload-list").inner_text()
    shot(page, "upload")

    page.goto("/admin/users")
    assert "Not for you" in page.content()
    shot(page, "forbidden")
    page.close()


def test_an_admin_finds_a_song_with_a_typo_and_filters_then_opens_it(
        browser, stack, accounts, corpus, unique, tmp_path):
    title = f"Amazing Filters {unique}"
    archive = tmp_path / f"{unique}.zip"
    archive.write_bytes(unique_song(corpus, unique, title))
    page = sign_in(browser, stack, accounts["admin"])
    shot(page, "home")
    page.goto("/upload")
    page.get_by_label("Archives or .sng files").set_input_files(str(archive))
    page.get_by_role("button", name="Upload").click()
    page.locator("[data-stage=published]").first.wait_for(timeout=90_000)

    page.goto("/library")
    assert unnamed_controls(page) == []
    search = page.get_by_label("Search songs")
    search.focus()
    search.fill(f"Amazng Filters {unique}")  # a typo in the name
    page.keyboard.press("Enter")
    page.wait_for_url("**/library?*q=Amazng*")
    page.get_by_role("link", name=title).wait_for()
    page.locator("summary", has_text="Filters and sort").press("Enter")  # opens the filters
    page.get_by_label("Instrument").select_option("drums")
    page.get_by_label("Difficulty").select_option("expert")
    page.wait_for_url("**difficulty=expert*")
    page.get_by_role("link", name=title).wait_for()
    assert "instrument=drums" in page.url
    shot(page, "library")

    page.get_by_role("link", name=title).click()
    page.wait_for_selector("#nps-graph polyline")
    assert page.get_by_role("heading", name=title).is_visible()
    assert unnamed_controls(page) == []
    shot(page, "song")
    page.close()


def test_an_admin_edits_a_field_and_bulk_deletes_two_songs(browser, stack, accounts, corpus,
                                                            unique, tmp_path):
    page = sign_in(browser, stack, accounts["admin"])
    titles = [f"Doomed {n} {unique}" for n in (1, 2)]
    for n, title in enumerate(titles):
        archive = tmp_path / f"{n}.zip"
        archive.write_bytes(unique_song(corpus, f"{unique}{n}", title))
        page.goto("/upload")
        page.get_by_label("Archives or .sng files").set_input_files(str(archive))
        page.get_by_role("button", name="Upload").click()
        page.locator("[data-stage=published]").first.wait_for(timeout=90_000)

    page.goto(f"/library?q=Doomed+{unique}")
    page.get_by_role("link", name=titles[0]).click()
    page.get_by_label("Genre").fill("Polka")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**edited=*")
    for _ in range(60):  # the edit goes through the pipeline
        page.reload()
        if page.get_by_text("Polka").count():
            break
        page.wait_for_timeout(1000)
    assert page.get_by_text("Polka").count()

    page.goto(f"/library?q=Doomed+{unique}")
    for title in titles:
        page.get_by_label(f"Select {title}", exact=False).check()
    page.get_by_role("button", name="Delete selected…").click()
    assert page.get_by_role("heading", name="Delete 2 songs?").is_visible()
    shot(page, "confirm-delete")
    page.get_by_role("button", name="Yes, delete them").click()
    for _ in range(60):
        page.goto(f"/library?q=Doomed+{unique}")
        if not any(page.get_by_role("link", name=title).count() for title in titles):
            break
        page.wait_for_timeout(1000)
    assert not page.get_by_role("link", name=titles[0]).count()
    assert not page.get_by_role("link", name=titles[1]).count()
    page.close()
