"""The library shows one row per song over the real PostgreSQL: versions cataloged into one
group make one row (the newest version that matches) counting its versions, on the API and
the page; `versions=all` and `versions:all` show every version; totals, facets and cursor
pages count songs; an admin's split and link reach the gateway's search index."""

from __future__ import annotations

import time
import uuid

import pytest
from litestar.testing import TestClient

from services.catalog.consumers.catalog import record
from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from shared.events import SongParsed
from shared.persistence import song_versions
from shared.persistence.db import transaction

pytestmark = pytest.mark.integration
TOKEN = f"v{uuid.uuid4().hex[:10]}"
"""The artist of this module's songs, so searches see only them."""
DEADLINE = 20.0
# (title, charter), cataloged in this order: the versions of one song, then another song.
CATALOGED = [("Aces High", "Alpha"), ("Aces High (Remastered 2011)", "Beta"),
             ("Aces High", "Alpha"), ("Flight of Icarus", "Alpha")]


@pytest.fixture(scope="module")
def client(database_url, broker_url, sessions):
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def library(sessions, client) -> list[str]:
    """The songs' ids in the order cataloged (the catalog consumer's own transaction, which
    places each song in its version group), once the search index holds them all."""
    ids = []
    for title, charter in CATALOGED:
        song_id = uuid.uuid4()
        record(sessions, SongParsed(
            event_id=SongParsed.id_for(song_id, 1, 1), song_id=song_id, revision=1,
            manifest_key=f"manifests/{song_id}/1.json", md5=uuid.uuid4().hex,
            parser_version=1, name=title, artist=TOKEN, charter=charter,
            scan={"chartHash": uuid.uuid4().hex}))
        ids.append(str(song_id))
    assert eventually(lambda: search(client, versions="all")["total"] == len(CATALOGED))
    assert eventually(lambda: search(client)["total"] == 2)
    return ids


def eventually(check) -> bool:
    """Whether `check()` comes true before the deadline (polled; nothing is timed)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def search(client, q: str = "", **params: str) -> dict:
    response = client.get("/api/library", params={"q": f"{TOKEN} {q}".strip(), **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_versions_of_a_song_make_one_row_its_newest_version_counting_them(client,
                                                                               library):
    body = search(client, sort="name")
    rows = [(item["id"], item["versions"]["count"]) for item in body["items"]]
    assert rows == [(library[2], 3), (library[3], 1)]
    aces = body["items"][0]["versions"]["group"]
    assert aces == search(client, "charter=alpha", sort="name")["items"][0]["versions"][
        "group"]
    assert body["total"] == 2 and body["next_cursor"] is None
    assert body["facets"]["charter"] == {"Alpha": 2, "Beta": 1}  # songs, not versions


def test_a_search_shows_the_newest_version_that_matches_it(client, library):
    assert [i["id"] for i in search(client, "charter=beta")["items"]] == [library[1]]
    assert [i["id"] for i in search(client, "charter=alpha", sort="name")["items"]] == [
        library[2], library[3]]
    assert [i["id"] for i in search(client, "-charter:alpha")["items"]] == [library[1]]
    assert [i["id"] for i in search(client, "remastered")["items"]] == [library[1]]


def test_every_version_its_own_row_as_a_parameter_or_in_the_search_box(client, library):
    for body in (search(client, versions="all", sort="added"),
                 search(client, "versions:all", sort="added")):
        assert [item["id"] for item in body["items"]] == library
        assert body["total"] == 4
        assert body["facets"]["charter"] == {"Alpha": 3, "Beta": 1}
        assert [item["versions"]["count"] for item in body["items"]] == [3, 3, 3, 1]
    assert search(client, versions="all")["params"]["versions"] == "all"
    bad = client.get("/api/library", params={"q": "versions:some"})
    assert bad.status_code == 400 and "versions: takes grouped or all" in bad.text


def test_facet_counts_are_the_rows_each_narrowed_search_shows(client, library):
    facets = search(client)["facets"]
    assert facets["charter"]["Alpha"] == 2  # two songs, one of them charted twice by Alpha
    for charter, count in facets["charter"].items():
        assert search(client, f"charter={charter.lower()}")["total"] == count


def test_a_cursor_walks_each_song_once(client, library):
    seen, cursor = [], None
    while True:
        body = search(client, sort="name", per_page="1", **({"cursor": cursor} if cursor
                                                              else {}))
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [library[2], library[3]]


def test_the_page_shows_one_row_per_song_with_its_versions_counted(client, library):
    html = client.get("/library", params={"q": TOKEN}).text
    assert html.count('class="song-row"') == 2 and "2 songs" in html
    assert f'<a class="badge versions" href="/songs/{library[2]}#versions">3 versions</a>' in html
    assert 'name="versions" value="all"' in html and "versions:all" in html
    every = client.get("/library", params={"q": TOKEN, "versions": "all"}).text
    assert every.count('class="song-row"') == 4 and "4 songs" in every
    typed = client.get("/library", params={"q": f"{TOKEN} versions:all"}).text
    assert typed.count('class="song-row"') == 4


def test_a_split_and_a_link_reach_the_library_rows(client, sessions, library):
    with transaction(sessions) as session:
        song_versions.split(session, uuid.UUID(library[2]))
    assert eventually(lambda: search(client)["total"] == 3)
    assert {i["id"] for i in search(client)["items"]} == {library[1], library[2], library[3]}
    with transaction(sessions) as session:
        song_versions.link(session, uuid.UUID(library[3]), uuid.UUID(library[0]))
    assert eventually(lambda: search(client)["total"] == 2)
    assert {i["id"] for i in search(client)["items"]} == {library[2], library[3]}
    with transaction(sessions) as session:  # as it was, for the other tests
        song_versions.split(session, uuid.UUID(library[3]))
        song_versions.link(session, uuid.UUID(library[2]), uuid.UUID(library[0]))
    assert eventually(lambda: [i["id"] for i in search(client, sort="name")["items"]] == [
        library[2], library[3]])

