"""A song's versions as its page shows them: every song of its version group side by side
(charter, date, instruments and tiers, NPS, issues), and which of them each rig receives; and
for an upload, which of its songs are new versions of songs already in the library."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, aliased

from shared.persistence.library_items import SONG_COLUMNS, describe_songs
from shared.persistence.rig_selections import selection_of, wanted_folders
from shared.persistence.tables import RigSelection, Song, SongVersion


def group_of(session: Session, song_id: uuid.UUID) -> uuid.UUID:
    """The song's version group (a song not placed yet is a group of its own)."""
    group = session.execute(select(SongVersion.group_id)
                            .where(SongVersion.song_id == song_id)).scalar()
    return group if group is not None else song_id


VERSIONS_LISTED = 30
"""How many of a group's versions a song's page lists: the song and the newest others. A song
charted by hundreds of people keeps a page as quick as one charted by a few."""


def song_versions(session: Session, song_id: uuid.UUID) -> dict[str, Any]:
    """The song's group; how many versions it holds; the versions listed (the song and the
    newest others, oldest first); and each rig with the listed versions it gets."""
    group = group_of(session, song_id)
    others = Song.id.in_(select(SongVersion.song_id).where(SongVersion.group_id == group,
                                                           SongVersion.song_id != song_id))
    rows = sorted([*session.execute(select(*SONG_COLUMNS).where(Song.id == song_id)),
                   *session.execute(select(*SONG_COLUMNS).where(others)
                                    .order_by(Song.created_at.desc(), Song.id.desc())
                                    .limit(VERSIONS_LISTED - 1))],
                  key=lambda row: (row.created_at, row.id))
    ids = [row.id for row in rows]
    rigs = []
    for rig in session.scalars(select(RigSelection).order_by(func.lower(RigSelection.name),
                                                             RigSelection.device_id)):
        selection = selection_of(session, rig.device_id)
        gets = wanted_folders(session, selection, within=ids)
        rigs.append({"device_id": rig.device_id, "name": rig.name or rig.device_id[:7],
                     "versions": selection.versions,
                     "chosen": [str(i) for i in selection.chosen_versions if i in ids],
                     "gets": sorted(gets)})
    versions = describe_songs(session, rows)
    # Each item counts its group's versions, listed or not: the song's own says how many.
    total = next((item["versions"]["count"] for item in versions if item["id"] == str(song_id)),
                 len(versions))
    return {"group": str(group), "total": total, "versions": versions, "rigs": rigs}


def group_members(session: Session, song_id: uuid.UUID) -> list[uuid.UUID]:
    """Every song of `song_id`'s version group, itself included."""
    group = group_of(session, song_id)
    found = session.scalars(select(SongVersion.song_id).where(SongVersion.group_id == group))
    return list(dict.fromkeys([song_id, *found]))


NEW_VERSIONS_WITH_RIGS = 50
"""How many new versions of one upload are worked out rig by rig (each costs a selection)."""


def new_versions(session: Session, song_ids: list[uuid.UUID]) -> dict[str, dict[str, Any]]:
    """For each of `song_ids` that joined a group holding older songs: the oldest of them, how
    many there are, and whether each rig receives the new version (by its setting)."""
    mine, other = aliased(SongVersion), aliased(SongVersion)
    me, older = aliased(Song), aliased(Song)
    rows = session.execute(
        select(mine.song_id, older.id, older.title, older.artist,
               func.count().over(partition_by=mine.song_id).label("older_count"))
        .join(other, other.group_id == mine.group_id).join(me, me.id == mine.song_id)
        .join(older, older.id == other.song_id)
        .where(mine.song_id.in_(song_ids), other.song_id != mine.song_id,
               tuple_(older.created_at, older.id) < tuple_(me.created_at, me.id))
        .order_by(mine.song_id, older.created_at, older.id)).all()
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        found.setdefault(str(row.song_id), {
            "of": {"id": str(row.id), "name": row.title, "artist": row.artist},
            "older": row.older_count, "rigs": []})
    rigs = session.scalars(select(RigSelection).order_by(RigSelection.device_id)).all()
    for song_id in list(found)[:NEW_VERSIONS_WITH_RIGS]:
        members = group_members(session, uuid.UUID(song_id))
        for rig in rigs:
            selection = selection_of(session, rig.device_id)
            gets = song_id in wanted_folders(session, selection, within=members)
            found[song_id]["rigs"].append({"name": rig.name or rig.device_id[:7],
                                           "versions": rig.versions, "gets": gets})
    return found
