"""What a Clone Hero Songs folder holds: song folders, archives and .sng files, nested any depth,
each with the content hashes (scan-chart folder md5) of the songs in it and the bytes it sends.

Each file is listed once and read once; what is read here is what the importer sends."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.songs.archives import ArchiveError, ExtractionLimits, detect_format, extract_archive
from shared.songs.errors import SongFormatError
from shared.songs.hashes import folder_md5
from shared.songs.sng import sng_to_folder
from shared.songs.song_folders import find_song_folders, is_junk

ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar")


@dataclass(frozen=True)
class LibraryItem:
    """One thing to upload: a song folder (its own `files`), an archive or a .sng file."""

    path: Path
    kind: str  # "folder", "archive" or "sng"
    md5s: tuple[str, ...] = ()
    problem: str | None = None
    size: int = 0
    files: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def songs(self) -> int:
        """Songs it holds; one for an item that cannot be read (it counts as one failure)."""
        return max(1, len(self.md5s))


def walk_library(root: Path) -> Iterator[LibraryItem]:
    """Every song folder, archive and .sng under `root`, in a stable order."""
    files = sorted(relative for relative in _listed(root) if not is_junk(relative))
    archives = [f for f in files if f.lower().endswith(ARCHIVE_SUFFIXES)]
    for song in find_song_folders(f for f in files if not f.lower().endswith(ARCHIVE_SUFFIXES)):
        path = root / song.path
        yield _sng(path) if song.kind == "sng" else _folder(path, song.files)
    for archive in archives:
        yield _archive(root / archive)


def _listed(root: Path) -> Iterator[str]:
    """Every file under `root` as a relative posix path; one directory read per folder."""
    folders = [("", str(root))]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file():
                    yield prefix + entry.name


def _folder(path: Path, names: tuple[str, ...]) -> LibraryItem:
    files = {name: (path / name).read_bytes() for name in names}
    return LibraryItem(path, "folder", (folder_md5(files),),
                       size=sum(len(data) for data in files.values()), files=names)


def _sng(path: Path) -> LibraryItem:
    data = path.read_bytes()
    try:
        return LibraryItem(path, "sng", (folder_md5(sng_to_folder(data)),), size=len(data))
    except SongFormatError as error:
        return LibraryItem(path, "sng", problem=f"This .sng file cannot be read: {error}",
                           size=len(data))


def _archive(path: Path) -> LibraryItem:
    """Unpacked into a temporary folder to learn which songs it holds."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        if detect_format(stream.read(16), path.name) not in {"zip", "7z", "rar"}:
            return LibraryItem(path, "archive", problem="This file is not a song archive.",
                               size=size)
    with tempfile.TemporaryDirectory(prefix="chhub-import-") as scratch:
        try:
            written = extract_archive(path, Path(scratch) / "x", ExtractionLimits())
        except ArchiveError as error:
            return LibraryItem(path, "archive", problem=error.reason, size=size)
        md5s = []
        for song in find_song_folders(written):
            inner = Path(scratch) / "x" / song.path
            if song.kind == "sng":
                md5s.append(_sng(inner).md5s)
            else:
                md5s.append((folder_md5({n: (inner / n).read_bytes() for n in song.files}),))
        return LibraryItem(path, "archive", tuple(m for group in md5s for m in group), size=size)
