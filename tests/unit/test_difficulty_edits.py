"""The edit consumer generates lower difficulties into a new revision, takes them out again,
and makes no revision when there is nothing to do; the scan tells what can be done."""

from __future__ import annotations

import uuid
from pathlib import Path

import anyio
import pytest

from services.ingest.consumers import edit
from shared.events import SongEdited, SongEditRequested, SongExtracted, load_event
from shared.song_store import SongStore
from shared.songs.hashes import folder_md5
from shared.songs.ini import parse_ini
from shared.songs.reduction.offer import (
    expert_only_instruments,
    generatable_instruments,
    marked_generated,
)
from shared.songs.scan import scan_song
from shared.storage import InMemoryObjectStore

pytestmark = pytest.mark.unit

EXHILARATE = "donnaken15-charts/Kevin MacLeod - Exhilarate"


@pytest.fixture
def songs() -> SongStore:
    objects = InMemoryObjectStore()
    objects.ensure_bucket("songs")
    return SongStore(objects, "songs")


def stored(songs: SongStore, folder: Path) -> tuple[uuid.UUID, str]:
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    song_id = uuid.uuid4()
    key, _ = songs.save_revision(song_id, 1, folder_md5(files), files)
    return song_id, key


def request(song_id, key, revision=1, **fields) -> SongEditRequested:
    return SongEditRequested.about(song_id, revision, uuid.uuid4(), manifest_key=key, **fields)


def files_of(songs: SongStore, key: str) -> dict[str, bytes]:
    return dict(songs.files(songs.manifest(key)))


def test_generating_makes_a_marked_revision_and_removing_makes_another(songs, corpus):
    song_id, key = stored(songs, corpus / EXHILARATE)
    original = scan_song(files_of(songs, key)).as_dict()
    assert expert_only_instruments(original) == ["guitar", "drums"]

    events = anyio.run(edit.make_handler(songs), request(song_id, key, difficulties="generate"))
    edited, extracted = events
    assert isinstance(edited, SongEdited) and isinstance(extracted, SongExtracted)
    assert edited.difficulties == "generate"
    assert extracted.revision == 2
    generated = files_of(songs, extracted.manifest_key)
    assert parse_ini(generated["song.ini"]).song["generated_difficulties"] == "guitar,drums"
    scan = scan_song(generated).as_dict()
    assert expert_only_instruments(scan) == [] and marked_generated(scan) == ["guitar", "drums"]

    events = anyio.run(edit.make_handler(songs), request(
        song_id, extracted.manifest_key, 2, difficulties="remove"))
    restored = files_of(songs, events[1].manifest_key)
    assert events[1].revision == 3
    assert "generated_difficulties" not in parse_ini(restored["song.ini"]).song
    assert scan_song(restored).as_dict()["notesData"] == original["notesData"]


def test_a_request_with_nothing_to_generate_or_remove_makes_no_revision(songs, corpus):
    song_id, key = stored(songs, corpus / EXHILARATE)
    handler = edit.make_handler(songs)
    assert anyio.run(handler, request(song_id, key, difficulties="remove")) == ()
    generated = anyio.run(handler, request(song_id, key, difficulties="generate"))[1]
    assert anyio.run(handler, request(song_id, generated.manifest_key, 2,
                                      difficulties="generate")) == ()


def test_a_metadata_change_asked_with_nothing_to_generate_still_makes_its_revision(songs,
                                                                                   corpus):
    song_id, key = stored(songs, corpus / EXHILARATE)
    handler = edit.make_handler(songs)
    events = anyio.run(handler, request(song_id, key, difficulties="remove",
                                        changes={"genre": "Polka"}))
    assert parse_ini(files_of(songs, events[1].manifest_key)["song.ini"]).song["genre"] == "Polka"


def test_an_edit_request_of_an_earlier_version_reads_as_no_difficulty_change():
    song_id = uuid.uuid4()
    recorded = {"event_type": "song.edit_requested", "event_id": str(uuid.uuid4()),
                "song_id": str(song_id), "revision": 1, "schema_version": 2,
                "manifest_key": "manifests/x/1.json", "changes": {"name": "New"}}
    event = load_event(recorded)
    assert isinstance(event, SongEditRequested) and event.difficulties is None


def test_the_scan_marks_no_part_with_lower_difficulties_as_expert_only():
    scan = {"notesData": {"noteCounts": [
        {"instrument": "guitar", "difficulty": "expert", "count": 10},
        {"instrument": "guitar", "difficulty": "hard", "count": 5},
        {"instrument": "bass", "difficulty": "expert", "count": 7},
        {"instrument": "bass", "difficulty": "easy", "count": 0},
        {"instrument": "keys", "difficulty": "expert", "count": 0}]},
        "metadata": {"generated_difficulties": " drums , "}}
    assert expert_only_instruments(scan) == ["bass"]
    assert marked_generated(scan) == ["drums"]


def test_a_song_without_a_song_ini_is_not_offered_generation_it_could_not_undo():
    scan = {"notesData": {"noteCounts": [
        {"instrument": "drums", "difficulty": "expert", "count": 10}]}, "metadata": {}}
    assert generatable_instruments(scan) == ["drums"]
    no_ini = {**scan, "folderIssues": [{"folderIssue": "noMetadata", "description": "..."}]}
    assert expert_only_instruments(no_ini) == ["drums"] and generatable_instruments(no_ini) == []
