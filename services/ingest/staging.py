"""An upload's staging area: its original unpacked into `<staging>/<upload id>/tree`.

Nothing is written outside the upload's own area. Unpacking is idempotent: a finished area is
marked, so a redelivered message (or the extract stage on another crash) reuses it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from services.ingest.archives import ArchiveError, ExtractionLimits, detect_format, extract_archive
from services.ingest.song_folders import SongFolder, find_song_folders
from shared.events import UploadOrigin
from shared.messaging import PermanentError
from shared.storage import ObjectStore

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

    def remove(self) -> None:
        shutil.rmtree(self.area, ignore_errors=True)

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.tree).as_posix() for p in self.tree.rglob("*")
                      if p.is_file() and not p.is_symlink())


def unpack(store: ObjectStore, staging: StagingArea, origin: UploadOrigin,
           limits: ExtractionLimits) -> list[SongFolder]:
    """Unpack the upload's original into its staging area; the song folders found in it."""
    if not staging.is_unpacked():
        # Each delivery unpacks into a work folder of its own, then renames it into place: two
        # deliveries of the same upload (at-least-once) never write into each other's files.
        work = staging.area / f"work-{uuid.uuid4().hex}"
        tree = work / "tree"
        tree.mkdir(parents=True)
        try:
            if origin.is_folder:
                _download_folder(store, origin, tree)
            else:
                _unpack_original(store, origin, work, tree, limits)
            with suppress(OSError):  # another delivery finished first: its tree stays
                os.rename(tree, staging.tree)
            staging._done.touch()
        except ArchiveError as error:
            raise PermanentError(error.reason) from error
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return find_song_folders(staging.files())


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
