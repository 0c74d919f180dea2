"""The library search, answered from the gateway's search index, over the real PostgreSQL:
every filter as a URL parameter and in the search box syntax, on the API and the page; facet
counts that match the results; cursor paging over a library that changes while it is walked;
songs deleted or edited while a search runs; malformed searches answered 400, never 500."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
import uuid
from datetime import UTC, datetime

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, delete, update
from sqlalchemy.orm import sessionmaker

from services.gateway.app import create_app
from services.gateway.library_schema import LibraryPage
from services.gateway.library_search import search_library
from services.gateway.searchers import LocalSearch
from services.gateway.settings import GatewayServiceSettings
from shared.persistence.library_query import LibraryQuery
from shared.persistence.library_rows import SongRows
from shared.persistence.tables import Song
from shared.search.feed import SearchFeed
from shared.search.library_syntax import search_syntax
from tests.support.catalog_rows import insert_song
from tests.support.search_service import search_service

pytestmark = pytest.mark.integration
TOKEN = f"t{uuid.uuid4().hex[:10]}"
"""A word in every title of this module's songs, so searches see only them."""
DEADLINE = 20.0
OLD, NEW = datetime(2020, 1, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)
SONGS = {
    "maiden": dict(
        title=f"Aces High {TOKEN}", artist="Iron Maiden", album="Powerslave", genre="Metal",
        year="1984", year_number=1984, charter="Foo", song_length_ms=270_000, max_nps=9.5,
        drum_type="fourLanePro", has_solos=True, updated_at=OLD,
        metadata={"notesData": {"hasForcedNotes": True, "has2xKick": True,
                                "trackHashes": [{"hash": f"track-maiden-{TOKEN}"}]},
                  "metadata": {"diff_drums": "5"}},
        charts={("drums", "expert"): 2700, ("guitar", "expert"): 1500}),
    "ballad": dict(
        title=f"Slow Ballad {TOKEN}", artist="Quiet Band", album="Soft", genre="Pop",
        year="1995", year_number=1995, charter="Bar", song_length_ms=200_000, max_nps=3.0,
        has_lyrics=True, has_video=True, updated_at=OLD,
        metadata={"notesData": {"hasVocals": True}, "metadata": {"diff_guitar": "1"}},
        charts={("guitar", "easy"): 200, ("keys", "hard"): 150}),
    "modern": dict(
        title=f"Laser Storm {TOKEN}", artist="Iron Maiden Tribute", genre="Metal",
        year="2015", year_number=2015, charter="Foo Jr", song_length_ms=150_000, max_nps=12.0,
        drum_type="fiveLane", has_taps=True, has_open_notes=True, has_issues=True,
        updated_at=NEW,
        metadata={"notesData": {"hasFlexLanes": True},
                  "metadata": {"diff_drums": "3", "diff_bass": "6", "modchart": True}},
        charts={("drums", "hard"): 900, ("bass", "expert"): 800}),
}
EVERY = set(SONGS)
HASHES = {key: uuid.uuid4().hex for key in SONGS}


@pytest.fixture(scope="module")
def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def library(engine) -> dict[str, str]:
    return {key: str(insert_song(engine, chart_hash=f"chart-{key}-{TOKEN}", md5=HASHES[key],
                                 **song))
            for key, song in SONGS.items()}


@pytest.fixture(scope="module", params=["index in the gateway", "search service"])
def client(request, database_url, broker_url, library):
    """The gateway with an index of its own, and with the search service's."""
    with contextlib.ExitStack() as stack:
        search_url = None if request.param == "index in the gateway" else stack.enter_context(
            search_service(database_url)).url
        settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                          search_url=search_url)
        yield stack.enter_context(TestClient(create_app(settings)))


