"""The library's totals for the home page and `/api/library/totals`: songs, artists, charters,
hours of music and songs per instrument, read from the songs table as `LibraryTotals`."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from shared.persistence.library_items import LENGTH
from shared.persistence.read_model import ReadModel
from shared.persistence.tables import Song
from shared.songs.events import INSTRUMENTS


class LibraryTotals(ReadModel):
    """How big the library is."""

    songs: int
    artists: int = Field(description="Distinct artists, ignoring case")
    charters: int = Field(description="Distinct charters, ignoring case")
    hours: float = Field(description="Hours of music, to one decimal")
    instruments: dict[str, int] = Field(
        description="Songs with a chart for each instrument, in the game's instrument order")


def library_totals(session: Session) -> LibraryTotals:
    songs, artists, charters, length_ms = session.execute(select(
        func.count(), func.count(distinct(func.lower(Song.artist))),
        func.count(distinct(func.lower(Song.charter))), func.coalesce(func.sum(LENGTH), 0))).one()
    parts = select(func.unnest(Song.instruments).label("instrument")).subquery()
    per_instrument = dict(session.execute(
        select(parts.c.instrument, func.count()).group_by(parts.c.instrument)).all())
    ordered = sorted(per_instrument, key=lambda n: (INSTRUMENTS.index(n)
                                                    if n in INSTRUMENTS else 99, n))
    return LibraryTotals(songs=songs, artists=artists, charters=charters,
                         hours=round(length_ms / 3_600_000, 1),
                         instruments={name: per_instrument[name] for name in ordered})
