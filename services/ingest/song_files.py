"""A song's own files in the staging area, by the names they are published under: by path for
the pipeline (hashed and stored piece by piece, never held whole), or as bytes for `chhub
scan`. A `.sng` is unpacked into a folder outside the unpacked tree, where no later look for
song folders finds it."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from shared.messaging import PermanentError
from shared.song_store import FileReader, length_from_file_ends, read_pieces
from shared.songs.audio import AudioReadError
from shared.songs.errors import SongFormatError
from shared.songs.folder import AUDIO_EXTENSIONS, extension
from shared.songs.hashes import folder_md5_and_sha256s, folder_md5_streamed
from shared.songs.sng import sng_to_folder
from shared.songs.song_folders import (
    MISSING_CHART_REASON,
    MemberNamesClash,
    is_junk,
    published_names,
)

CHART_FILES = frozenset({"notes.chart", "notes.mid"})


def song_paths(path: Path, sng_folder: Path) -> dict[str, Path]:
    """The song's own files by name: a folder's top-level files, or a .sng's contents written
    once into `sng_folder`."""
    if path.is_file():
        path = _sng_unpacked(path, sng_folder)
    files = {child.name: child for child in sorted(path.iterdir())
             if child.is_file() and not child.is_symlink() and not is_junk(child.name)}
    return _published(files)


def read_song(path: Path) -> dict[str, bytes]:
    """The song's own files by name, as bytes: a folder's top-level files, or a .sng's."""
    if path.is_file():
        files = _sng_files(path)
    else:
        files = {child.name: child.read_bytes() for child in sorted(path.iterdir())
                 if child.is_file() and not child.is_symlink() and not is_junk(child.name)}
    return _published(files)


def stem_lengths(paths: dict[str, Path]) -> dict[str, float]:
    """Each audio file's length in milliseconds, from its first and last bytes on disk: the
    bytes parsing would read from the store (`SongStore.audio_length_ms`). A file those cannot
    tell, or that cannot be read, is left out, for parsing to look into."""
    lengths = {}
    for name, path in paths.items():
        if extension(name).lower() not in AUDIO_EXTENSIONS:
            continue
        try:
            length = _length_from_ends_on_disk(path)
        except (AudioReadError, OSError):
            continue
        if length is not None:
            lengths[name] = length
    return lengths


def _length_from_ends_on_disk(path: Path) -> float | None:
    with path.open("rb") as stem:
        descriptor = stem.fileno()
        return length_from_file_ends(lambda offset, length: os.pread(descriptor, length, offset),
                                     os.fstat(descriptor).st_size)


def folder_md5_of(paths: dict[str, Path], read_file: FileReader = read_pieces) -> str:
    """scan-chart's folder md5 of files on disk, read a piece at a time."""
    return folder_md5_streamed(paths, lambda name: read_file(paths[name]))


def song_digests(paths: dict[str, Path], read_file: FileReader = read_pieces
                 ) -> tuple[str, dict[str, tuple[str, int]]]:
    """scan-chart's folder md5 and each file's sha256 and size, from one read of each file
    a piece at a time."""
    return folder_md5_and_sha256s(paths, lambda name: read_file(paths[name]))


def _published(files: dict[str, Any]) -> dict[str, Any]:
    """The files by the names they are published under, every rig's file system accepts;
    a folder without a chart, or whose names clash on a rig, is refused with the reason."""
    if not CHART_FILES & {name.lower() for name in files}:
        raise PermanentError(MISSING_CHART_REASON)
    try:
        names = published_names(files)
    except MemberNamesClash as error:
        raise PermanentError(error.reason) from error
    return {names[name]: value for name, value in files.items()}


def _sng_files(path: Path) -> dict[str, bytes]:
    try:
        return sng_to_folder(path.read_bytes())
    except SongFormatError as error:
        raise PermanentError(f"This .sng file cannot be read: {error}") from error


def _sng_unpacked(path: Path, folder: Path) -> Path:
    """The .sng's files in `folder`, written through a work folder renamed into place, so a
    redelivery reuses it and two deliveries never write into each other's."""
    if folder.is_dir():
        return folder
    work = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    work.mkdir(parents=True)
    for name, data in _sng_files(path).items():
        (work / name).write_bytes(data)
    try:
        os.rename(work, folder)
    except OSError:  # another delivery finished first: its folder stays
        for child in work.iterdir():
            child.unlink()
        work.rmdir()
    return folder
