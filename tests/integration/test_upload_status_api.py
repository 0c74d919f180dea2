"""An upload of many songs over the real database: its status answers counts of its songs by
state and one page of them, a walk of the pages reads each song once, a state filter lists
every failure, the upload page shows the counts with a link to the next songs, and a page reads
its rows through an index. Many uploads at once: which of them ended, with the songs of the
small ones."""

from __future__ import annotations

import re
import uuid
from collections import Counter

import pytest
from litestar.testing import TestClient
from sqlalchemy import event, insert, text

from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from shared.persistence.db import make_engine, make_sessions, transaction
from shared.persistence.tables import Upload, UploadSong
from shared.persistence.upload_status import upload_songs

pytestmark = pytest.mark.integration

SONGS = 1234
STAGES = ("failed", "duplicate", "found", "parsed", "published", "published", "published")
STATES = {"failed": "failed", "duplicate": "duplicate", "found": "in_progress",
          "parsed": "in_progress", "published": "published"}


@pytest.fixture(scope="module")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def client(database_url, broker_url):
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def pack(engine) -> dict[str, dict]:
    """An upload still in progress holding SONGS songs in every state, two of them without a
    folder yet: each song's id and row."""
    upload_id = uuid.uuid4()
    rows = [{"upload_id": upload_id, "song_id": uuid.uuid4(), "stage": STAGES[n % len(STAGES)],
             "folder": None if n in (7, 700) else f"Pack/Song {(n * 7919) % SONGS:05d}",
             "error": "The chart could not be read." if STAGES[n % len(STAGES)] == "failed"
             else None} for n in range(SONGS)]
    with transaction(make_sessions(engine)) as session:
        session.execute(insert(Upload).values(
            id=upload_id, filename="Library.zip", bucket="uploads", key=f"k/{upload_id}",
            state="processing", song_total=SONGS))
        session.execute(insert(UploadSong), rows)
    return {"id": str(upload_id), "songs": {str(row["song_id"]): row for row in rows}}


def walk(client: TestClient, upload_id: str, **params) -> list[dict]:
    songs, after = [], None
    while True:
        answer = client.get(f"/api/uploads/{upload_id}",
                            params={**params, **({"after": after} if after else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["songs"]) <= params.get("limit", 100)
        songs += body["songs"]
        if body["next_after"] is None:
            return songs
        after = body["next_after"]


def folder_order(song: dict) -> tuple[str, str]:
    return (song["folder"] or "", song["song_id"])


def test_an_uploads_status_holds_one_page_of_songs_and_counts_all_of_them(client, pack):
    body = client.get(f"/api/uploads/{pack['id']}").json()
    assert len(body["songs"]) == 100 and body["next_after"] == body["songs"][-1]["song_id"]
    by_state = Counter(STATES[row["stage"]] for row in pack["songs"].values())
    assert body["song_counts"] == {"total": SONGS, **by_state}
    assert body["song_total"] == SONGS and body["state"] == "processing"


def test_walking_the_pages_reads_every_song_once_in_folder_order(client, pack):
    songs = walk(client, pack["id"], limit=500)
    assert sorted(song["song_id"] for song in songs) == sorted(pack["songs"])
    assert songs == sorted(songs, key=folder_order)
    assert [song["folder"] for song in songs[:2]] == [None, None]
    assert all(song["stage"] == pack["songs"][song["song_id"]]["stage"] for song in songs)


@pytest.mark.parametrize("state", ["failed", "in_progress", "published", "duplicate"])
def test_a_state_filter_pages_through_every_song_in_that_state_and_no_other(client, pack,
                                                                            state):
    songs = walk(client, pack["id"], state=state, limit=37)
    expected = [song_id for song_id, row in pack["songs"].items()
                if STATES[row["stage"]] == state]
    assert sorted(song["song_id"] for song in songs) == sorted(expected)
    assert songs == sorted(songs, key=folder_order)
    if state == "failed":
        assert {song["error"] for song in songs} == {"The chart could not be read."}


def test_a_page_after_a_song_of_another_upload_or_too_long_is_refused(client, pack):
    url = f"/api/uploads/{pack['id']}"
    assert client.get(url, params={"after": str(uuid.uuid4())}).status_code == 400
    assert client.get(url, params={"limit": 501}).status_code == 400
    assert client.get(url, params={"state": "lost"}).status_code == 400
    assert client.get(f"/api/uploads/{uuid.uuid4()}").status_code == 404


def song_items(html: str, list_class: str) -> list[str]:
    found = re.search(rf'<ul class="small {list_class}">(.*?)</ul>', html, re.S)
    return re.findall(r'<li data-stage="(\w+)"', found.group(1)) if found else []


def test_the_upload_page_shows_the_counts_failures_first_and_links_the_next_songs(client,
                                                                                 pack):
    html = client.get(f"/uploads/{pack['id']}").text
    failed = sum(row["stage"] == "failed" for row in pack["songs"].values())
    assert re.search(rf'data-count="failed"><span class="stage-failed">{failed}</span> failed',
                     html)
    assert html.index("upload-failures") < html.index("upload-songs")
    assert song_items(html, "upload-failures") == ["failed"] * 100
    assert f'href="/uploads/{pack["id"]}?state=failed">All {failed} failures' in html
    assert len(song_items(html, "upload-songs")) == 100
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    second = client.get(next_link.replace("&amp;", "&")).text
    assert "upload-failures" not in second and len(song_items(second, "upload-songs")) == 100
    first_ids = set(re.findall(r'href="/songs/([0-9a-f-]{36})"', html))
    assert first_ids and not first_ids & set(re.findall(r'href="/songs/([0-9a-f-]{36})"',
                                                        second))


def test_the_status_fragment_polls_itself_for_the_counts_and_the_page_it_shows(client, pack):
    html = client.get(f"/uploads/{pack['id']}/status", params={"state": "failed"}).text
    assert f'hx-get="/uploads/{pack["id"]}/status?state=failed"' in html
    assert set(song_items(html, "upload-songs")) == {"failed"}
    assert len(song_items(html, "upload-songs")) == 100 and 'rel="next"' in html
    assert 'data-count="in_progress"' in html


@pytest.mark.parametrize("statistics", [False, True], ids=["none yet", "analyzed"])
def test_a_page_of_songs_reads_through_the_folder_order_index_without_sorting(engine, pack,
                                                                             statistics):
    if statistics:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE upload_songs"))
    statements: list[tuple[str, dict]] = []

    def keep(conn, cursor, statement, parameters, *_):
        statements.append((statement, parameters))

    upload_id = uuid.UUID(pack["id"])
    event.listen(engine, "before_cursor_execute", keep)
    try:
        with make_sessions(engine)() as session:
            first = upload_songs(session, upload_id, limit=100)
            upload_songs(session, upload_id, after=first.next_after, limit=100)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    pages = 0
    with engine.begin() as connection:  # the same statements, the pages' explained
        for statement, parameters in statements:
            if "ORDER BY" not in statement:
                connection.exec_driver_sql(statement, parameters)
                continue
            plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
                             .scalars())
            assert "ix_upload_songs_folder_order" in plan and "Sort" not in plan, plan
            pages += 1
    assert pages == 2


def test_which_of_many_uploads_ended_answers_the_ended_ones_with_their_state(client, engine,
                                                                          pack):
    states = ("completed", "completed_with_errors", "failed", "processing", "received",
              "receiving")
    uploads = {uuid.uuid4(): states[n % len(states)] for n in range(60)}
    with transaction(make_sessions(engine)) as session:
        session.execute(insert(Upload), [
            {"id": upload_id, "filename": "Song.zip", "bucket": "uploads", "key": f"k/{upload_id}",
             "state": state} for upload_id, state in uploads.items()])
    unknown = str(uuid.uuid4())
    answer = client.post("/api/uploads/ended", json={
        "upload_ids": [str(upload_id) for upload_id in uploads] + [pack["id"], unknown]})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ended": {str(upload_id): state
                                       for upload_id, state in uploads.items()
                                       if state in ("completed", "completed_with_errors",
                                                    "failed")}}
    refused = client.post("/api/uploads/ended", json={"upload_ids": [unknown] * 1001})
    assert refused.status_code == 400


