"""The sync service's Setlists folder over the real database and object store: every setlist
as the `.setlist` Clone Hero reads, rewritten when a setlist changes, when a song in one gets a
new chart, and when a song is deleted (before the catalog has caught up, too)."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from services.sync.consumers import setlists as setlists_consumer
from services.sync.setlist_files import SetlistFiles, write_at_start
from services.sync.setlist_folder import SetlistFolder
from shared.events import SetlistChanged, SongDeleted, SongParsed, SongPublished
from shared.persistence import setlists, songs
from shared.persistence.db import transaction
from shared.song_store import SongStore
from shared.storage import S3ObjectStore
from tests.support.stack import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(s3_server) -> SongStore:
    bucket = f"setlist-sync-{uuid.uuid4().hex[:10]}"
    s3 = S3ObjectStore(endpoint=s3_server, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    s3.ensure_bucket(bucket)
    return SongStore(s3, bucket)


def catalog(sessions, store: SongStore, song_id: uuid.UUID, chart: bytes,
            revision: int = 1) -> None:
    key, _ = store.save_revision(song_id, revision, uuid.uuid4().hex,
                                 {"notes.chart": chart, "song.ini": b"[song]\n"})
    event = SongParsed(event_id=SongParsed.id_for(song_id, revision, 1), song_id=song_id,
                       revision=revision, manifest_key=key, md5=uuid.uuid4().hex,
                       parser_version=1, name=f"Sync {song_id}", artist="Band",
                       chart_file="notes.chart", scan={})
    with transaction(sessions) as session:
        songs.record_parsed(session, event)


def setlist_of(*charts: bytes) -> bytes:
    return (b"\xea\xec\x33\x01" + len(charts).to_bytes(4, "little") + b"".join(
        b"\x20" + hashlib.md5(c).hexdigest().upper().encode() + b"\x64\x00" for c in charts))


async def test_the_setlists_folder_follows_setlists_and_their_songs(sessions, store, tmp_path,
                                                                   unique):
    a, b = uuid.uuid4(), uuid.uuid4()
    catalog(sessions, store, a, f"[Song] a {unique}".encode())
    catalog(sessions, store, b, f"[Song] b {unique}".encode())
    other = uuid.uuid4()  # in no setlist
    catalog(sessions, store, other, b"[Song] other")
    folder = SetlistFolder(tmp_path)
    handle = setlists_consumer.make_handler(SetlistFiles(sessions, store, folder))
    setlist_id = uuid.uuid4()
    with transaction(sessions) as session:
        version = setlists.create(session, setlist_id, name=f"Gig {unique}", owner="ann",
                                  song_ids=[b, a])

    await handle(SetlistChanged.about(setlist_id, version))
    assert folder.files()[f"Gig {unique}.setlist"] == setlist_of(
        f"[Song] b {unique}".encode(), f"[Song] a {unique}".encode())

    with transaction(sessions) as session:
        version = setlists.rename(session, setlist_id, f"Tour {unique}")
    await handle(SetlistChanged.about(setlist_id, version))
    await handle(SetlistChanged.about(setlist_id, version))  # redelivered: nothing changes
    assert f"Gig {unique}.setlist" not in folder.files()
    assert f"Tour {unique}.setlist" in folder.files()

    catalog(sessions, store, a, f"[Song] a again {unique}".encode(), revision=2)
    await handle(SongPublished.about(a, 2, content_path="songs/Band/A"))
    assert folder.files()[f"Tour {unique}.setlist"] == setlist_of(
        f"[Song] b {unique}".encode(), f"[Song] a again {unique}".encode())

    await handle(SongDeleted.about(b, 2))  # the catalog still has the song
    assert folder.files()[f"Tour {unique}.setlist"] == setlist_of(
        f"[Song] a again {unique}".encode())

    with transaction(sessions) as session:
        version = setlists.remove(session, setlist_id)
    await handle(SetlistChanged.about(setlist_id, version, deleted=True))
    assert f"Tour {unique}.setlist" not in folder.files()


def test_a_song_in_no_setlist_does_not_concern_the_folder(sessions, store, tmp_path):
    lonely = uuid.uuid4()
    catalog(sessions, store, lonely, b"[Song] lonely")
    assert not SetlistFiles(sessions, store, SetlistFolder(tmp_path)).concerns(lonely)


async def test_at_start_the_folder_is_written_from_the_catalog(sessions, store, tmp_path, unique):
    song = uuid.uuid4()
    catalog(sessions, store, song, f"[Song] start {unique}".encode())
    with transaction(sessions) as session:
        setlists.create(session, uuid.uuid4(), name=f"Restored {unique}", owner="ann",
                        song_ids=[song])
    folder = SetlistFolder(tmp_path)
    (tmp_path / "setlists").mkdir()
    (tmp_path / "setlists" / "Gone.setlist").write_bytes(setlist_of())

    await write_at_start(SetlistFiles(sessions, store, folder))

    assert folder.files()[f"Restored {unique}.setlist"] == setlist_of(
        f"[Song] start {unique}".encode())
    assert "Gone.setlist" not in folder.files()


def test_a_song_whose_stored_files_are_gone_is_left_out_not_fatal(sessions, store, tmp_path,
                                                                   unique):
    kept, lost = uuid.uuid4(), uuid.uuid4()
    catalog(sessions, store, kept, f"[Song] kept {unique}".encode())
    event = SongParsed(event_id=SongParsed.id_for(lost, 1, 1), song_id=lost,
                       manifest_key=f"manifests/{lost}/000001.json", md5=uuid.uuid4().hex,
                       parser_version=1, name=f"Lost {unique}", artist="Band",
                       chart_file="notes.chart", scan={})
    with transaction(sessions) as session:
        songs.record_parsed(session, event)
        setlists.create(session, uuid.uuid4(), name=f"Half {unique}", owner="ann",
                        song_ids=[lost, kept])
    folder = SetlistFolder(tmp_path)

    SetlistFiles(sessions, store, folder).rewrite()

    assert folder.files()[f"Half {unique}.setlist"] == setlist_of(
        f"[Song] kept {unique}".encode())
