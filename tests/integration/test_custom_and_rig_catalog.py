"""On the real PostgreSQL: custom content rows only move forward, and a rig's saved selection
stands for the song folders the catalog holds now."""

from __future__ import annotations

import uuid

from shared.events import (
    CustomContentDeleted,
    CustomContentPublished,
    CustomContentUploaded,
    CustomContentValidated,
    RigSelectionChanged,
)
from shared.persistence import custom_content, rig_selections
from shared.persistence.db import transaction
from shared.persistence.tables import CustomContent, Song


def record(sessions, *events) -> custom_content.CustomItem | None:
    for event in events:
        with transaction(sessions) as session:
            custom_content.record(session, event)
    with sessions() as session:
        return custom_content.custom_details(session, events[0].content_id)


def test_events_in_any_order_add_their_facts_and_never_undo_a_publish(sessions):
    content_id = uuid.uuid4()
    common = {"content_id": content_id, "kind": "background"}
    uploaded = CustomContentUploaded(event_id=uuid.uuid4(), bucket="b", key="k",
                                     filename="My Stage!.png", size=3, **common)
    validated = CustomContentValidated(event_id=uuid.uuid4(), filename="My Stage.png",
                                       sha256="a" * 64, size=3, media="image", width=20,
                                       height=10, **common)
    published = CustomContentPublished(
        event_id=uuid.uuid4(), content_path="custom/Image Backgrounds/My Stage.png", **common)
    item = record(sessions, published, uploaded, validated, uploaded)
    assert (item.state, item.filename, item.width) == ("published", "My Stage.png", 20)
    assert item.sha256 == "a" * 64
    assert item.content_path == "custom/Image Backgrounds/My Stage.png"
    with sessions() as session:  # where the original is kept, for the retention sweep
        row = session.get(CustomContent, content_id)
        assert (row.original_bucket, row.original_key) == ("b", "k")
    assert record(sessions, CustomContentDeleted(event_id=uuid.uuid4(), **common),
                  published) is None


def add_song(sessions, charter: str, path: str) -> str:
    song_id = uuid.uuid4()
    with transaction(sessions) as session:
        session.add(Song(id=song_id, title=path, artist="Band", charter=charter,
                         file_path=f"songs/{path}", md5=uuid.uuid4().hex,
                         manifest_key=f"manifests/{song_id}/000001.json"))
    return str(song_id)


def test_a_saved_search_and_a_hand_picked_list_stand_for_their_song_folders(sessions):
    token = uuid.uuid4().hex[:10]
    first = add_song(sessions, f"Ann {token}", f"Band {token}/One")
    second = add_song(sessions, f"Ann {token}", f"Band {token}/Two")
    add_song(sessions, f"Bob {token}", f"Band {token}/Three")
    device = f"RIG{token}"
    with transaction(sessions) as session:
        searched = rig_selections.save(session, RigSelectionChanged(
            event_id=uuid.uuid4(), device_id=device, mode="search",
            search={"charter": f"Ann {token}"}))
    with sessions() as session:
        assert rig_selections.wanted_folders(session, searched) == {
            first: f"Band {token}/One", second: f"Band {token}/Two"}
        assert device in {s.device_id for s in rig_selections.narrowed(session)}
    with transaction(sessions) as session:
        picked = rig_selections.save(session, RigSelectionChanged(
            event_id=uuid.uuid4(), device_id=device, mode="songs", song_ids=(uuid.UUID(second),)))
    with sessions() as session:
        assert rig_selections.wanted_folders(session, picked) == {second: f"Band {token}/Two"}
        assert rig_selections.all_selections(session)[device]["mode"] == "songs"
