"""Events: types and deterministic ids derived from the class, the song header carried forward,
one way to fail, frozen models, and every earlier version's events still read."""

from __future__ import annotations

import json
import typing
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared import events
from shared.events import (
    FoundSong,
    SongCataloged,
    SongDeleted,
    SongExtracted,
    SongFailed,
    SongFound,
    SongParsed,
    UploadCompleted,
    UploadFailed,
    UploadOrigin,
    UploadReceived,
    UploadUnpacked,
    event_id,
    failure_at,
    load_event,
    song_id_for,
)

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "events"
EVENT_TYPES = typing.get_args(typing.get_args(events.AnyEvent)[0])


UPLOAD = uuid.UUID("11111111-1111-1111-1111-111111111111")
SONG = uuid.UUID("22222222-2222-2222-2222-222222222222")


def recorded(version: str, event_type: str) -> events.Event:
    return load_event((RECORDED / version / f"{event_type}.json").read_bytes())


def test_the_same_step_always_gets_the_same_event_id():
    song = uuid.uuid4()
    assert SongParsed.id_for(song, 1, 3) == SongParsed.id_for(song, 1, 3)


def test_a_new_revision_or_parser_version_gets_a_new_event_id():
    song = uuid.uuid4()
    ids = {SongParsed.id_for(song, 1, 1), SongParsed.id_for(song, 2, 1),
           SongParsed.id_for(song, 1, 2), SongCataloged.id_for(song, 1, 1)}
    assert len(ids) == 4


def test_an_event_class_names_its_type_once_for_its_field_routing_key_and_ids():
    event = SongParsed.about(SONG, 1, 3, manifest_key="m", md5="0" * 32, parser_version=3)
    assert SongParsed.routing_key == event.event_type == "song.parsed"
    assert event.event_id == event_id("song.parsed", SONG, 1, 3)
    assert load_event(event.model_dump_json()) == event


def test_events_built_from_their_class_get_the_ids_earlier_versions_gave():
    origin = UploadOrigin(bucket="chhub-uploads", key="gateway/x/song.zip", filename="song.zip")
    received = UploadReceived.about(UPLOAD, origin=origin, size=10, etag="abc")
    extracted = SongExtracted.about(SONG, 1, upload_id=UPLOAD, manifest_key="m", md5="0" * 32)
    parsed = SongParsed.after(extracted, 1, manifest_key="m", md5="0" * 32, parser_version=1)
    rebuilt = [
        received,
        UploadCompleted.after(received, succeeded=True),
        SongFound.in_upload(received, FoundSong(song_id=SONG, folder="Song")),
        extracted,
        parsed,
        SongCataloged.after(parsed, parsed.parser_version, manifest_key="m", content_path="p"),
        SongFailed.after(extracted, "parse", stage="parse", reason="why"),
        SongDeleted.about(SONG, 3),
    ]
    for event in rebuilt:
        assert event.event_id == recorded("v1", event.event_type).event_id, event.event_type


def test_a_following_event_carries_the_song_header_forward():
    found = SongFound.in_upload(
        UploadReceived.about(UPLOAD, origin=UploadOrigin(bucket="b", key="k", filename="f")),
        FoundSong(song_id=SONG, folder="Song"))
    extracted = SongExtracted.after(found, manifest_key="m", md5="0" * 32)
    edited = SongExtracted.after(extracted, "edit", revision=2, manifest_key="m2", md5="1" * 32)
    assert (extracted.upload_id, extracted.song_id, extracted.revision) == (UPLOAD, SONG, 1)
    assert (edited.upload_id, edited.song_id, edited.revision) == (UPLOAD, SONG, 2)
    assert edited.event_id == event_id("song.extracted", SONG, 2, "edit")


def test_a_stage_fails_the_song_it_worked_on_with_its_name_and_reason():
    extracted = recorded("v2", "song.extracted")
    (failure,) = failure_at("parse")(extracted, "The chart could not be read.")
    assert isinstance(failure, SongFailed)
    assert (failure.upload_id, failure.song_id, failure.revision) == (UPLOAD, SONG, 1)
    assert (failure.stage, failure.reason) == ("parse", "The chart could not be read.")
    assert failure.event_id == event_id("song.failed", SONG, 1, "parse")
    assert failure_at("parse")(extracted, "again")[0].event_id == failure.event_id


def test_a_stage_of_whole_uploads_fails_the_upload():
    (failure,) = failure_at("unpack")(recorded("v2", "upload.received"), "Not an archive.")
    assert isinstance(failure, UploadFailed)
    assert (failure.upload_id, failure.stage, failure.reason) == (UPLOAD, "unpack",
                                                                  "Not an archive.")
    assert failure.event_id == event_id("upload.failed", UPLOAD)


