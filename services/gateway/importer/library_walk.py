"""What a Clone Hero Songs folder holds: song folders, archives and .sng files, nested any depth,
each with the content hashes (scan-chart folder md5) of the songs in it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from services.ingest.archives import ArchiveError, ExtractionLimits, detect_format, extract_archive
from services.ingest.song_folders import find_song_folders, is_junk
from shared.songs.errors import SongFormatError
from shared.songs.hashes import folder_md5
from shared.songs.sng import sng_to_folder

ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar")


@dataclass(frozen=True)
class LibraryItem:
    """One thing to upload: a song folder, an archive or a .sng file."""

    path: Path
    kind: str  # "folder", "archive" or "sng"
    md5s: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def name(self) -> str:
        return self.path.name


def walk_library(root: Path) -> Iterator[LibraryItem]:
    """Every song folder, archive and .sng under `root`, in a stable order."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                   if p.is_file() and not is_junk(p.relative_to(root).as_posix()))
    archives = [f for f in files if f.lower().endswith(ARCHIVE_SUFFIXES)]
    for song in find_song_folders(f for f in files if f not in set(archives)):
        path = root / song.path
        yield _sng(path) if song.kind == "sng" else _folder(path, song.files)
    for archive in archives:
        yield _archive(root / archive)


def _folder(path: Path, names: tuple[str, ...]) -> LibraryItem:
    files = {name: (path / name).read_bytes() for name in names}
    return LibraryItem(path, "folder", (folder_md5(files),))


def _sng(path: Path) -> LibraryItem:
    try:
        return LibraryItem(path, "sng", (folder_md5(sng_to_folder(path.read_bytes())),))
    except SongFormatError as error:
        return LibraryItem(path, "sng", problem=f"This .sng file cannot be read: {error}")


def _archive(path: Path) -> LibraryItem:
    """Unpacked into a temporary folder to learn which songs it holds."""
    with path.open("rb") as stream:
        if detect_format(stream.read(16), path.name) not in {"zip", "7z", "rar"}:
            return LibraryItem(path, "archive", problem="This file is not a song archive.")
    with tempfile.TemporaryDirectory(prefix="chhub-import-") as scratch:
        try:
            written = extract_archive(path, Path(scratch) / "x", ExtractionLimits())
        except ArchiveError as error:
            return LibraryItem(path, "archive", problem=error.reason)
        md5s = []
        for song in find_song_folders(written):
            inner = Path(scratch) / "x" / song.path
            if song.kind == "sng":
                md5s.append(_sng(inner).md5s)
            else:
                md5s.append((folder_md5({n: (inner / n).read_bytes() for n in song.files}),))
        return LibraryItem(path, "archive", tuple(m for group in md5s for m in group))
