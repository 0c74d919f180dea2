"""Every setlist of the library as a `.setlist` file in the content folder's Setlists folder:
read from the catalog, each song named by its raw chart's md5 (read from the song store once
per revision), written by `SetlistFolder`, and rescanned by Syncthing."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Collection

import anyio
import structlog
from sqlalchemy.orm import Session, sessionmaker

from services.sync.setlist_folder import SetlistFolder, file_names
from services.sync.sharing import ContentSharing
from shared.persistence import setlists
from shared.setlist_export import Md5Cache, setlist_file
from shared.song_store import SongStore

log = structlog.get_logger(__name__)
RETRY_SECONDS = 5.0


class SetlistFiles:
    def __init__(self, sessions: sessionmaker[Session], songs: SongStore, folder: SetlistFolder,
                 sharing: ContentSharing | None = None) -> None:
        self._sessions = sessions
        self._songs = songs
        self._folder = folder
        self._sharing = sharing
        self._md5s: Md5Cache = {}
        self._lock = threading.Lock()  # one rewrite at a time: the last one reads the newest

    def concerns(self, song_id: uuid.UUID) -> bool:
        """Whether a change to the song changes any setlist's file."""
        with self._sessions() as session:
            return setlists.holds_song(session, song_id)

    def rewrite(self, leaving_out: Collection[uuid.UUID] = ()) -> list[str]:
        """Write every setlist's file as the catalog holds it now, without the songs
        `leaving_out` (deleted, though the catalog may not have caught up yet); the paths that
        changed, which Syncthing is asked to rescan."""
        with self._lock:
            with self._sessions() as session:
                views = [setlists.setlist(session, s.id) for s in setlists.summaries(session)]
            views = [view for view in views if view is not None]
            names = file_names([(view.id, view.name) for view in views])
            wanted = {names[view.id]: setlist_file(
                self._songs, [s for s in view.songs if s.id not in leaving_out], self._md5s)
                for view in views}
            changed = self._folder.rewrite(wanted)
        if changed and self._sharing is not None:
            self._sharing.changed(changed)
        return changed


async def write_at_start(files: SetlistFiles, retry_seconds: float = RETRY_SECONDS) -> None:
    """The Setlists folder as the catalog holds it when the service starts (after a restore, or
    for setlists made while it was away), tried again until the database and store answer."""
    while True:
        try:
            await anyio.to_thread.run_sync(files.rewrite)
            return
        except Exception as error:  # anything at all: the next try may succeed
            log.warning("setlists.rewrite_failed", error=str(error))
            await anyio.sleep(retry_seconds)
