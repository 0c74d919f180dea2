"""Catalog writes on the real PostgreSQL: once per content, whatever the redeliveries."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from services.catalog import songs
from services.catalog.db import make_engine, make_sessions, transaction
from services.catalog.tables import Song
from shared.events import SongDeleted, SongParsed, event_id


@pytest.fixture(scope="module")
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


def parsed(song_id=None, *, md5=None, revision=1, name="Song", artist="Artist",
           parser_version=1) -> SongParsed:
    song_id = song_id or uuid.uuid4()
    return SongParsed(event_id=event_id("song.parsed", song_id, revision, parser_version),
                      song_id=song_id, revision=revision, manifest_key=f"m/{revision}",
                      md5=md5 or uuid.uuid4().hex, parser_version=parser_version, name=name,
                      artist=artist, scan={"chartFile": "notes.chart"})


def record(sessions, event):
    with transaction(sessions) as session:
        return songs.record_parsed(session, event)


def test_a_redelivered_parsed_song_is_cataloged_once_and_answers_the_same(sessions):
    event = parsed()
    first, again = record(sessions, event), record(sessions, event)
    assert first == again == songs.Cataloged(first.content_path)
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Song.id == event.song_id)) == 1


def test_the_same_content_under_another_id_is_already_in_the_library(sessions):
    original = parsed()
    record(sessions, original)
    assert record(sessions, parsed(md5=original.md5)) == songs.AlreadyInLibrary(original.song_id)


def test_two_workers_cataloging_the_same_content_at_once_give_one_song(sessions):
    md5 = uuid.uuid4().hex
    events = [parsed(md5=md5) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda e: _record_retrying(sessions, e), events))
    assert sum(isinstance(o, songs.Cataloged) for o in outcomes) == 1
    assert sum(isinstance(o, songs.AlreadyInLibrary) for o in outcomes) == 5
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Song.md5 == md5)) == 1


def _record_retrying(sessions, event):
    for _ in range(5):
        try:
            return record(sessions, event)
        except RuntimeError:
            continue
    raise AssertionError("never settled")


def test_an_older_revision_is_dropped(sessions):
    song_id = uuid.uuid4()
    record(sessions, parsed(song_id, revision=2, name="New Title"))
    assert isinstance(record(sessions, parsed(song_id, revision=1, name="Old")), songs.Outdated)
    with sessions() as session:
        assert session.get(Song, song_id).title == "New Title"


def test_a_renamed_revision_moves_to_a_new_folder_and_names_the_old_one(sessions):
    song_id = uuid.uuid4()
    first = record(sessions, parsed(song_id, name="Before"))
    second = record(sessions, parsed(song_id, revision=2, name="After"))
    assert second.previous_content_path == first.content_path
    assert "After_" in second.content_path


def test_artists_differing_only_in_case_share_one_folder(sessions):
    unique = uuid.uuid4().hex[:8]
    first = record(sessions, parsed(artist=f"The Band {unique}"))
    second = record(sessions, parsed(artist=f"THE BAND {unique}"))
    assert first.content_path.split("/")[1] == second.content_path.split("/")[1]


def test_a_deleted_song_is_never_brought_back(sessions):
    event = parsed()
    record(sessions, event)
    with transaction(sessions) as session:
        songs.record_deleted(session, SongDeleted(
            event_id=event_id("song.deleted", event.song_id, 2), song_id=event.song_id,
            revision=2))
    assert isinstance(record(sessions, event), songs.Outdated)
