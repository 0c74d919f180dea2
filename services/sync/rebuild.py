"""Rebuilding the content folder of a restored library: each song's current revision and each
published custom item, written where the catalog says they were, from the object store. What
is there already is left alone, so a rebuild may run again."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from services.sync.content_folder import ContentFolder
from services.sync.custom_folder import CustomFolder
from shared.manifest import blob_key
from shared.song_store import SongStore
from shared.storage import ObjectStore


@dataclass(frozen=True)
class Rebuilt:
    songs_written: int
    songs_present: int
    custom_written: int
    custom_present: int

    def __str__(self) -> str:
        return (f"{self.songs_written} song(s) and {self.custom_written} custom item(s) "
                f"written, {self.songs_present + self.custom_present} there already")


def rebuild_content_folder(store: ObjectStore, bucket: str, content_dir: Path,
                           song_places: Iterable[tuple[str, str]],
                           custom_places: Iterable[tuple[uuid.UUID, str, str]]) -> Rebuilt:
    """Write every song `(manifest key, folder)` and custom item `(id, sha256, path)` that
    the content folder lacks; how many were written and how many were there already."""
    songs = SongStore(store, bucket)
    content, custom = ContentFolder(content_dir), CustomFolder(content_dir)
    songs_written = songs_present = custom_written = custom_present = 0
    for manifest_key, folder in song_places:
        if content.publish(songs.manifest(manifest_key), folder, songs.download):
            songs_written += 1
        else:
            songs_present += 1
    for content_id, sha256, path in custom_places:
        def write(target: Path, digest: str = sha256) -> None:
            store.download(bucket, blob_key(digest), target)

        if custom.place(content_id, path, write):
            custom_written += 1
        else:
            custom_present += 1
    return Rebuilt(songs_written, songs_present, custom_written, custom_present)
