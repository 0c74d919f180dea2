"""A person in a real browser (headless Chromium) searches the library by keyboard alone:
types a query in the search box syntax, reads what a malformed one was, and narrows the
results through a facet reached with Tab and activated with Enter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, insert

from shared.persistence.tables import Song
from shared.songs.version import PARSER_VERSION

PASSWORD = "rock and roll all nite"

pytestmark = pytest.mark.usefixtures("stack")  # Chromium must be installed: CI installs it


@pytest.fixture(scope="module")
def songs(catalog) -> Iterator[dict[str, str]]:
    """Three songs under one new word: two dense metal songs and a dense pop song, and a
    sparse one no `nps>8` search finds; title by genre. They are rows alone, with no stored
    files, so they are read by the current parser (a reindex leaves them be) and leave the
    catalog afterwards."""
    word = f"k{uuid.uuid4().hex[:10]}"
    rows = {"Metal": (f"Iron Anthem {word}", 9.5), "Pop": (f"Bright Tune {word}", 8.5),
            "Jazz": (f"Slow Swing {word}", 2.0)}
    ids = []
    with catalog.begin() as connection:
        for genre, (title, nps) in rows.items():
            song_id = uuid.uuid4()
            ids.append(song_id)
            connection.execute(insert(Song).values(
                id=song_id, title=title, artist="Keyboard Band", genre=genre, max_nps=nps,
                file_path=f"browser-search/{song_id}", md5=uuid.uuid4().hex,
                manifest_key=f"manifests/{song_id}/1.json", metadata_={},
                instruments=["guitar"], parts=["guitar:expert"], parser_version=PARSER_VERSION))
    yield {"word": word, **{genre: title for genre, (title, _) in rows.items()}}
    with catalog.begin() as connection:
        connection.execute(delete(Song).where(Song.id.in_(ids)))


def sign_in(browser, stack):
    username = f"kim-{uuid.uuid4().hex[:6]}"
    stack.chhub("admin", "create", "--username", username, "--password", PASSWORD, "--role",
                "uploader")
    page = browser.new_page(base_url=stack.gateway_url)
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{stack.gateway_url}/")
    return page


def type_search(page, text: str) -> None:
    search = page.get_by_label("Search songs")
    search.focus()
    search.fill("")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_a_query_in_the_syntax_then_a_facet_by_keyboard(browser, stack, songs):
    page = sign_in(browser, stack)
    page.goto("/library")
    for _ in range(60):  # the gateway's index hears of new songs as they are committed
        type_search(page, f'{songs["word"]} nps>8 -genre:"jazz"')
        page.wait_for_url("**/library?*q=*")
        if page.get_by_role("link", name=songs["Pop"]).count():
            break
        page.wait_for_timeout(500)
    results = page.locator("#results")
    results.get_by_role("link", name=songs["Metal"]).wait_for()
    assert results.get_by_role("link", name=songs["Pop"]).count() == 1
    assert results.get_by_role("link", name=songs["Jazz"]).count() == 0

    facets = page.get_by_role("navigation", name="Narrow the search")
    assert facets.get_by_role("link", name="Pop 1").count() == 1
    page.get_by_label("Search songs").focus()
    for _ in range(200):  # Tab through the page until the Pop facet holds the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()").startswith("Pop"):
            break
    assert page.evaluate("document.activeElement.closest('nav.facets') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**genre=Pop*")
    page.get_by_role("link", name=songs["Pop"]).wait_for()
    assert page.get_by_role("link", name=songs["Metal"]).count() == 0
    assert page.get_by_label("Search songs").input_value() == (
        f'{songs["word"]} nps>8 -genre:"jazz"')

    type_search(page, f"{songs['word']} nps>fast")
    page.get_by_role("alert").wait_for()
    assert "is not a number" in page.get_by_role("alert").inner_text()
    page.close()
