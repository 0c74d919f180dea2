"""An upload's staging area: its original unpacked into `<staging>/<upload id>/tree`.

The staging folder is this host's cache of unpacked archives, never a hand-over between
consumers: any consumer that finds an upload's area missing (the upload was unpacked on another
host) unpacks the original from S3 itself. Each archive is read at most once per host: the
processes sharing a staging folder unpack an upload one at a time, under a lock, and a finished
area is marked, so the others (and a redelivered message) reuse it. Nothing is written outside
the upload's own area. Each song's files leave the tree once the song is stored; the area goes
when the upload ends (staging_sweep.py frees those of uploads that ended on another host).
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import structlog

from shared.events import UploadOrigin
from shared.messaging import PermanentError
from shared.songs.archives import ArchiveError, ExtractionLimits, detect_format, extract_archive
from shared.songs.song_folders import SongFolder, find_song_folders
from shared.storage import ObjectStore

log = structlog.get_logger(__name__)

NOT_AN_ARCHIVE = ("This file is not a song archive: only .zip, .7z, .rar and .sng files "
                  "(or a folder of song files) can be uploaded.")


@dataclass(frozen=True)
class StagingArea:
    root: Path
    upload_id: uuid.UUID

    @property
    def area(self) -> Path:
        return self.root / str(self.upload_id)

    @property
    def tree(self) -> Path:
        return self.area / "tree"

    @property
    def _done(self) -> Path:
        return self.area / "unpacked"

    def is_unpacked(self) -> bool:
        return self._done.exists()

    def mark_unpacked(self, folders: list[SongFolder]) -> None:
        """Mark the area unpacked, with the song folders found in it: songs leave the tree as
        they are stored, so a later delivery of the upload takes its songs from the mark."""
        marking = self.area / f"unpacked-{uuid.uuid4().hex}"
        marking.write_text(json.dumps([dataclasses.asdict(folder) for folder in folders]))
        marking.rename(self._done)

    def unpacked_folders(self) -> list[SongFolder]:
        """The song folders found when the area was unpacked (an area marked without them,
        by an earlier release, is looked at again)."""
        marked = self._done.read_text()
        if not marked:
            return find_song_folders(self.files())
        return [SongFolder(path=folder["path"], kind=folder["kind"],
                           files=tuple(folder["files"])) for folder in json.loads(marked)]

    def remove(self) -> None:
        shutil.rmtree(self.area, ignore_errors=True)

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.tree).as_posix() for p in self.tree.rglob("*")
                      if p.is_file() and not p.is_symlink())

    def holds_song(self, folder: str) -> bool:
        """Whether the tree still holds the song at `folder` (a .sng file, or a folder with
        files of its own): it does until the song is freed."""
        path = self.tree / folder
        return path.is_file() or (path.is_dir() and any(c.is_file() for c in path.iterdir()))

    def free_song(self, folder: str) -> None:
        """Remove the song's own files (a .sng file, or the top-level files of its folder),
        then its folder and the parents it leaves empty; a song nested inside stays."""
        path = self.tree / folder
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
        elif path.is_dir():
            for child in path.iterdir():
                if child.is_file() or child.is_symlink():
                    child.unlink(missing_ok=True)
        while path != self.tree and self.tree in path.parents:
            try:
                path.rmdir()
            except OSError:  # not empty (another song, or other files), or gone already
                break
            path = path.parent


def staged_uploads(staging_root: Path) -> set[uuid.UUID]:
    """The uploads this staging folder holds an area for."""
    found = set()
    for path in staging_root.iterdir() if staging_root.is_dir() else ():
        try:
            found.add(uuid.UUID(path.name))
        except ValueError:
            continue  # not an upload's area
    return found


def unpack(store: ObjectStore, staging: StagingArea, origin: UploadOrigin,
           limits: ExtractionLimits) -> list[SongFolder]:
    """Unpack the upload's original into its staging area, unless this host has already; the
    song folders found in it when it was unpacked, whichever songs have left it since."""
    if not staging.is_unpacked():
        with _alone_on_this_host(staging):
            if not staging.is_unpacked():  # not done meanwhile by the lock's last holder
                # A work folder of its own, renamed into place: a delivery cut short (killed)
                # never leaves a half-written tree behind.
                with unpacked_alone(store, staging, origin, limits) as tree:
                    with suppress(OSError):  # a tree is there already: it stays
                        os.rename(tree, staging.tree)
                    staging.mark_unpacked(find_song_folders(staging.files()))
    return staging.unpacked_folders()


@contextmanager
def _alone_on_this_host(staging: StagingArea) -> Iterator[None]:
    """Hold the area's lock: one unpacking at a time among every thread and process that
    shares this staging folder (a lock file; the kernel frees it when its holder dies)."""
    staging.area.mkdir(parents=True, exist_ok=True)
    with (staging.area / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def unpacked_alone(store: ObjectStore, staging: StagingArea, origin: UploadOrigin,
                   limits: ExtractionLimits) -> Iterator[Path]:
    """The original unpacked into a work folder of this call's own, removed afterwards."""
    work = staging.area / f"work-{uuid.uuid4().hex}"
    tree = work / "tree"
    tree.mkdir(parents=True)
    try:
        log.info("staging.original_read", upload_id=str(staging.upload_id), key=origin.key,
                 staging=str(staging.root))
        if origin.is_folder:
            _download_folder(store, origin, tree)
        else:
            _unpack_original(store, origin, work, tree, limits)
        yield tree
    except ArchiveError as error:
        raise PermanentError(error.reason) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _unpack_original(store: ObjectStore, origin: UploadOrigin, work: Path, tree: Path,
                     limits: ExtractionLimits) -> None:
    original = work / "original"
    if origin.is_chunked:
        _join_chunks(store, origin, original)
    else:
        store.download(origin.bucket, origin.key, original)
    with original.open("rb") as stream:
        kind = detect_format(stream.read(16), origin.filename)
    if kind == "sng":
        name = PurePosixPath(origin.filename).name or "song.sng"
        original.rename(tree / (name if name.lower().endswith(".sng") else f"{name}.sng"))
        return
    if kind not in {"zip", "7z", "rar"}:
        raise PermanentError(NOT_AN_ARCHIVE)
    extract_archive(original, tree, limits)


def _join_chunks(store: ObjectStore, origin: UploadOrigin, original: Path) -> None:
    """A resumable upload's chunks, named by their zero-padded offsets, joined in order."""
    part = original.with_suffix(".part")
    with original.open("wb") as joined:
        for chunk in sorted(store.list(origin.bucket, origin.key), key=lambda c: c.key):
            store.download(origin.bucket, chunk.key, part)
            with part.open("rb") as piece:
                shutil.copyfileobj(piece, joined, 1024 * 1024)
    part.unlink(missing_ok=True)


def _download_folder(store: ObjectStore, origin: UploadOrigin, tree: Path) -> None:
    prefix = origin.key.rstrip("/") + "/"
    for stored in store.list(origin.bucket, prefix):
        relative = PurePosixPath(stored.key[len(prefix):])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise PermanentError(f"The folder upload holds an unsafe file name: {relative}")
        target = tree.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        store.download(origin.bucket, stored.key, target)
