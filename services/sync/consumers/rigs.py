"""Rigs consumer: `rig.selection_changed` → the rig paired and its selection saved and carried
out; `song.published` / `song.deleted` → every rig with a selection brought up to date (a new
song may match a saved search; a renamed or deleted one moves or leaves)."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from sqlalchemy.orm import Session, sessionmaker

from services.catalog.db import transaction
from services.sync import rig_selections
from services.sync.rig_selections import Selection
from services.sync.rig_sharing import RigSharing
from shared.events import Event, RigSelectionChanged, SongDeleted, SongPublished


def make_handler(sessions: sessionmaker[Session], rigs: RigSharing):
    async def follow(event: RigSelectionChanged | SongPublished | SongDeleted) -> Sequence[Event]:
        if isinstance(event, RigSelectionChanged):
            await anyio.to_thread.run_sync(_change, sessions, rigs, event)
        else:
            gone = str(event.song_id) if isinstance(event, SongDeleted) else None
            await anyio.to_thread.run_sync(_refresh_all, sessions, rigs, gone)
        return ()

    return follow


def _change(sessions: sessionmaker[Session], rigs: RigSharing,
            event: RigSelectionChanged) -> None:
    with transaction(sessions) as session:
        selection = rig_selections.save(session, event)
    rigs.pair(event.device_id, event.name, event.addresses)
    if selection.mode == "all":
        rigs.take_everything(event.device_id)
    else:
        _refresh(sessions, rigs, selection, None)


def _refresh_all(sessions: sessionmaker[Session], rigs: RigSharing, gone: str | None) -> None:
    with sessions() as session:
        selections = rig_selections.narrowed(session)
    for selection in selections:
        _refresh(sessions, rigs, selection, gone)


def _refresh(sessions: sessionmaker[Session], rigs: RigSharing, selection: Selection,
             gone: str | None) -> None:
    with sessions() as session:
        wanted = rig_selections.wanted_folders(session, selection)
    wanted.pop(gone, None)  # the catalog may not have removed it yet
    rigs.take_selection(selection.device_id, wanted)
