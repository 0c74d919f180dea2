"""The one writer of the `song_versions` table: which version group each song belongs to. The
catalog consumer places each song it catalogs (`place`); an admin links a song to another's
group (`link`) or splits it out of a wrong one (`split`). The rules are shared.songs.versions.

Functions take an open session; the caller owns the transaction. Every writer takes one
advisory lock first, so two versions of one song cataloged at once see each other (each
statement after the lock reads what the other committed) and land in one group.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from shared.persistence.conflict_inserts import insert_new
from shared.persistence.songs import WITHOUT_SCAN
from shared.persistence.tables import Song, SongVersion
from shared.songs.versions import title_key

_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('chhub.song_versions'))")


class UnknownSong(LookupError):
    """The song is not in the library."""


def place(session: Session, song_id: uuid.UUID) -> uuid.UUID:
    """Put the cataloged song `song_id` in its version group, and return the group.

    A song an admin placed stays where it is. Otherwise it stays in its group while a song
    there still shares its key or chart; else it joins the group of the oldest song that does;
    else it has a group of its own (the one it has, if no other song is in it). Placing a
    song twice changes nothing.
    """
    session.execute(_LOCK)
    song = session.get(Song, song_id, options=WITHOUT_SCAN)
    if song is None:
        raise UnknownSong(song_id)
    key = title_key(song.artist, song.title)
    row = session.get(SongVersion, song_id, with_for_update=True)
    if row is not None and row.placed_by_admin:
        row.title_key = key
        return row.group_id
    current = row.group_id if row is not None else None
    if current is not None and _matches(session, song, key, in_group=current):
        group = current
    elif (oldest := _oldest_match(session, song, key)) is not None:
        group = oldest
    elif current is not None and not _others_in(session, current, song_id):
        group = current
    else:
        group = song_id if not _others_in(session, song_id, song_id) else uuid.uuid4()
    _put(session, song, group, key, placed_by_admin=False)
    return group


def link(session: Session, song_id: uuid.UUID, to_song_id: uuid.UUID) -> uuid.UUID:
    """Make `song_id` and the versions grouped with it versions of `to_song_id` (an admin's
    decision, which cataloging leaves alone); the group they now share."""
    session.execute(_LOCK)
    target = _group_of(session, to_song_id)
    moved = _group_of(session, song_id)
    session.execute(SongVersion.__table__.update()
                    .where(SongVersion.group_id == moved)
                    .values(group_id=target, updated_at=func.now()))
    session.execute(SongVersion.__table__.update()
                    .where(SongVersion.song_id.in_((song_id, to_song_id)))
                    .values(placed_by_admin=True))
    return target


def split(session: Session, song_id: uuid.UUID) -> uuid.UUID:
    """Take `song_id` out of its group into a group of its own (an admin's decision, which
    cataloging leaves alone); the new group."""
    session.execute(_LOCK)
    song = session.get(Song, song_id, options=WITHOUT_SCAN)
    if song is None:
        raise UnknownSong(song_id)
    group = song_id if not _others_in(session, song_id, song_id) else uuid.uuid4()
    _put(session, song, group, title_key(song.artist, song.title), placed_by_admin=True)
    return group


def _match_conditions(song: Song, key: str | None) -> list:
    """What makes another song a version of `song`: its key, or its chart when that chart has
    copies. Each reads an index: the keys', and the partial one of songs whose chart has
    copies."""
    conditions = []
    if key is not None:
        conditions.append(SongVersion.title_key == key)
    if song.chart_hash:
        conditions.append((Song.chart_hash == song.chart_hash) & Song.duplicate_chart)
    return conditions


def _matching(song: Song, condition) -> Select:
    return (select(SongVersion.group_id).join(Song, Song.id == SongVersion.song_id)
            .where(SongVersion.song_id != song.id).where(condition))


def _matches(session: Session, song: Song, key: str | None, *, in_group: uuid.UUID) -> bool:
    """Another song of group `in_group` is a version of `song`."""
    return any(session.execute(_matching(song, condition)
                               .where(SongVersion.group_id == in_group).limit(1)).first()
               for condition in _match_conditions(song, key))


def _oldest_match(session: Session, song: Song, key: str | None) -> uuid.UUID | None:
    """The group of the oldest other song that is a version of `song`: the first entry or two
    of an index in the order songs came, however many versions the library holds (the
    versions' index by title key, and the partial one of songs whose chart has copies)."""
    firsts = []
    if key is not None:
        firsts.append(select(SongVersion.group_id, SongVersion.song_added_at.label("added"),
                             SongVersion.song_id.label("id"))
                      .where(SongVersion.title_key == key, SongVersion.song_id != song.id)
                      .order_by(SongVersion.song_added_at, SongVersion.song_id))
    if song.chart_hash:
        firsts.append(select(SongVersion.group_id, Song.created_at.label("added"), Song.id)
                      .join(SongVersion, SongVersion.song_id == Song.id)
                      .where(Song.chart_hash == song.chart_hash, Song.duplicate_chart,
                             Song.id != song.id)
                      .order_by(Song.created_at, Song.id))
    oldest = [row for first in firsts
              if (row := session.execute(first.limit(1)).first()) is not None]
    return min(oldest, key=lambda row: (row.added, row.id)).group_id if oldest else None


def _others_in(session: Session, group: uuid.UUID, song_id: uuid.UUID) -> bool:
    return session.execute(select(SongVersion.song_id).where(SongVersion.group_id == group)
                           .where(SongVersion.song_id != song_id).limit(1)).first() is not None


def _group_of(session: Session, song_id: uuid.UUID) -> uuid.UUID:
    group = session.execute(select(SongVersion.group_id)
                            .where(SongVersion.song_id == song_id)).scalar()
    return group if group is not None else place(session, song_id)


_PUT = insert_new(SongVersion.__table__,
                  ("song_id", "group_id", "title_key", "placed_by_admin", "song_added_at"),
                  conflict=("song_id",), update=("group_id", "title_key", "placed_by_admin"),
                  also_set={"updated_at": "now()"})


def _put(session: Session, song: Song, group: uuid.UUID, key: str | None, *,
         placed_by_admin: bool) -> None:
    session.execute(_PUT, {"song_id": song.id, "group_id": group, "title_key": key,
                           "placed_by_admin": placed_by_admin,
                           "song_added_at": song.created_at})
