"""A player in a real browser (headless Chromium) makes a setlist from the library's selection,
reorders it from the keyboard alone, and downloads the `.setlist` file Clone Hero reads: each
song named, in the new order, by the md5 of its raw chart. Without script, every change is a
form post that works as well, and a shared link shows the setlist read-only."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from tests.e2e.test_browser import PASSWORD, shot, sign_in, unnamed_controls
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"

pytestmark = pytest.mark.usefixtures("stack")


@pytest.fixture(scope="module")
def viewer(stack) -> str:
    name = f"vera-{uuid.uuid4().hex[:6]}"
    stack.chhub("admin", "create", "--username", name, "--password", PASSWORD, "--role",
                "viewer")
    return name


@pytest.fixture
def three_songs(stack, admin_token, corpus, unique) -> dict[str, bytes]:
    """Three published songs, each with a chart of its own: title → its raw chart bytes."""
    charts, files = {}, {}
    for n in range(3):
        title = f"Setlist {unique} {'ABC'[n]}"
        song = song_files(corpus / AMAZING, f"{unique}-{n}")
        song["notes.chart"] += b"\r\n" * n  # the same notes, another file
        song["song.ini"] = song["song.ini"].replace(b"name = Amazing", f"name = {title}".encode())
        files.update({f"{title}/{name}": data for name, data in song.items()})
        charts[title] = song["notes.chart"]
    details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(files), "set.zip"))
    assert [s["stage"] for s in details["songs"]] == ["published"] * 3, details
    return charts


def titles_in_order(page) -> list[str]:
    return page.locator("#setlist-songs .title").all_inner_texts()


def test_a_viewer_makes_a_setlist_reorders_it_by_keyboard_and_downloads_it(
        browser, stack, viewer, three_songs, unique, tmp_path):
    first, second, third = three_songs
    page = sign_in(browser, stack, viewer)
    page.goto(f"/library?q=Setlist+{unique}&sort=name")
    for title in three_songs:
        page.get_by_label(f"Select {title} by").check()
    page.get_by_label("Add to setlist").select_option("new")
    page.get_by_label("or a new setlist named").fill(f"Friday {unique}")
    page.get_by_role("button", name="Add selected to setlist").click()
    page.wait_for_url("**/setlists/*")
    assert page.get_by_role("heading", level=1).inner_text() == f"Friday {unique}"
    assert titles_in_order(page) == [first, second, third]
    assert unnamed_controls(page) == []

    # The first song two places down, from the keyboard: focus stays on its button.
    page.get_by_role("button", name=f"Move {first} down").focus()
    page.keyboard.press("Enter")
    page.get_by_text(f"{first} is now number 2 of 3.").wait_for(state="attached")
    page.keyboard.press("Enter")
    page.get_by_text(f"{first} is now number 3 of 3.").wait_for(state="attached")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == \
        f"Move {first} down"
    page.wait_for_function("() => !document.querySelector('#setlist-songs[aria-busy]')")
    shot(page, "setlist")

    page.reload()  # what was saved, not only what the page shows
    assert titles_in_order(page) == [second, third, first]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download .setlist").click()
    path = tmp_path / "set.setlist"
    download.value.save_as(path)
    expected = b"\xea\xec\x33\x01\x03\x00\x00\x00" + b"".join(
        b"\x20" + hashlib.md5(three_songs[t]).hexdigest().upper().encode() + b"\x64\x00"
        for t in (second, third, first))
    assert path.read_bytes() == expected
    page.close()


def test_without_script_a_setlist_is_reordered_trimmed_renamed_shared_and_deleted(
        browser, stack, viewer, three_songs, unique):
    first, second, third = three_songs
    context = browser.new_context(java_script_enabled=False, base_url=stack.gateway_url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill(viewer)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/library?q=Setlist+{unique}&sort=name")
    for title in three_songs:
        page.get_by_label(f"Select {title} by").check()
    page.get_by_label("or a new setlist named").fill(f"No script {unique}")
    page.get_by_role("button", name="Add selected to setlist").click()
    page.wait_for_url("**/setlists/*")

    page.get_by_role("button", name=f"Move {third} up").click()
    page.wait_for_load_state()

    assert titles_in_order(page) == [first, third, second]

    page.get_by_role("button", name=f"Remove {first} from the setlist").click()
    page.wait_for_load_state()
    assert titles_in_order(page) == [third, second]
    page.get_by_label("Name").fill(f"Renamed {unique}")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Renamed {unique}"
    page.get_by_role("button", name="Share by link").click()
    page.wait_for_load_state()
    link = page.locator("#share-link").get_attribute("href")

    anonymous = browser.new_context(java_script_enabled=False, base_url=stack.gateway_url)
    shared = anonymous.new_page()
    shared.goto(link)  # browsing is public: no sign-in needed, and nothing to change
    assert titles_in_order(shared) == [third, second]
    assert shared.get_by_role("button", name=f"Move {third} down").count() == 0
    anonymous.close()

    page.get_by_role("button", name="Delete this setlist").click()
    page.wait_for_url("**/setlists")
    assert f"Renamed {unique}" not in page.content()
    context.close()