def eventually(check) -> bool:
    """Whether `check()` comes true before the deadline (polled; nothing is timed)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def api_found(client, library, params: dict[str, str]) -> set[str]:
    response = client.get("/api/library", params={"per_page": "200", **params})
    assert response.status_code == 200, response.text
    by_id = {song_id: key for key, song_id in library.items()}
    return {by_id[item["id"]] for item in response.json()["items"] if item["id"] in by_id}


def page_found(client, params: dict[str, str]) -> set[str]:
    response = client.get("/library", params={"per_page": "200", **params})
    assert response.status_code == 200, response.text
    return {key for key, song in SONGS.items() if song["title"] in response.text}


# (parameters, the same in the search box syntax, the songs found)
FILTERS = [
    ({"name": "aces"}, "name:aces", {"maiden"}),
    ({"artist": "iron maiden"}, 'artist:"iron maiden"', {"maiden", "modern"}),
    ({"artist": "Iron Maiden", "exact": "artist"}, 'artist="iron maiden"', {"maiden"}),
    ({"artist": "tribute", "exclude": "artist"}, "-artist:tribute", {"maiden", "ballad"}),
    ({"album": "powerslave"}, "album:powerslave", {"maiden"}),
    ({"genre": "pop"}, "genre:pop", {"ballad"}),
    ({"year": "1995"}, "year:1995", {"ballad"}),
    ({"charter": "foo jr"}, 'charter:"foo jr"', {"modern"}),
    ({"charter": "foo", "exact": "charter"}, "charter=foo", {"maiden"}),
    ({"min_length_s": "180"}, "length>=3:00", {"maiden", "ballad"}),
    ({"max_length_s": "160"}, "length<=160", {"modern"}),
    ({"min_year": "1990", "max_year": "1999"}, "year:1990..1999", {"ballad"}),
    ({"min_nps": "9.6"}, "nps>9.6", {"modern"}),
    ({"max_nps": "9.5"}, "nps<=9.5", {"maiden", "ballad"}),
    ({"min_avg_nps": "5"}, "avgnps:5..", {"maiden", "modern"}),
    ({"instrument": "drums", "min_tier": "4"}, "drums.tier>=4", {"maiden"}),
    ({"instrument": "bass", "max_tier": "6", "min_tier": "6"}, "diff_bass:6", {"modern"}),
    ({"instrument": "keys"}, "keys:any", {"ballad"}),
    ({"instrument": "drums", "difficulty": "expert"}, "drums:expert", {"maiden"}),
    ({"difficulty": "easy"}, "difficulty:easy", {"ballad"}),
    ({"drum_type": "fiveLane"}, "drumtype:5", {"modern"}),
    ({"drum_type": "fourLanePro"}, "drumtype:pro", {"maiden"}),
    ({"has_solos": "true"}, "has:solos", {"maiden"}),
    ({"has_forced": "true"}, "has:forced", {"maiden"}),
    ({"has_double_kick": "true"}, "has:2xkick", {"maiden"}),
    ({"has_lyrics": "true"}, "has:lyrics", {"ballad"}),
    ({"has_vocals": "true"}, "has:vocals", {"ballad"}),
    ({"has_video": "true"}, "has:video", {"ballad"}),
    ({"has_video": "false"}, "no:video", {"maiden", "modern"}),
    ({"has_taps": "true"}, "has:taps", {"modern"}),
    ({"has_open_notes": "true"}, "has:open", {"modern"}),
    ({"has_rolls": "true"}, "has:rolls", {"modern"}),
    ({"has_issues": "true"}, "has:issues", {"modern"}),
    ({"has_modchart": "true"}, "has:modchart", {"modern"}),
    ({"md5": f"{HASHES['maiden']},{HASHES['ballad']}"},
     f"md5:{HASHES['maiden']},{HASHES['ballad']}", {"maiden", "ballad"}),
    ({"chart_hash": f"chart-modern-{TOKEN}"}, f"charthash:chart-modern-{TOKEN}", {"modern"}),
    ({"track_hash": f"track-maiden-{TOKEN}"}, f"trackhash:track-maiden-{TOKEN}", {"maiden"}),
    ({"modified_after": "2024-01-01"}, "modified>2024-01-01", {"modern"}),
    ({"q": f"{TOKEN} -slow"}, "-slow", {"maiden", "modern"}),
    ({"q": f"{TOKEN} stromr"}, "lazer", {"modern"}),  # typos forgiven
]


@pytest.mark.parametrize(("params", "typed", "expected"), FILTERS,
                         ids=[typed for _, typed, _ in FILTERS])
def test_each_filter_finds_the_same_songs_as_parameter_and_as_syntax_on_api_and_page(
        client, library, params, typed, expected):
    as_parameters = {"q": TOKEN, **params}
    as_syntax = {"q": f"{TOKEN} {typed}"}
    assert api_found(client, library, as_parameters) == expected
    assert api_found(client, library, as_syntax) == expected
    assert page_found(client, as_parameters) == expected
    assert page_found(client, as_syntax) == expected


def test_facet_counts_match_the_songs_found(client, library):
    body = client.get("/api/library", params={"q": TOKEN, "per_page": "200"}).json()
    items = body["items"]
    assert body["total"] == len(items) == len(SONGS)
    expected = {"instrument": collections.Counter(i for s in items for i in s["instruments"]),
                "difficulty": collections.Counter(d for s in items for d in {
                    d for p in s["parts"] for d in p["difficulties"]}),
                "genre": collections.Counter(s["genre"] for s in items if s["genre"]),
                "charter": collections.Counter(s["charter"] for s in items),
                "decade": collections.Counter(f"{s['year'][:3]}0s" for s in items)}
    assert {name: dict(counts) for name, counts in expected.items()} == body["facets"]
    narrowed = client.get("/api/library", params={"q": f"{TOKEN} genre=metal"}).json()
    assert narrowed["total"] == body["facets"]["genre"]["Metal"] == 2
    assert narrowed["facets"]["genre"] == {"Metal": 2}


def test_the_page_shows_facets_as_links_that_narrow_the_search(client, library):
    html = client.get("/library", params={"q": TOKEN}).text
    assert 'aria-label="Narrow the search"' in html and "Search syntax" in html
    link = f"/library?q={TOKEN}&amp;genre=Metal&amp;exact=genre"
    assert link in html
    assert page_found(client, {"q": TOKEN, "genre": "Metal", "exact": "genre"}) == {
        "maiden", "modern"}


def walk(client, params: dict[str, str], between=None) -> list[str]:
    """Every title the cursor walk reaches, calling `between()` after the first page."""
    titles, cursor, pages = [], None, 0
    while True:
        body = client.get("/api/library", params={
            **params, **({"cursor": cursor} if cursor else {})}).json()
        titles += [item["name"] for item in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        if pages == 1 and between is not None:
            between()
        if cursor is None:
            return titles


def test_a_cursor_walk_over_a_changing_library_sees_each_remaining_song_once(client, engine):
    word = f"w{uuid.uuid4().hex[:10]}"
    ids = {number: insert_song(engine, f"{word} {number:02d}") for number in range(12)}
    params = {"q": word, "sort": "name", "per_page": "4"}
    assert eventually(lambda: len(walk(client, params)) == 12)

    def change() -> None:  # one song the walk has passed, one ahead of it, one new
        with engine.begin() as connection:
            connection.execute(delete(Song).where(Song.id.in_([ids[1], ids[9]])))
        insert_song(engine, f"{word} 10b")
        assert eventually(lambda: len(walk(client, params)) == 11)

    titles = walk(client, params, between=change)
    assert titles == sorted(titles) and len(titles) == len(set(titles))
    assert f"{word} 09" not in titles and f"{word} 10b" in titles
    assert {f"{word} {n:02d}" for n in (0, 2, 3, 4, 5, 6, 7, 8, 10, 11)} <= set(titles)


def test_items_found_by_words_carry_their_similarity_to_what_was_typed(client, library):
    def found(text: str) -> list[tuple[str, float]]:
        body = client.get("/api/library", params={"q": f"{TOKEN} {text}"}).json()
        return [(item["id"], item["similarity"]) for item in body["items"]]

    [(exact_id, exact)], [(typo_id, typo)] = found("Laser"), found("Lazer")
    assert exact_id == typo_id == library["modern"]
    assert 0 < typo < exact <= 1
    browsed = client.get("/api/library", params={"genre": "Metal"}).json()["items"]
    assert browsed and all(item["similarity"] is None for item in browsed)


@pytest.mark.parametrize("params", [{"q": TOKEN}, {"q": f"{TOKEN} Lazer"},
                                    {"q": TOKEN, "versions": "all", "sort": "year"},
                                    {"q": f"{TOKEN} nothing-matches-this"}])
def test_a_search_answers_exactly_the_documented_shape(client, params):
    body = client.get("/api/library", params=params).json()
    assert body == LibraryPage.model_validate(body).model_dump(mode="json")
    documented = client.get("/schema/openapi.json").json()["paths"]["/api/library"]["get"]
    answer = documented["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/LibraryPage")


def test_a_bad_cursor_answers_400(client):
    response = client.get("/api/library", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400 and "cursor" in response.json()["detail"]


def test_a_song_deleted_or_edited_while_a_search_runs_shows_as_the_catalog_has_it(
        engine, database_url, library):
    word = f"w{uuid.uuid4().hex[:10]}"
    gone, edited = insert_song(engine, f"Gone {word}"), insert_song(engine, f"Kept {word}")
    stale = SearchFeed(database_url)  # loaded once, following nothing: as if mid-search
    stale.rebuild()
    with engine.begin() as connection:
        connection.execute(delete(Song).where(Song.id == gone))
        connection.execute(update(Song).where(Song.id == edited).values(artist="Renamed"))
    query = LibraryQuery(text=word)
    rows = SongRows(database_url)
    results = asyncio.run(search_library(LocalSearch(stale), sessionmaker(engine), rows, query,
                                         search_syntax(query)))
    rows.close()
    assert [(item["id"], item["artist"]) for item in results.items] == [
        (str(edited), "Renamed")]


def test_a_deleted_song_leaves_the_api_results(client, engine):
    word = f"w{uuid.uuid4().hex[:10]}"
    song_id = insert_song(engine, f"Soon gone {word}")
    assert eventually(lambda: client.get("/api/library", params={"q": word}).json()["total"])
    with engine.begin() as connection:
        connection.execute(delete(Song).where(Song.id == song_id))
    body = client.get("/api/library", params={"q": word}).json()
    assert body["items"] == []  # whether or not the index has heard of it yet
    assert eventually(lambda: client.get("/api/library", params={"q": word}).json()[
        "total"] == 0)


@pytest.mark.parametrize(("typed", "complaint"), [
    ("nps>fast", "is not a number"),
    ('artist:"iron', "never closed"),
    ("colour:red", "not a field"),
    ("drums:legendary", "takes a difficulty"),
    ("year:2000..1990", "starts above"),
])
def test_a_malformed_search_answers_400_saying_what_was_not_understood(client, typed,
                                                                        complaint):
    response = client.get("/api/library", params={"q": typed})
    assert response.status_code == 400 and complaint in response.json()["detail"]
    page = client.get("/library", params={"q": typed})
    assert page.status_code == 400 and complaint in page.text and 'role="alert"' in page.text
    swapped = client.get("/library", params={"q": typed}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and complaint in swapped.text  # htmx swaps only 2xx


def test_the_openapi_schema_documents_every_parameter_and_the_response(client):
    schema = client.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/library"]["get"]
    documented = {p["name"]: p.get("description") for p in operation["parameters"]}
    assert {"q", "cursor", "exact", "exclude", "min_nps", "min_avg_nps", "min_tier",
            "has_modchart", "md5", "chart_hash", "track_hash", "modified_after"} <= set(
        documented)
    assert all(documented.values())
    assert "artist:" in operation["description"] and "has:solos" in operation["description"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][response["$ref"].rsplit("/", 1)[1]]
    assert {"total", "next_cursor", "facets", "items"} <= set(page["properties"])
