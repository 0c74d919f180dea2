"""Which songs each rig receives: the one writer of the `rig_selections` table (called by sync's
rigs consumer) and its reads, and the song folders a selection (all songs, a saved search,
hand-picked songs or a setlist) stands for, with each song's versions thinned as the rig's
setting says (shared.songs.versions)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.orm import Session

from shared.events import RigSelectionChanged
from shared.persistence.library import matching_song_paths
from shared.persistence.library_query import LibraryQuery
from shared.persistence.tables import RigSelection, SetlistSong, Song, SongVersion
from shared.songs.versions import Version, versions_for_rig

SONGS_PREFIX = "songs/"


@dataclass(frozen=True)
class Selection:
    device_id: str
    mode: str
    search: dict[str, str]
    song_ids: tuple[uuid.UUID, ...]
    versions: str = "every"
    chosen_versions: tuple[uuid.UUID, ...] = ()
    setlist_id: uuid.UUID | None = None

    @property
    def everything(self) -> bool:
        """The rig receives every song of the library, every version of each."""
        return self.mode == "all" and self.versions == "every"


def save(session: Session, event: RigSelectionChanged) -> Selection:
    values = {"name": event.name, "mode": event.mode, "search": dict(event.search),
              "song_ids": list(event.song_ids), "versions": event.versions,
              "chosen_versions": list(event.chosen_versions), "setlist_id": event.setlist_id}
    statement = insert(RigSelection).values(device_id=event.device_id, **values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[RigSelection.device_id], set_={**values, "updated_at": func.now()}))
    return Selection(event.device_id, event.mode, dict(event.search), tuple(event.song_ids),
                     event.versions, tuple(event.chosen_versions), event.setlist_id)


def narrowed(session: Session) -> list[Selection]:
    """Every rig that receives less than all songs, or not every version of them."""
    rows = session.scalars(select(RigSelection).where(
        (RigSelection.mode != "all") | (RigSelection.versions != "every"))).all()
    return [_selection(row) for row in rows]


def all_selections(session: Session) -> dict[str, dict]:
    """device id → its selection as the gateway's pages show it."""
    return {r.device_id: {"name": r.name, "mode": r.mode, "search": dict(r.search),
                          "song_ids": [str(i) for i in r.song_ids], "versions": r.versions,
                          "chosen_versions": [str(i) for i in r.chosen_versions],
                          "setlist_id": str(r.setlist_id) if r.setlist_id else None}
            for r in session.scalars(select(RigSelection)).all()}


def selection_of(session: Session, device_id: str) -> Selection | None:
    row = session.get(RigSelection, device_id)
    return _selection(row) if row is not None else None


def wanted_folders(session: Session, selection: Selection,
                   within: Collection[uuid.UUID] | None = None) -> dict[str, str]:
    """song id → its folder relative to `songs/`, for every song the selection holds now
    (only those of `within`, when given)."""
    if selection.mode == "songs":
        found = _paths(session, Song.id.in_(selection.song_ids), within)
    elif selection.mode == "setlist":
        found = _paths(session, Song.id.in_(select(SetlistSong.song_id).where(
            SetlistSong.setlist_id == selection.setlist_id)), within)
    elif selection.mode == "search":
        found = matching_song_paths(session, LibraryQuery.from_params(selection.search), within)
    else:
        found = _paths(session, None, within)
    if selection.versions != "every":
        kept = versions_for_rig(_versions(session, found), selection.versions,
                                {str(i) for i in selection.chosen_versions})
        found = {song_id: path for song_id, path in found.items() if song_id in kept}
    return {song_id: path.removeprefix(SONGS_PREFIX) for song_id, path in found.items()
            if path.startswith(SONGS_PREFIX)}


def _paths(session: Session, condition, within: Collection[uuid.UUID] | None) -> dict[str, str]:
    statement = select(Song.id, Song.file_path)
    if condition is not None:
        statement = statement.where(condition)
    if within is not None:
        statement = statement.where(Song.id.in_(list(within)))
    return {str(row.id): row.file_path for row in session.execute(statement)}


def _versions(session: Session, song_ids: Collection[str]) -> list[Version]:
    """The songs with their version groups (a song not placed yet is a group of its own); the
    ids go as one array, however many songs a selection holds."""
    rows = session.execute(
        select(Song.id, func.coalesce(SongVersion.group_id, Song.id).label("group_id"),
               Song.created_at)
        .outerjoin(SongVersion, SongVersion.song_id == Song.id)
        .where(Song.id == any_(bindparam("ids", [uuid.UUID(i) for i in song_ids],
                                         type_=ARRAY(UUID(as_uuid=True))))))
    return [Version(str(row.id), str(row.group_id), row.created_at) for row in rows]


def _selection(row: RigSelection) -> Selection:
    return Selection(row.device_id, row.mode, dict(row.search), tuple(row.song_ids),
                     row.versions, tuple(row.chosen_versions), row.setlist_id)