def test_a_tombstone_that_cannot_be_carried_out_fails_no_song():
    assert failure_at("publish")(recorded("v2", "song.deleted"), "why") == ()


def test_an_upload_received_of_schema_version_1_reads_its_flat_origin():
    old = json.loads((RECORDED / "v1" / "upload.received.json").read_text())
    chunked = {**old, "key": "resumable/x/", "is_chunked": True}
    for data in (old, chunked):
        event = load_event(json.dumps(data))
        assert isinstance(event, UploadReceived)
        assert event.origin == UploadOrigin(
            bucket=data["bucket"], key=data["key"], filename=data["filename"],
            is_folder=data["is_folder"], is_chunked=data.get("is_chunked", False))
        assert (event.size, event.etag, event.source) == (10, "abc", "gateway")
        assert event == recorded("v2", "upload.received").model_copy(
            update={"schema_version": 1, "origin": event.origin})


def test_an_upload_received_is_written_with_its_origin_whole():
    written = json.loads(recorded("v1", "upload.received").model_dump_json())
    assert written["origin"]["key"] == "gateway/x/song.zip"
    assert not {"bucket", "key", "filename", "is_folder", "is_chunked"} & written.keys()


def test_a_song_found_at_the_same_place_of_the_same_upload_keeps_its_id():
    upload = uuid.uuid4()
    assert song_id_for(upload, "Pack/Song") == song_id_for(upload, "Pack/Song")
    assert song_id_for(upload, "Pack/Song") != song_id_for(upload, "Pack/Other")


@pytest.mark.parametrize("version_dir", sorted(RECORDED.iterdir()), ids=lambda p: p.name)
def test_every_recorded_event_of_every_earlier_version_still_loads(version_dir: Path):
    recorded = sorted(version_dir.glob("*.json"))
    assert {path.stem for path in recorded} == {cls.model_fields["event_type"].default
                                                 for cls in EVENT_TYPES}
    for path in recorded:
        event = load_event(path.read_bytes())
        assert event.event_type == path.stem
        assert event.schema_version == int(version_dir.name.removeprefix("v"))


def test_unknown_fields_from_a_newer_version_are_ignored():
    data = json.loads((RECORDED / "v1" / "song.parsed.json").read_text())
    data["a_field_from_the_future"] = {"anything": 1}
    event = load_event(data)
    assert isinstance(event, SongParsed)
    assert not hasattr(event, "a_field_from_the_future")


def test_events_are_frozen():
    event = load_event((RECORDED / "v1" / "song.failed.json").read_bytes())
    with pytest.raises(ValidationError):
        event.reason = "changed"


def test_every_event_field_is_documented():
    for cls in EVENT_TYPES:
        for name, field in cls.model_fields.items():
            assert field.description, f"{cls.__name__}.{name} has no description"


def test_each_event_type_has_its_own_routing_key():
    keys = [cls.routing_key for cls in EVENT_TYPES]
    assert len(keys) == len(set(keys))


def test_a_large_uploads_songs_are_told_in_parts_each_with_its_own_id_and_the_total():
    received = UploadReceived.about(UPLOAD, origin=UploadOrigin(bucket="b", key="k",
                                                                filename="pack.zip"))
    songs = [FoundSong(song_id=song_id_for(UPLOAD, f"Song {n}"), folder=f"Song {n}")
             for n in range(2500)]
    parts = UploadUnpacked.in_parts(received, songs)
    assert [len(part.songs) for part in parts] == [1000, 1000, 500]
    assert [part.part for part in parts] == [0, 1, 2]
    assert {part.song_total for part in parts} == {2500}
    assert [song for part in parts for song in part.songs] == songs
    assert len({part.event_id for part in parts}) == 3
    assert [part.event_id for part in UploadUnpacked.in_parts(received, songs)] == [
        part.event_id for part in parts]  # the same ids when done again
    # A small upload's one part has the id an upload's one `upload.unpacked` always had.
    [whole] = UploadUnpacked.in_parts(received, songs[:3])
    assert whole.event_id == UploadUnpacked.id_for(UPLOAD) and whole.songs_in_upload == 3
    assert len(parts[0].model_dump_json()) < 150_000


def test_an_upload_unpacked_of_an_earlier_version_lists_every_song():
    event = recorded("v2", "upload.unpacked")
    assert event.song_total is None and event.songs_in_upload == len(event.songs)
