"""Safe extraction of uploaded zip, 7z and rar archives into one directory (pure format code:
files in, files out, no logging and no services)."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from shared.songs.archives.formats import EXTRACTORS
from shared.songs.archives.rules import (
    ArchiveError,
    ArchiveTooLarge,
    CorruptArchive,
    EmptyArchive,
    EncryptedArchive,
    ExtractionLimits,
    NotAnArchive,
    UnsafeEntry,
    detect_format,
    safe_name,
)
from shared.songs.archives.sink import Sink

__all__ = ["ArchiveError", "ArchiveTooLarge", "CorruptArchive", "EmptyArchive",
           "EncryptedArchive", "ExtractionLimits", "NotAnArchive", "UnsafeEntry",
           "detect_format", "extract_archive", "safe_name"]


def extract_archive(
    archive: Path, dest: Path, limits: ExtractionLimits = ExtractionLimits()
) -> list[str]:
    """Unpack `archive` into `dest` and return the relative POSIX paths written, sorted.

    Duplicate entries are refused (UnsafeEntry) rather than letting the later one win,
    so that no entry can silently replace a file that was already checked. On any error
    everything written is removed again.
    """
    with archive.open("rb") as fp:
        fmt = detect_format(fp.read(16), archive.name)
    if fmt not in EXTRACTORS:
        raise NotAnArchive("The file is not a zip, 7z or rar archive.")
    created_dest = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    sink = Sink(dest.resolve(), limits, archive.stat().st_size)
    try:
        EXTRACTORS[fmt](archive, sink)
        if not sink.files:
            raise EmptyArchive("The archive has no files in it.")
    except BaseException:
        sink.discard()
        if created_dest:
            with suppress(OSError):
                dest.rmdir()
        raise
    return sorted(sink.files)

