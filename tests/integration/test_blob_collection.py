"""The blob collector against the real catalog (PostgreSQL) and songs bucket (S3): after songs
are edited and deleted, only the blobs and manifests nothing refers to, and that are older than
the window, are freed; `chhub gc` reports them; its lock makes writers and deletes wait for
each other."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from services.ingest.blob_lock import PostgresBlobLock
from services.ingest.collector import BlobCollector
from services.ingest.consumers import edit, forget
from shared.events import SongDeleted, SongEditRequested
from shared.manifest import blob_key, manifest_key
from shared.persistence.db import transaction
from shared.persistence.stored_references import read_references
from shared.persistence.tables import CustomContent, Song, SongTombstone, Upload, UploadSong
from shared.song_store import SongStore, keep_blob
from shared.storage import S3ObjectStore
from tests.support.stack import ACCESS_KEY, ROOT, SECRET_KEY

WINDOW = timedelta(seconds=2)
AGING = 3.5  # seconds: what is written before this pause is older than the window after it


def stopped_clock(split: datetime) -> Callable[[], datetime]:
    """The collector's clock, stopped just after `split`: what was written before the pause is
    older than the window, and what is written after `split` younger, however long the test
    then takes (the server dates objects to the second, so a young one may look up to a
    second older)."""
    return lambda: split + timedelta(seconds=0.5)


@pytest.fixture
def bucket(s3_server, unique):
    name = f"chhub-gc-{unique}"
    S3ObjectStore(endpoint=s3_server, access_key=ACCESS_KEY,
                  secret_key=SECRET_KEY).ensure_bucket(name)
    return name


@pytest.fixture(scope="module")
def store(s3_server):
    return S3ObjectStore(endpoint=s3_server, access_key=ACCESS_KEY, secret_key=SECRET_KEY)


def a_song(songs: SongStore, sessions, unique: str, files: dict[str, bytes], *,
           upload_state: str, catalog: bool) -> uuid.UUID:
    """A song extracted from an upload in `upload_state`; in the catalog when `catalog`."""
    song_id, upload_id = uuid.uuid4(), uuid.uuid4()
    key, manifest = songs.save_revision(song_id, 1, uuid.uuid4().hex, files)
    with transaction(sessions) as session:
        session.add(Upload(id=upload_id, filename="pack.zip", bucket="chhub-uploads",
                           key=f"gateway/{upload_id}", state=upload_state))
        session.flush()
        session.add(UploadSong(upload_id=upload_id, song_id=song_id, stage="found"))
        if catalog:
            session.add(Song(id=song_id, title=f"{unique} {song_id}", file_path=f"x/{song_id}",
                             md5=manifest.md5, manifest_key=key, revision=1,
                             upload_id=upload_id))
    return song_id


def catalog_revision(sessions, song_id: uuid.UUID, revision: int) -> None:
    with transaction(sessions) as session:
        song = session.get(Song, song_id)
        song.revision, song.manifest_key = revision, manifest_key(song_id, revision)


def delete_song(store, bucket: str, sessions, song_id: uuid.UUID) -> None:
    """What a deletion does to the catalog (its tombstone) and the bucket (manifests gone)."""
    with transaction(sessions) as session:
        session.delete(session.get(Song, song_id))
        session.add(SongTombstone(song_id=song_id, revision=2))
    anyio.run(forget.make_handler(store, bucket),
              SongDeleted(event_id=SongDeleted.id_for(song_id, 2), song_id=song_id,
                          revision=2))


def edit_song(songs: SongStore, song_id: uuid.UUID, title: str) -> None:
    anyio.run(edit.make_handler(songs), SongEditRequested(
        event_id=uuid.uuid4(), song_id=song_id, revision=1,
        manifest_key=manifest_key(song_id, 1), changes={"name": title}))


def blob(data: bytes) -> str:
    import hashlib

    return blob_key(hashlib.sha256(data).hexdigest())


def stored_keys(store, bucket: str) -> set[str]:
    return {item.key for item in store.list(bucket)}


def test_only_unreferenced_objects_older_than_the_window_are_freed(store, bucket, sessions,
                                                                   unique):
    lock = PostgresBlobLock(sessions)
    songs = SongStore(store, bucket, lock.writing)
    audio, chart = f"audio {unique}".encode(), f"chart {unique}".encode()
    edited = a_song(songs, sessions, unique, {"song.ini": b"[song]\nname = A\n",
                                              "song.ogg": audio, "notes.chart": chart},
                    upload_state="completed", catalog=True)
    deleted = a_song(songs, sessions, unique, {"notes.chart": f"gone {unique}".encode(),
                                               "song.ogg": audio},
                     upload_state="completed", catalog=True)
    under_way = a_song(songs, sessions, unique, {"notes.chart": f"new {unique}".encode()},
                       upload_state="processing", catalog=False)
    failed = a_song(songs, sessions, unique, {"notes.chart": f"bad {unique}".encode()},
                    upload_state="failed", catalog=False)
    custom = keep_blob(store, bucket, f"background {unique}".encode())
    with transaction(sessions) as session:
        session.add(CustomContent(id=uuid.uuid4(), kind="background", filename="bg.png",
                                  state="published", sha256=custom))
    orphan = keep_blob(store, bucket, f"orphan {unique}".encode())
    edit_song(songs, edited, "A, renamed")
    catalog_revision(sessions, edited, 2)
    delete_song(store, bucket, sessions, deleted)
    time.sleep(AGING)
    split = datetime.now(UTC)
    young_orphan = keep_blob(store, bucket, f"young {unique}".encode())
    before = stored_keys(store, bucket)
    collector = BlobCollector(store, bucket, lambda: read_references(sessions), lock, WINDOW,
                              clock=stopped_clock(split))

    preview = collector.run(dry_run=True)
    assert stored_keys(store, bucket) == before
    report = collector.run()

    freed = {manifest_key(edited, 1), blob(b"[song]\nname = A\n"),
             blob(f"gone {unique}".encode()), blob_key(orphan)}
    assert {item.key for item in preview.freed} == freed
    assert {item.key for item in report.freed} == freed
    assert stored_keys(store, bucket) == before - freed
    assert {manifest_key(edited, 2), blob(audio), blob(chart), manifest_key(under_way, 1),
            manifest_key(failed, 1), blob_key(custom), blob_key(young_orphan)} <= before - freed
    assert (report.blobs, report.manifests) == (3, 1)
    assert report.bytes == sum(item.size for item in report.freed) > 0
    assert collector.run().freed == ()


def test_a_blob_reused_by_a_writer_is_young_again_and_kept(store, bucket, sessions, unique):
    lock = PostgresBlobLock(sessions)
    reused = keep_blob(store, bucket, f"shared {unique}".encode())
    time.sleep(AGING)
    collector = BlobCollector(store, bucket, lambda: read_references(sessions), lock, WINDOW,
                              clock=stopped_clock(datetime.now(UTC)))
    mark = collector.mark()
    candidates = collector.candidates(mark)
    assert [item.key for item in candidates] == [blob_key(reused)]
    keep_blob(store, bucket, f"shared {unique}".encode())  # an upload of the same file
    assert collector.sweep(candidates, mark) == []
    assert store.stat(bucket, blob_key(reused)) is not None


def test_the_collector_deletes_only_while_no_writer_holds_the_lock(sessions):
    lock = PostgresBlobLock(sessions)
    collecting = threading.Event()

    def collect() -> None:
        with lock.collecting():
            collecting.set()

    with lock.writing():
        collector = threading.Thread(target=collect)
        collector.start()
        assert not collecting.wait(1.0)
    assert collecting.wait(10)
    collector.join()


def test_chhub_gc_prints_what_it_would_free_and_then_frees_it(store, bucket, s3_server,
                                                              database_url, unique):
    orphan = keep_blob(store, bucket, f"orphan {unique}".encode())
    time.sleep(AGING)
    env = {**os.environ, "CHHUB_DATABASE_URL": database_url, "CHHUB_S3_ENDPOINT": s3_server,
           "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
           "CHHUB_SONGS_BUCKET": bucket, "CHHUB_GC_WINDOW_HOURS": str(2 / 3600),
           "CHHUB_TELEMETRY_ENABLED": "false"}
    chhub = str(Path(ROOT) / ".venv" / "bin" / "chhub")

    dry = subprocess.run([chhub, "gc", "--dry-run"], env=env, capture_output=True, text=True,
                         check=True)
    assert blob_key(orphan) in dry.stdout
    assert "would free 1 blob(s) and 0 manifest(s)" in dry.stdout
    assert store.stat(bucket, blob_key(orphan)) is not None

    done = subprocess.run([chhub, "gc"], env=env, capture_output=True, text=True, check=True)
    assert "freed 1 blob(s) and 0 manifest(s)" in done.stdout
    assert store.stat(bucket, blob_key(orphan)) is None