def test_ended_uploads_answer_their_outcome_with_the_songs_of_the_small_ones(client, engine):
    small = {uuid.uuid4(): ("completed_with_errors", None), uuid.uuid4(): ("failed", "Not a zip")}
    large, running = uuid.uuid4(), uuid.uuid4()
    songs = {small_id: [(f"Pack/Song {n}", "failed" if n == 1 else "published")
                        for n in range(3 if state == "completed_with_errors" else 0)]
             for small_id, (state, _) in small.items()}
    with transaction(make_sessions(engine)) as session:
        session.execute(insert(Upload), [
            {"id": upload_id, "filename": "Song.zip", "bucket": "uploads", "key": f"k/{upload_id}",
             "state": state, "error": error, "song_total": len(songs[upload_id])}
            for upload_id, (state, error) in small.items()] + [
            {"id": large, "filename": "Pack.zip", "bucket": "uploads", "key": "k/large",
             "state": "completed", "song_total": 101},
            {"id": running, "filename": "Song.zip", "bucket": "uploads", "key": "k/running",
             "state": "processing", "song_total": 1}])
        session.execute(insert(UploadSong), [
            {"upload_id": upload_id, "song_id": uuid.uuid4(), "folder": folder, "stage": stage,
             "error": "The chart could not be read." if stage == "failed" else None}
            for upload_id, rows in songs.items() for folder, stage in reversed(rows)])
    asked = [str(upload_id) for upload_id in (*small, large, running)]

    answer = client.post("/api/uploads/ended", json={"upload_ids": asked, "with_songs": True})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body["ended"]) == {*map(str, small), str(large)}
    assert body["outcomes"] == {
        **{str(upload_id): {"state": state, "error": error, "songs": [
            {"folder": folder, "stage": stage,
             "error": "The chart could not be read." if stage == "failed" else None}
            for folder, stage in songs[upload_id]]}
           for upload_id, (state, error) in small.items()},
        str(large): {"state": "completed", "error": None, "songs": None}}
