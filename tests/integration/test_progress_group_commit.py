"""The progress consumer's events handled at the same time go into PostgreSQL in one transaction
each batch, every handler gets its own event's result, and an event that cannot be written
fails alone."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event, select

from services.catalog.consumers.progress import progress_writer
from shared.events import SongExtracted, SongFailed, SongPublished
from shared.persistence.db import make_engine, make_sessions
from shared.persistence.tables import Upload, UploadSong
from shared.persistence.upload_stages import UploadEnded
from tests.support.upload_events import received, song_event, unpacked

pytestmark = pytest.mark.integration


@pytest.fixture
def counted(database_url):
    """Sessions on an engine that counts its commits."""
    engine = make_engine(database_url)
    commits = []
    event.listen(engine, "commit", lambda connection: commits.append(1))
    yield make_sessions(engine), commits
    engine.dispose()


def _changes_per_commit() -> tuple[float, float]:
    """The progress writer's commits so far, and the events they wrote."""
    labels = {"writer": "progress"}
    return (REGISTRY.get_sample_value("chhub_group_commit_changes_count", labels) or 0,
            REGISTRY.get_sample_value("chhub_group_commit_changes_sum", labels) or 0)


def stages(sessions, upload_id: uuid.UUID) -> dict[uuid.UUID, str]:
    with sessions() as session:
        rows = session.execute(select(UploadSong.song_id, UploadSong.stage)
                               .where(UploadSong.upload_id == upload_id))
        return {song_id: stage for song_id, stage in rows}


async def test_events_handled_at_once_are_committed_together_each_with_its_result(counted):
    sessions, commits = counted
    writer = progress_writer(sessions)
    uploads = {uuid.uuid4(): [uuid.uuid4() for _ in range(8)] for _ in range(3)}
    for upload_id, songs in uploads.items():
        await writer.apply(received(upload_id))
        await writer.apply(unpacked(upload_id, {song: f"Song {n}" for n, song in
                                                enumerate(songs)}))
    commits.clear()
    observed_before = _changes_per_commit()

    events = [song_event(kind, upload_id, song) for kind in (SongExtracted, SongPublished)
              for upload_id, songs in uploads.items() for song in songs]
    results = await asyncio.gather(*(writer.apply(e) for e in events))

    assert len(commits) < len(events) / 4
    observed = _changes_per_commit()
    assert (observed[0] - observed_before[0], observed[1] - observed_before[1]) == (
        len(commits), len(events)), "operators see how many events each commit wrote"
    ended = {result.upload_id: result for result in results if result is not None}
    assert set(ended) == set(uploads)
    assert all(isinstance(result, UploadEnded) and result.state == "completed"
               for result in ended.values())
    last_songs = {songs[-1] for songs in uploads.values()}
    for e, result in zip(events, results, strict=True):  # each upload ends with its last song
        assert (result is not None) == (isinstance(e, SongPublished) and e.song_id in last_songs)
    for upload_id, songs in uploads.items():
        assert stages(sessions, upload_id) == dict.fromkeys(songs, "published")
        with sessions() as session:
            assert session.get(Upload, upload_id).state == "completed"


async def test_an_event_that_cannot_be_written_fails_alone(counted):
    sessions, _ = counted
    writer = progress_writer(sessions)
    upload_id, songs = uuid.uuid4(), [uuid.uuid4() for _ in range(6)]
    await writer.apply(received(upload_id))
    await writer.apply(unpacked(upload_id, {song: f"Song {n}" for n, song in enumerate(songs)}))
    unwritable = song_event(SongFailed, upload_id, songs[0]).model_copy(
        update={"reason": "nul \x00 in the text"})  # PostgreSQL text holds no NUL

    results = await asyncio.gather(
        writer.apply(unwritable),
        *(writer.apply(song_event(SongExtracted, upload_id, song)) for song in songs[1:]),
        return_exceptions=True)

    assert isinstance(results[0], ValueError)
    assert results[1:] == [None] * 5
    assert stages(sessions, upload_id) == {songs[0]: "found",
                                           **dict.fromkeys(songs[1:], "extracted")}
