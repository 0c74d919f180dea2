"""The rigs consumer carries a selection out at once, folds a burst of song changes into one
refresh of every narrowed rig, and never runs a refresh and a selection change together."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from services.sync.consumers.rigs import make_handler
from services.sync.rig_follower import RigFollower, Staleness
from services.sync.rig_mirror import RigMirror
from services.sync.rig_selections import Selection
from services.sync.rig_sharing import RigSharing
from shared.events import RigSelectionChanged, SongDeleted, SongPublished
from shared.syncthing import SONGS_FOLDER, FolderSpec, InMemorySyncthing

RIG = "ABCDEFG-HIJKLMN-OPQRSTU-VWXYZ23-4567ABC-DEFGHIJ-KLMNOPQ-RSTUVWX"


class ListedCatalog:
    """The catalog as the follower reads it: a search selection holds every listed song.
    `recomputes` counts the full refreshes (each reads every narrowed selection)."""

    def __init__(self) -> None:
        self.selections: dict[str, Selection] = {}
        self.songs: dict[str, str] = {}
        self.recomputes = 0

    def save(self, event: RigSelectionChanged) -> Selection:
        selection = Selection(event.device_id, event.mode, dict(event.search),
                              tuple(event.song_ids), event.versions)
        self.selections[event.device_id] = selection
        return selection

    def narrowed(self) -> list[Selection]:
        self.recomputes += 1
        return [s for s in self.selections.values() if not s.everything]

    def wanted_folders(self, selection: Selection) -> dict[str, str]:
        if selection.mode in {"search", "all"}:
            return dict(self.songs)
        return {str(i): self.songs[str(i)] for i in selection.song_ids if str(i) in self.songs}


def chosen(mode: str = "search", song_ids: tuple[uuid.UUID, ...] = (),
           versions: str = "every") -> RigSelectionChanged:
    return RigSelectionChanged(event_id=uuid.uuid4(), device_id=RIG, name="den", mode=mode,
                               search={"q": "band"} if mode == "search" else {},
                               song_ids=song_ids, versions=versions)


def published(song_id: uuid.UUID, path: str) -> SongPublished:
    return SongPublished(event_id=SongPublished.id_for(song_id, 1), song_id=song_id,
                         content_path=path)


def publish_folder(content: Path, catalog: ListedCatalog, sub: str) -> uuid.UUID:
    song_id = uuid.uuid4()
    folder = content / "songs" / sub
    folder.mkdir(parents=True)
    (folder / "song.ini").write_text(f"[song]\nname = {sub}\n")
    catalog.songs[str(song_id)] = sub
    return song_id


def a_library(tmp_path: Path) -> InMemorySyncthing:
    syncthing = InMemorySyncthing()
    syncthing.ensure_folder(FolderSpec(SONGS_FOLDER, tmp_path / "songs"))
    return syncthing


@asynccontextmanager
async def running(follower: RigFollower) -> AsyncIterator[None]:
    task = asyncio.create_task(follower.run())
    await asyncio.sleep(0)  # the refresh at start is due from here on
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_a_burst_of_500_published_songs_makes_one_refresh_and_one_rescan(tmp_path):
    syncthing, catalog = a_library(tmp_path), ListedCatalog()
    follower = RigFollower(catalog, RigSharing(syncthing, tmp_path), quiet_seconds=1.0,
                           max_delay_seconds=60)
    follow = make_handler(follower)
    async with running(follower):
        await follow(chosen("search"))
        await until(lambda: follower.settled)
        catalog.recomputes, calls_before = 0, syncthing.calls
        for n in range(500):
            song_id = publish_folder(tmp_path, catalog, f"Band {n % 40}/Song {n}")
            await follow(published(song_id, f"songs/Band {n % 40}/Song {n}"))
            await asyncio.sleep(0)  # deliveries arrive one by one
        await until(lambda: follower.settled)
    assert catalog.recomputes == 1
    # its folder ensured and shared, the songs folder unshared, one scan
    assert syncthing.calls - calls_before <= 4
    assert len(RigMirror(tmp_path, RIG).linked()) == 500
    assert len(syncthing.scans) == 500  # every new song folder, in that one scan request


async def test_a_selection_is_carried_out_at_once_without_waiting_for_quiet(tmp_path):
    syncthing, catalog = a_library(tmp_path), ListedCatalog()
    song_id = publish_folder(tmp_path, catalog, "Band/Hit")
    follower = RigFollower(catalog, RigSharing(syncthing, tmp_path), quiet_seconds=60)
    await make_handler(follower)(chosen("songs", (song_id,)))
    assert RigMirror(tmp_path, RIG).linked() == {str(song_id): "Band/Hit"}
    assert RIG not in syncthing.shared_with(SONGS_FOLDER)


async def test_all_songs_but_only_the_newest_versions_is_a_selection_of_its_own(tmp_path):
    syncthing, catalog = a_library(tmp_path), ListedCatalog()
    song_id = publish_folder(tmp_path, catalog, "Band/Newest")
    follower = RigFollower(catalog, RigSharing(syncthing, tmp_path), quiet_seconds=60)
    await make_handler(follower)(chosen("all", versions="newest"))
    assert RigMirror(tmp_path, RIG).linked() == {str(song_id): "Band/Newest"}
    assert RIG not in syncthing.shared_with(SONGS_FOLDER)
    await make_handler(follower)(chosen("all"))
    assert RIG in syncthing.shared_with(SONGS_FOLDER)


async def test_a_deleted_song_leaves_the_rig_even_while_the_catalog_still_lists_it(tmp_path):
    syncthing, catalog = a_library(tmp_path), ListedCatalog()
    kept = publish_folder(tmp_path, catalog, "Band/Kept")
    gone = publish_folder(tmp_path, catalog, "Band/Gone")
    follower = RigFollower(catalog, RigSharing(syncthing, tmp_path), quiet_seconds=0.05)
    follow = make_handler(follower)
    async with running(follower):
        await follow(chosen("search"))
        await until(lambda: follower.settled)
        await follow(SongDeleted(event_id=uuid.uuid4(), song_id=gone,
                                 content_path="songs/Band/Gone"))
        await until(lambda: follower.settled)
    assert RigMirror(tmp_path, RIG).linked() == {str(kept): "Band/Kept"}


class BlockingCatalog(ListedCatalog):
    """A refresh that holds on in the middle until released."""

    def __init__(self) -> None:
        super().__init__()
        self.refreshing = threading.Event()
        self.release = threading.Event()

    def narrowed(self) -> list[Selection]:
        self.refreshing.set()
        assert self.release.wait(20)
        return super().narrowed()


async def test_a_selection_change_waits_for_a_running_refresh(tmp_path):
    catalog = BlockingCatalog()
    follower = RigFollower(catalog, RigSharing(a_library(tmp_path), tmp_path),
                           quiet_seconds=0.01)
    async with running(follower):
        await until(catalog.refreshing.is_set)
        change = asyncio.create_task(make_handler(follower)(chosen("search")))
        await asyncio.sleep(0.3)
        assert catalog.selections == {}  # not saved while the refresh runs
        catalog.release.set()
        await asyncio.wait_for(change, 20)
    assert RIG in catalog.selections


class FailingOnceCatalog(ListedCatalog):
    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def narrowed(self) -> list[Selection]:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database went away")
        return super().narrowed()


async def test_a_failed_refresh_is_tried_again(tmp_path):
    catalog = FailingOnceCatalog()
    catalog.save(chosen("search"))
    song_id = publish_folder(tmp_path, catalog, "Band/Hit")
    follower = RigFollower(catalog, RigSharing(a_library(tmp_path), tmp_path),
                           quiet_seconds=0.01, retry_seconds=0.05)
    async with running(follower):
        await until(lambda: follower.settled and catalog.recomputes == 1)
    assert RigMirror(tmp_path, RIG).linked() == {str(song_id): "Band/Hit"}


def test_a_refresh_is_due_after_a_pause_or_at_the_latest_deadline():
    stale = Staleness(first=100.0, latest=100.0)
    assert stale.due_in(100.0, quiet=1.0, max_delay=10.0) == 1.0
    stale.latest = 109.5  # changes kept coming
    assert stale.due_in(109.5, quiet=1.0, max_delay=10.0) == 0.5
    assert stale.due_in(120.0, quiet=1.0, max_delay=10.0) == 0.0
