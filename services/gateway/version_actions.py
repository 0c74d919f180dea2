"""An admin's decisions about a song's versions: link it to another song's group, split it out
of a wrong one, or choose the version a rig receives. A link or a split writes the
`song_versions` rows at once and announces again the selection of every rig that thins
versions, so that sync recomputes what those rigs receive."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import anyio

from services.gateway.custom_intake import choose_selection
from services.gateway.deps import Gateway
from shared.persistence import song_versions
from shared.persistence.db import transaction
from shared.persistence.rig_selections import Selection, all_selections, narrowed, selection_of
from shared.persistence.version_reads import group_members

UnknownSong = song_versions.UnknownSong


async def split(gateway: Gateway, song_id: uuid.UUID) -> None:
    await anyio.to_thread.run_sync(_write, gateway, song_versions.split, song_id)
    await _reannounce_thinning_rigs(gateway)


async def link(gateway: Gateway, song_id: uuid.UUID, to_song_id: uuid.UUID) -> None:
    await anyio.to_thread.run_sync(_write, gateway, song_versions.link, song_id, to_song_id)
    await _reannounce_thinning_rigs(gateway)


async def choose_for_rig(gateway: Gateway, song_id: uuid.UUID, device_id: str) -> bool:
    """Give the rig `device_id` this version of the song ("this one") in place of any other
    version chosen for it; False if the library does not know the rig."""
    selection = await gateway.read(selection_of, device_id)
    if selection is None:
        return False
    versions = set(await gateway.read(group_members, song_id))
    chosen = [i for i in selection.chosen_versions if i not in versions]
    await _announce(gateway, selection, versions="chosen", chosen_versions=[*chosen, song_id])
    return True


def _write(gateway: Gateway, change: Callable[..., uuid.UUID], *args: uuid.UUID) -> None:
    with transaction(gateway.sessions) as session:
        change(session, *args)


async def _reannounce_thinning_rigs(gateway: Gateway) -> None:
    for selection in await gateway.read(narrowed):
        if selection.versions != "every":
            await _announce(gateway, selection)


async def _announce(gateway: Gateway, selection: Selection, **changes: object) -> None:
    names = await gateway.read(all_selections)
    values = {"mode": selection.mode, "search": selection.search,
              "song_ids": selection.song_ids, "versions": selection.versions,
              "chosen_versions": selection.chosen_versions, **changes}
    await choose_selection(gateway, selection.device_id,
                           name=names.get(selection.device_id, {}).get("name", ""), **values)
