"""An uploaded `.sng` the library already holds: its unpacked files and the library songs with
its chart hash in, the first of them with the same files (song.ini aside) out, or None.

Unpacking a `.sng` writes song.ini anew from its metadata, so a song exported as `.sng` and
uploaded again has another folder md5; this finds it by what the song plays instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from shared.manifest import Manifest
from shared.songs.identity import SongContent, song_content


def content_on_disk(paths: dict[str, Path]) -> SongContent:
    return song_content({name: path.read_bytes() for name, path in paths.items()})


def first_same_song(content: SongContent, candidates: Iterable[tuple[uuid.UUID, str]],
                    manifest_of: Callable[[str], Manifest],
                    song_id: uuid.UUID) -> uuid.UUID | None:
    """The first candidate (id, manifest key) other than `song_id` holding the same files."""
    for candidate, manifest_key in candidates:
        if candidate == song_id:
            continue
        manifest = manifest_of(manifest_key)
        if content.same_files((entry.name, entry.sha256) for entry in manifest.files):
            return candidate
    return None
