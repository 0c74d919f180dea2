"""On the real PostgreSQL and S3: a backup holds one moment of the catalog, and a song deleted
while it runs (its manifests removed from the bucket) does not break it."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import delete

from services.backup.layout import OBJECTS, SUMMARY, BackupFolder
from services.backup.take import take_backup
from shared.persistence.backup_rows import referenced
from shared.persistence.db import make_engine, make_sessions, transaction
from shared.persistence.tables import Song
from shared.song_store import SongStore
from shared.storage import S3ObjectStore
from tests.support import stack as stack_module


@pytest.fixture
def library(s3_server, unique):
    """An empty catalog of its own and a songs bucket of its own."""
    name = f"chhub_backup_{stack_module.SESSION}"
    url = stack_module.fresh_database(name)
    store = S3ObjectStore(endpoint=s3_server, access_key=stack_module.ACCESS_KEY,
                          secret_key=stack_module.SECRET_KEY)
    bucket = f"songs-{unique}"
    store.ensure_bucket(bucket)
    engine = make_engine(url, 1)
    yield url, make_sessions(engine), store, bucket
    engine.dispose()
    stack_module.drop_database(name)


def add_song(sessions, songs: SongStore, unique: str, title: str) -> uuid.UUID:
    song_id = uuid.uuid4()
    key, _ = songs.save_revision(song_id, 1, uuid.uuid4().hex, {
        "song.ini": f"[song]\nname = {title}\n".encode(), "notes.chart": title.encode() * 50,
        "shared.txt": unique.encode()})
    with transaction(sessions) as session:
        session.add(Song(id=song_id, title=title, file_path=f"songs/{title}",
                         md5=uuid.uuid4().hex, manifest_key=key))
    return song_id


def test_a_song_deleted_while_the_backup_runs_is_left_out_by_a_newer_snapshot(library, unique,
                                                                              tmp_path):
    url, sessions, store, bucket = library
    songs = SongStore(store, bucket)
    kept = add_song(sessions, songs, unique, f"Kept {unique}")
    deleted = add_song(sessions, songs, unique, f"Deleted {unique}")
    reads = []

    def deleted_right_after_the_first_snapshot(session):
        rows = referenced(session)
        reads.append([row.song_id for row in rows[0]])
        if len(reads) == 1:  # as the gateway and the forget consumer would, meanwhile
            with transaction(sessions) as other:
                other.execute(delete(Song).where(Song.id == deleted))
            for stored in list(store.list(bucket, f"manifests/{deleted}/")):
                store.delete(bucket, stored.key)
        return rows

    taken = take_backup(url, store, bucket, BackupFolder(tmp_path),
                        deleted_right_after_the_first_snapshot, {}, {})

    assert sorted(reads[0], key=str) == sorted([kept, deleted], key=str)
    assert reads[1:] == [[kept]]
    needed = json.loads((taken.snapshot / OBJECTS).read_text())
    assert needed["manifests"] == [f"manifests/{kept}/000001.json"]
    assert len(needed["blobs"]) == 3 and taken.blobs.copied + taken.blobs.skipped == 3
    assert json.loads((taken.snapshot / SUMMARY).read_text())["songs"] == 1
