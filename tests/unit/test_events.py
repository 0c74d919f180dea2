"""Events: deterministic ids, frozen models, schemas that only grow."""

from __future__ import annotations

import json
import typing
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared import events
from shared.events import SongParsed, event_id, load_event, song_id_for

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "events"
EVENT_TYPES = typing.get_args(typing.get_args(events.AnyEvent)[0])


def test_the_same_step_always_gets_the_same_event_id():
    song = uuid.uuid4()
    assert event_id("song.parsed", song, 1, 3) == event_id("song.parsed", song, 1, 3)


def test_a_new_revision_or_parser_version_gets_a_new_event_id():
    song = uuid.uuid4()
    ids = {event_id("song.parsed", song, 1, 1), event_id("song.parsed", song, 2, 1),
           event_id("song.parsed", song, 1, 2), event_id("song.cataloged", song, 1, 1)}
    assert len(ids) == 4


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
            if name != "event_type":
                assert field.description, f"{cls.__name__}.{name} has no description"


def test_each_event_type_has_its_own_routing_key():
    keys = [cls.routing_key for cls in EVENT_TYPES]
    assert len(keys) == len(set(keys))
