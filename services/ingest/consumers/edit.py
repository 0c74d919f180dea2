"""Edit consumer: `song.edit_requested` → a new revision (song.ini rewritten, lower difficulties
generated from Expert or taken out again; the other files shared with the old revision) →
`song.edited` and `song.extracted`, so the new revision is parsed, cataloged and published like
any other. A request that would change nothing (nothing Expert-only to generate from, nothing
generated to remove, a chart that cannot be read) ends here: no revision, no event.

Edits of one song take turns (`SongEditLock`), and each builds on the song's newest revision,
not on the one its request was made from: two edits sent before either is applied both land,
as two revisions. Each new manifest names the request that made it, so a redelivered request
finds its revision instead of making another."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import anyio
import structlog

from services.ingest.edit_lock import InProcessSongEditLock, SongEditLock
from shared.events import Event, SongEdited, SongEditRequested, SongExtracted
from shared.manifest import Manifest, manifest_key
from shared.song_store import SongStore
from shared.songs.errors import ChartParseError
from shared.songs.hashes import folder_md5
from shared.songs.ini_edit import apply_ini_changes
from shared.songs.reduction.song_files import (
    with_generated_difficulties,
    without_generated_difficulties,
)

log = structlog.get_logger(__name__)

DIFFICULTY_EDITS = {"generate": with_generated_difficulties,
                    "remove": without_generated_difficulties}


def make_handler(songs: SongStore, lock: SongEditLock | None = None):
    lock = lock or InProcessSongEditLock()

    def in_turn(event: SongEditRequested) -> tuple[str, Manifest] | None:
        with lock.editing(event.song_id):
            return _made_by(songs, event) or _write_revision(songs, event)

    async def edit(event: SongEditRequested) -> Sequence[Event]:
        saved = await anyio.to_thread.run_sync(in_turn, event)
        if saved is None:
            log.info("edit.nothing_to_change", song_id=str(event.song_id),
                     difficulties=event.difficulties)
            return ()
        key, manifest = saved
        revision = manifest.revision
        return (
            SongEdited.after(event, event.event_id, revision=revision, manifest_key=key,
                             changes=event.changes, difficulties=event.difficulties),
            SongExtracted.stored(event, key, manifest, event.event_id, revision=revision),
        )

    return edit


def _made_by(songs: SongStore, event: SongEditRequested) -> tuple[str, Manifest] | None:
    """The revision this very request made already (it is delivered again), if any."""
    for revision in reversed(songs.revisions(event.song_id)):
        if revision <= event.revision:
            return None
        key = manifest_key(event.song_id, revision)
        manifest = songs.manifest(key)
        if manifest.made_by == event.event_id:
            return key, manifest
    return None


def _write_revision(songs: SongStore, event: SongEditRequested) -> tuple[str, Manifest] | None:
    """The next revision after the song's newest, saved with the request's changes; None when
    the request changes nothing."""
    newest = max([event.revision, *songs.revisions(event.song_id)])
    base = event.manifest_key if newest == event.revision else manifest_key(event.song_id,
                                                                             newest)
    files = dict(songs.files(songs.manifest(base)))
    if event.difficulties is not None:
        changed = _difficulties_changed(files, event.difficulties)
        if changed is None and not event.changes:
            return None
        files = changed or files
    if event.changes:
        ini = next((name for name in files if name.lower() == "song.ini"), "song.ini")
        files[ini] = apply_ini_changes(files.get(ini), event.changes)
    return songs.save_revision(event.song_id, newest + 1, folder_md5(files), files,
                               made_by=event.event_id)


def _difficulties_changed(files: Mapping[str, bytes], action: str) -> dict[str, bytes] | None:
    try:
        return DIFFICULTY_EDITS[action](files)
    except ChartParseError as error:
        log.info("edit.chart_unreadable", reason=str(error))
        return None
