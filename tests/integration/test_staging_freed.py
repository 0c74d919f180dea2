"""The staging area is freed as songs are stored: each song's files leave it once extracted
(a redelivered message still finds the song, from the original), and the upload's area goes
once the upload ends. Unpack, extract and cleanup run against real S3 and PostgreSQL."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import anyio
import pytest

from services.ingest.consumers import cleanup, extract, unpack
from services.ingest.song_catalog import PostgresSongCatalog
from services.ingest.staging import StagingArea
from shared.events import SongExtracted, SongFound, UploadCompleted, UploadOrigin, UploadReceived
from shared.song_store import SongStore
from shared.songs.archives import ExtractionLimits
from shared.storage import S3ObjectStore
from tests.support.stack import ACCESS_KEY, SECRET_KEY

BUCKET = "chhub-staging-test"
LIMITS = ExtractionLimits(max_total_bytes=10**8, max_entries=1000, max_ratio=1000.0)


@pytest.fixture(scope="module")
def store(s3_server):
    objects = S3ObjectStore(endpoint=s3_server, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    objects.ensure_bucket(BUCKET)
    return objects


def a_pack(unique: str) -> bytes:
    """Two songs, one inside the other's folder, and a file that belongs to neither."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Pack/Outer/notes.chart", f"[Song]\n{{\n  Name = \"outer {unique}\"\n}}\n")
        archive.writestr("Pack/Outer/song.ogg", b"outer audio")
        archive.writestr("Pack/Outer/Inner/notes.chart", f"inner {unique}")
        archive.writestr("Pack/readme.txt", b"not a song")
    return buffer.getvalue()


def song_files(staging: StagingArea) -> list[str]:
    return [name for name in staging.files() if name != "Pack/readme.txt"]


def test_each_song_leaves_staging_once_extracted_and_the_area_once_the_upload_ends(
        store, sessions, tmp_path: Path, unique):
    upload_id = uuid.uuid4()
    store.put_bytes(BUCKET, f"gateway/{upload_id}/pack.zip", a_pack(unique))
    received = UploadReceived.about(upload_id, origin=UploadOrigin(
        bucket=BUCKET, key=f"gateway/{upload_id}/pack.zip", filename="pack.zip"))
    staging = StagingArea(tmp_path, upload_id)
    extracting = extract.make_handler(store, SongStore(store, BUCKET),
                                      PostgresSongCatalog(sessions), tmp_path, LIMITS)

    found = [event for event in anyio.run(unpack.make_handler(store, tmp_path, LIMITS), received)
             if isinstance(event, SongFound)]
    outer, inner = sorted(found, key=lambda event: len(event.folder))
    assert (outer.folder, inner.folder) == ("Pack/Outer", "Pack/Outer/Inner")

    first = anyio.run(extracting, outer)
    assert song_files(staging) == ["Pack/Outer/Inner/notes.chart"]
    anyio.run(extracting, inner)
    assert staging.files() == ["Pack/readme.txt"]
    assert not (staging.tree / "Pack" / "Outer").exists()

    again = anyio.run(extracting, outer)  # redelivered: read from the original once more
    assert isinstance(again[0], SongExtracted)
    assert (again[0].manifest_key, again[0].md5) == (first[0].manifest_key, first[0].md5)
    assert sorted(path.name for path in staging.area.iterdir()) == ["lock", "tree", "unpacked"]

    anyio.run(cleanup.make_handler(tmp_path), UploadCompleted.about(
        upload_id, succeeded=True))
    assert not staging.area.exists()


def test_an_upload_is_unpacked_only_once_the_staging_folder_has_room(store, tmp_path, unique):
    """With room for one upload, the next is unpacked once the one staged before it ends."""
    upload_id = uuid.uuid4()
    store.put_bytes(BUCKET, f"gateway/{upload_id}/pack.zip", a_pack(unique))
    received = UploadReceived.about(upload_id, origin=UploadOrigin(
        bucket=BUCKET, key=f"gateway/{upload_id}/pack.zip", filename="pack.zip"))
    earlier = StagingArea(tmp_path, uuid.uuid4())
    (earlier.tree / "Song").mkdir(parents=True)
    unpacking = unpack.make_handler(store, tmp_path, LIMITS, uploads_ahead=1)
    found: list = []

    async def unpack_and_end_the_earlier() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lambda: _collect(unpacking(received), found))
            await anyio.sleep(0.5)
            assert not StagingArea(tmp_path, upload_id).area.exists(), "it waits for room"
            earlier.remove()  # the earlier upload ended

    anyio.run(unpack_and_end_the_earlier)
    assert sorted(e.folder for e in found if isinstance(e, SongFound)) == [
        "Pack/Outer", "Pack/Outer/Inner"]
    assert StagingArea(tmp_path, upload_id).is_unpacked()


async def _collect(events, into: list) -> None:
    into.extend(await events)
