"""The one writer of the `setlists` and `setlist_songs` tables (called by the gateway's setlist
routes), and their reads: a setlist's name, owner, share token and songs in order.

Every write works in the caller's transaction and first raises the setlist's `version`, which
locks its row: concurrent changes to one setlist take turns, and each change has a version of
its own to be announced under. A write to a setlist that is not there returns None.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.orm import Session

from shared.persistence.tables import Setlist, SetlistSong, Song


class OrderMismatch(ValueError):
    """A new order that does not hold exactly the setlist's songs."""


@dataclass(frozen=True)
class SetlistSummary:
    id: uuid.UUID
    name: str
    owner: str
    song_count: int
    updated_at: datetime


@dataclass(frozen=True)
class SetlistSongRow:
    id: uuid.UUID
    title: str
    artist: str
    charter: str | None
    file_path: str
    manifest_key: str
    chart_file: str | None


@dataclass(frozen=True)
class SetlistView:
    id: uuid.UUID
    name: str
    owner: str
    share_token: str | None
    version: int
    songs: tuple[SetlistSongRow, ...]


def create(session: Session, setlist_id: uuid.UUID, *, name: str, owner: str,
           song_ids: Sequence[uuid.UUID] = ()) -> int:
    """A new setlist, holding those of `song_ids` the library has; its version."""
    session.execute(insert(Setlist).values(id=setlist_id, name=name, owner=owner, version=1))
    if song_ids:
        _append(session, setlist_id, song_ids)
        return _bump(session, setlist_id) or 1
    return 1


def rename(session: Session, setlist_id: uuid.UUID, name: str) -> int | None:
    version = _bump(session, setlist_id)
    if version is not None:
        session.execute(update(Setlist).where(Setlist.id == setlist_id).values(name=name))
    return version


def remove(session: Session, setlist_id: uuid.UUID) -> int | None:
    """Delete the setlist (its songs stay in the library); the version it had, else None."""
    return session.scalar(delete(Setlist).where(Setlist.id == setlist_id)
                          .returning(Setlist.version))


def add_songs(session: Session, setlist_id: uuid.UUID,
              song_ids: Sequence[uuid.UUID]) -> int | None:
    """Append the songs, in this order, that the library has and the setlist has not."""
    version = _bump(session, setlist_id)
    if version is not None:
        _append(session, setlist_id, song_ids)
    return version


def remove_song(session: Session, setlist_id: uuid.UUID, song_id: uuid.UUID) -> int | None:
    version = _bump(session, setlist_id)
    if version is not None:
        session.execute(delete(SetlistSong).where(SetlistSong.setlist_id == setlist_id,
                                                  SetlistSong.song_id == song_id))
    return version


def reorder(session: Session, setlist_id: uuid.UUID,
            song_ids: Sequence[uuid.UUID]) -> int | None:
    """Put the setlist's songs in this order; OrderMismatch unless it names each just once."""
    version = _bump(session, setlist_id)
    if version is None:
        return None
    held = set(session.scalars(select(SetlistSong.song_id)
                               .where(SetlistSong.setlist_id == setlist_id)))
    if len(song_ids) != len(held) or set(song_ids) != held:
        raise OrderMismatch("the new order must name each song of the setlist once")
    session.execute(delete(SetlistSong).where(SetlistSong.setlist_id == setlist_id))
    _insert(session, setlist_id, song_ids, start=0)
    return version


def set_share_token(session: Session, setlist_id: uuid.UUID, token: str | None) -> int | None:
    """Share the setlist under `token`, or stop sharing it (None)."""
    version = _bump(session, setlist_id)
    if version is not None:
        session.execute(update(Setlist).where(Setlist.id == setlist_id)
                        .values(share_token=token))
    return version


def _bump(session: Session, setlist_id: uuid.UUID) -> int | None:
    return session.scalar(update(Setlist).where(Setlist.id == setlist_id)
                          .values(version=Setlist.version + 1, updated_at=func.now())
                          .returning(Setlist.version))


def _append(session: Session, setlist_id: uuid.UUID, song_ids: Sequence[uuid.UUID]) -> None:
    wanted = list(dict.fromkeys(song_ids))
    known = set(session.scalars(select(Song.id).where(Song.id.in_(wanted))))
    held = set(session.scalars(select(SetlistSong.song_id)
                               .where(SetlistSong.setlist_id == setlist_id)))
    start = session.scalar(select(func.coalesce(func.max(SetlistSong.position) + 1, 0))
                           .where(SetlistSong.setlist_id == setlist_id))
    _insert(session, setlist_id, [i for i in wanted if i in known and i not in held], start)


def _insert(session: Session, setlist_id: uuid.UUID, song_ids: Sequence[uuid.UUID],
            start: int) -> None:
    if song_ids:
        rows = [{"setlist_id": setlist_id, "song_id": song_id, "position": start + offset}
                for offset, song_id in enumerate(song_ids)]
        session.execute(upsert(SetlistSong).values(rows).on_conflict_do_nothing())


def summaries(session: Session, owner: str | None = None) -> list[SetlistSummary]:
    """Every setlist (or `owner`'s), by name."""
    count = (select(func.count()).where(SetlistSong.setlist_id == Setlist.id)
             .correlate(Setlist).scalar_subquery())
    query = select(Setlist.id, Setlist.name, Setlist.owner, count, Setlist.updated_at)
    if owner is not None:
        query = query.where(Setlist.owner == owner)
    rows = session.execute(query.order_by(func.lower(Setlist.name), Setlist.id)).all()
    return [SetlistSummary(*row) for row in rows]


def setlist(session: Session, setlist_id: uuid.UUID) -> SetlistView | None:
    return _view(session, session.get(Setlist, setlist_id))


def shared_setlist(session: Session, token: str) -> SetlistView | None:
    return _view(session, session.scalar(select(Setlist).where(Setlist.share_token == token)))


def owner_for_change(session: Session, setlist_id: uuid.UUID) -> str | None:
    """The setlist's owner, its row locked until the transaction ends; None when it is gone."""
    return session.scalar(select(Setlist.owner).where(Setlist.id == setlist_id)
                          .with_for_update())


def holds_song(session: Session, song_id: uuid.UUID) -> bool:
    """Whether any setlist holds the song."""
    return session.scalar(select(select(SetlistSong.song_id)
                                 .where(SetlistSong.song_id == song_id).exists())) or False


def song_ids(session: Session, setlist_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.scalars(select(SetlistSong.song_id)
                                .where(SetlistSong.setlist_id == setlist_id)
                                .order_by(SetlistSong.position)))


def _view(session: Session, row: Setlist | None) -> SetlistView | None:
    if row is None:
        return None
    songs = session.execute(
        select(Song.id, Song.title, Song.artist, Song.charter, Song.file_path, Song.manifest_key,
               Song.chart_file)
        .join(SetlistSong, SetlistSong.song_id == Song.id)
        .where(SetlistSong.setlist_id == row.id).order_by(SetlistSong.position)).all()
    return SetlistView(row.id, row.name, row.owner, row.share_token, row.version,
                       tuple(SetlistSongRow(*song) for song in songs))
