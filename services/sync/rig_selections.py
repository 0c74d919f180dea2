"""Which songs each rig receives: the `rig_selections` rows (written by the rigs consumer only)
and the song folders a selection stands for, read from the catalog."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from services.catalog.db import transaction
from services.catalog.library import search_library
from services.catalog.library_query import MAX_PER_PAGE, LibraryQuery
from services.catalog.tables import RigSelection, Song
from shared.events import RigSelectionChanged

SONGS_PREFIX = "songs/"


@dataclass(frozen=True)
class Selection:
    device_id: str
    mode: str
    search: dict[str, str]
    song_ids: tuple[uuid.UUID, ...]


def save(session: Session, event: RigSelectionChanged) -> Selection:
    values = {"name": event.name, "mode": event.mode, "search": dict(event.search),
              "song_ids": list(event.song_ids)}
    statement = insert(RigSelection).values(device_id=event.device_id, **values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[RigSelection.device_id], set_={**values, "updated_at": func.now()}))
    return Selection(event.device_id, event.mode, dict(event.search), tuple(event.song_ids))


def narrowed(session: Session) -> list[Selection]:
    """Every rig that receives less than all songs."""
    rows = session.scalars(select(RigSelection).where(RigSelection.mode != "all")).all()
    return [Selection(r.device_id, r.mode, dict(r.search), tuple(r.song_ids)) for r in rows]


def all_selections(session: Session) -> dict[str, dict]:
    """device id → its selection as the gateway's page shows it."""
    return {r.device_id: {"name": r.name, "mode": r.mode, "search": dict(r.search),
                          "song_ids": [str(i) for i in r.song_ids]}
            for r in session.scalars(select(RigSelection)).all()}


def wanted_folders(session: Session, selection: Selection) -> dict[str, str]:
    """song id → its folder relative to `songs/`, for every song the selection holds now."""
    if selection.mode == "songs":
        rows = session.execute(select(Song.id, Song.file_path)
                               .where(Song.id.in_(selection.song_ids))).all()
        found = {str(row.id): row.file_path for row in rows}
    elif selection.mode == "search":
        found = _searched(session, LibraryQuery.from_params(selection.search))
    else:
        found = {}
    return {song_id: path.removeprefix(SONGS_PREFIX) for song_id, path in found.items()
            if path.startswith(SONGS_PREFIX)}


class CatalogRigSelections:
    """The rig selections as the rigs consumer needs them, one session a call."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save(self, event: RigSelectionChanged) -> Selection:
        with transaction(self._sessions) as session:
            return save(session, event)

    def narrowed(self) -> list[Selection]:
        with self._sessions() as session:
            return narrowed(session)

    def wanted_folders(self, selection: Selection) -> dict[str, str]:
        with self._sessions() as session:
            return wanted_folders(session, selection)


def _searched(session: Session, query: LibraryQuery) -> dict[str, str]:
    found: dict[str, str] = {}
    page = 1
    while True:
        result = search_library(session, _page(query, page))
        found.update((item["id"], item["file_path"]) for item in result.items)
        if page * MAX_PER_PAGE >= result.total or not result.items:
            return found
        page += 1


def _page(query: LibraryQuery, page: int) -> LibraryQuery:
    params = {**query.to_params(), "page": str(page), "per_page": str(MAX_PER_PAGE)}
    return LibraryQuery.from_params(params)
