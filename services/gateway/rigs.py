"""What the library's Syncthing knows about the rigs, for the sync page and the home page:
each rig, whether it is connected, and how complete each folder shared with it is."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio

from shared.settings import SyncthingSettings

STATUS_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class RigStatus:
    device_id: str
    name: str
    addresses: tuple[str, ...]
    connected: bool
    completion: dict[str, float] = field(default_factory=dict)  # folder label → percent


@dataclass(frozen=True)
class RigOverview:
    configured: bool
    reachable: bool = False
    rigs: tuple[RigStatus, ...] = ()
    error: str = ""

    @property
    def connected(self) -> int:
        return sum(rig.connected for rig in self.rigs)


async def rig_overview(settings: SyncthingSettings, *, completion: bool = True) -> RigOverview:
    if settings.syncthing_url is None:
        return RigOverview(configured=False)
    return await anyio.to_thread.run_sync(_overview, settings, completion)


def _overview(settings: SyncthingSettings, completion: bool) -> RigOverview:
    # Loaded when a Syncthing is configured and first asked: its HTTP client (httpx) costs
    # a gateway without one 1.7 MB.
    from shared.syncthing import SyncthingError, SyncthingRest

    key = settings.syncthing_api_key.get_secret_value() if settings.syncthing_api_key else ""
    rest = SyncthingRest(settings.syncthing_url, key, STATUS_TIMEOUT_SECONDS)
    try:
        me = rest.my_id()
        folders = {f.id: f for f in rest.folders()}
        shared = {folder_id: rest.shared_with(folder_id) for folder_id in folders}
        rigs = tuple(
            RigStatus(d.device_id, d.name, d.addresses, d.connected,
                      {folders[f].label or f: rest.completion(f, d.device_id)
                       for f, devices in shared.items() if d.device_id in devices}
                      if completion else {})
            for d in rest.devices() if d.device_id != me)
    except SyncthingError as error:
        return RigOverview(configured=True, error=str(error))
    finally:
        rest.close()
    return RigOverview(configured=True, reachable=True, rigs=rigs)
