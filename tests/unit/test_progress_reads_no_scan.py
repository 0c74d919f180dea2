"""The catalog's progress consumer reads a `song.parsed` without its scan (up to a megabyte of
JSON that progress never looks at) and every other event whole."""

from __future__ import annotations

import json
import uuid

import pytest

from services.catalog.consumers.progress import read_event
from shared.events import SongAlreadyInLibrary, SongParsed, UploadFailed

pytestmark = pytest.mark.unit


def parsed() -> SongParsed:
    song_id = uuid.uuid4()
    return SongParsed(event_id=SongParsed.id_for(song_id, 1, 1), song_id=song_id,
                      upload_id=uuid.uuid4(), revision=1, manifest_key="m/1", md5="a" * 32,
                      parser_version=1, name="Song",
                      scan={"notesData": {"chartIssues": [{"noteIssue": "brokenNote"}] * 50}})


def test_a_parsed_song_is_read_whole_but_for_its_scan():
    event = parsed()
    read = read_event(event.model_dump_json().encode())
    assert type(read) is SongParsed
    assert read.scan == {}
    assert read.model_dump(exclude={"scan"}) == event.model_dump(exclude={"scan"})


def test_the_scan_of_a_parsed_song_is_skipped_unread():
    body = json.loads(parsed().model_dump_json())
    body["scan"] = ["not", "what", "a", "scan", "holds"]  # refused by a reading of the scan
    assert read_event(json.dumps(body).encode()).scan == {}


def test_other_events_are_read_whole():
    song_id = uuid.uuid4()
    duplicate = SongAlreadyInLibrary(
        event_id=SongAlreadyInLibrary.id_for(song_id, 1), song_id=song_id,
        upload_id=uuid.uuid4(), revision=1, existing_song_id=uuid.uuid4(), md5="b" * 32)
    failed = UploadFailed(event_id=UploadFailed.id_for(uuid.uuid4()), upload_id=uuid.uuid4(),
                          stage="unpack", reason="Not an archive.")
    for event in (duplicate, failed):
        assert read_event(event.model_dump_json().encode()) == event
