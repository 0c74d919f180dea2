"""Publishing a cataloged song writes the files its event lists, reading no manifest; an
earlier event, which lists none, has the manifest read, and publishes the same files."""

from __future__ import annotations

import uuid

from services.sync.consumers.publish import make_handler
from services.sync.content_folder import ContentFolder
from shared.events import SongCataloged, SongPublished
from shared.song_store import SongStore
from shared.storage import InMemoryObjectStore

FILES = {"song.ini": b"[song]\nname = Listed\n", "notes.chart": b"[Song]\n{\n}\n"}


class ReadCountingStore(InMemoryObjectStore):
    """The in-memory store, noting the key of every whole object read."""

    def __init__(self) -> None:
        super().__init__()
        self.objects_read: list[str] = []

    def get_bytes(self, bucket: str, key: str) -> bytes:
        self.objects_read.append(key)
        return super().get_bytes(bucket, key)


async def test_a_cataloged_song_listing_its_files_is_published_without_its_manifest(tmp_path):
    store = ReadCountingStore()
    store.ensure_bucket("songs")
    songs = SongStore(store, "songs")
    publish = make_handler(songs, ContentFolder(tmp_path))
    published = {}
    for listing in (True, False):
        song_id = uuid.uuid4()
        key, manifest = songs.save_revision(song_id, 1, "0" * 32, FILES)
        event = SongCataloged(
            event_id=uuid.uuid4(), song_id=song_id, revision=1, manifest_key=key,
            content_path=f"songs/Band/Listed {listing}",
            **({"md5": manifest.md5, "files": manifest.files} if listing else {}))
        store.objects_read.clear()
        assert [type(e) for e in await publish(event)] == [SongPublished]
        assert (key in store.objects_read) is not listing
        folder = tmp_path / "songs" / "Band" / f"Listed {listing}"
        published[listing] = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert published[True] == published[False] == FILES
