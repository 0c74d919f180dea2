"""The catalog asks for lower difficulties for a new song with parts charted on Expert only,
when its upload or the library wants them, in the same transaction as the song; never for a
later revision, a song marked generated, one without a song.ini to mark them in, or one with
nothing to generate from."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.catalog.consumers import catalog as catalog_consumer
from shared.events import SongEditRequested, SongParsed, load_event
from shared.outbox import OUTBOX
from shared.persistence import uploads
from shared.persistence.db import transaction

EXPERT_ONLY = {"notesData": {"noteCounts": [
    {"instrument": "guitar", "difficulty": "expert", "count": 120},
    {"instrument": "drums", "difficulty": "expert", "count": 300},
    {"instrument": "bass", "difficulty": "expert", "count": 90},
    {"instrument": "bass", "difficulty": "hard", "count": 60}]}, "metadata": {}}
ALL_CHARTED = {"notesData": {"noteCounts": [
    {"instrument": "guitar", "difficulty": difficulty, "count": 50}
    for difficulty in ("expert", "hard", "medium", "easy")]}, "metadata": {}}


def parsed(scan, *, revision=1, upload_id=None, song_id=None) -> SongParsed:
    song_id = song_id or uuid.uuid4()
    return SongParsed(event_id=SongParsed.id_for(song_id, revision, 1), song_id=song_id,
                      revision=revision, upload_id=upload_id,
                      manifest_key=f"m/{song_id}/{revision}", md5=uuid.uuid4().hex,
                      parser_version=1, name="Song", artist="Artist", scan=scan)


def an_upload(sessions, *, generate: bool) -> uuid.UUID:
    upload_id = uuid.uuid4()
    with transaction(sessions) as session:
        uploads.record_receiving(session, upload_id, filename="song.zip", bucket="uploads",
                                 key=f"gateway/{upload_id}", source="gateway", size=1,
                                 trace_id=None, import_run=None, import_songs=None,
                                 generate_difficulties=generate)
    return upload_id


def edit_requests(sessions, song_id: uuid.UUID) -> list[SongEditRequested]:
    with sessions() as session:
        rows = session.execute(select(OUTBOX.c.payload).where(
            OUTBOX.c.song_id == song_id,
            OUTBOX.c.routing_key == SongEditRequested.routing_key)).scalars().all()
    return [load_event(payload) for payload in rows]


def test_a_library_that_generates_asks_for_every_new_song_with_expert_only_parts(sessions):
    event = parsed(EXPERT_ONLY)
    catalog_consumer.record(sessions, event, generate_difficulties=True)
    catalog_consumer.record(sessions, event, generate_difficulties=True)  # a redelivery
    [asked] = edit_requests(sessions, event.song_id)
    assert (asked.difficulties, asked.revision, asked.manifest_key, asked.changes) == (
        "generate", 1, event.manifest_key, {})


def test_an_upload_that_asks_gets_the_request_and_one_that_does_not_gets_none(sessions):
    wanted = parsed(EXPERT_ONLY, upload_id=an_upload(sessions, generate=True))
    unwanted = parsed(EXPERT_ONLY, upload_id=an_upload(sessions, generate=False))
    for event in (wanted, unwanted):
        catalog_consumer.record(sessions, event)
    assert [e.difficulties for e in edit_requests(sessions, wanted.song_id)] == ["generate"]
    assert edit_requests(sessions, unwanted.song_id) == []


def test_nothing_is_asked_without_expert_only_parts_or_after_the_first_revision(sessions):
    all_charted = parsed(ALL_CHARTED)
    marked = parsed({**EXPERT_ONLY, "metadata": {"generated_difficulties": "drums"}})
    no_ini = parsed({**EXPERT_ONLY, "folderIssues": [{"folderIssue": "noMetadata"}]})
    first = parsed(ALL_CHARTED)
    later = parsed(EXPERT_ONLY, revision=2, song_id=first.song_id)  # generated ones removed
    for event in (all_charted, marked, no_ini, first, later):
        catalog_consumer.record(sessions, event, generate_difficulties=True)
    for event in (all_charted, marked, no_ini, first):
        assert edit_requests(sessions, event.song_id) == []
