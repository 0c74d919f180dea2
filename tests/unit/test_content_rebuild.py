"""Rebuilding a restored library's content folder from the object store."""

from __future__ import annotations

import json
import uuid

from services.sync.rebuild import rebuild_content_folder
from shared.manifest import blob_key
from shared.song_store import SongStore
from shared.storage import InMemoryObjectStore

BUCKET = "songs"


def test_songs_and_custom_items_land_where_the_catalog_says_and_a_second_run_writes_nothing(
        tmp_path):
    store = InMemoryObjectStore()
    song_id, item = uuid.uuid4(), uuid.uuid4()
    key, _ = SongStore(store, BUCKET).save_revision(song_id, 3, "0" * 32, {
        "song.ini": b"[song]\nname = Amazing\n", "notes.chart": b"chart"})
    store.put_bytes(BUCKET, blob_key("ab" * 32), b"colors")
    # A tagged name, as when another item held the plain one: kept as it was, not recomputed.
    place = "custom/Colors/mine-12345678.ini"
    content = tmp_path / "content"

    first = rebuild_content_folder(store, BUCKET, content, [(key, "songs/Band/Amazing")],
                                   [(item, "ab" * 32, place)])

    assert (first.songs_written, first.custom_written) == (1, 1)
    assert (content / "songs/Band/Amazing/notes.chart").read_bytes() == b"chart"
    assert (content / place).read_bytes() == b"colors"
    state = json.loads((content / ".chhub/published" / f"{song_id}.json").read_text())
    assert state == {"revision": 3, "path": "songs/Band/Amazing"}
    again = rebuild_content_folder(store, BUCKET, content, [(key, "songs/Band/Amazing")],
                                   [(item, "ab" * 32, place)])
    assert (again.songs_written, again.custom_written, again.songs_present,
            again.custom_present) == (0, 0, 1, 1)
