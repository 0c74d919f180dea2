"""Rigs consumer: `rig.selection_changed` → the rig paired and its selection saved and carried
out; `song.published` / `song.deleted` / `setlist.changed` → every rig with a selection brought
up to date (a new song may match a saved search; a renamed or deleted one moves or leaves; a
rig may receive a setlist's songs), one refresh for a burst of them (see `rig_follower`)."""

from __future__ import annotations

from collections.abc import Sequence

from services.sync.rig_follower import RigFollower
from shared.events import Event, RigSelectionChanged, SetlistChanged, SongDeleted, SongPublished


def make_handler(follower: RigFollower):
    async def follow(event: RigSelectionChanged | SongPublished | SongDeleted | SetlistChanged
                     ) -> Sequence[Event]:
        if isinstance(event, RigSelectionChanged):
            await follower.change_selection(event)
        else:
            follower.song_changed(str(event.song_id) if isinstance(event, SongDeleted) else None)
        return ()

    return follow
