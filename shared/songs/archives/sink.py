"""Where extracted entries are written: every entry name made safe and every byte counted
against the limits as it streams, and everything written removed again on refusal."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from shared.songs.archives.rules import (
    CHUNK,
    RATIO_GRACE_BYTES,
    ArchiveTooLarge,
    ExtractionLimits,
    UnsafeEntry,
    outside,
    safe_name,
    size_text,
)


class EntryWriter:
    """One output file; every chunk is counted by the sink before it is written."""

    def __init__(self, sink: Sink, name: str, path: Path, packed_size: int | None):
        self.sink, self.name, self.packed_size = sink, name, packed_size
        self.written = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        self.out = open(os.open(path, flags, 0o644), "wb")  # noqa: SIM115 - closed by close()

    def write(self, chunk: bytes) -> int:
        self.written += len(chunk)
        self.sink.count(self, len(chunk))
        return self.out.write(chunk)

    def close(self) -> None:
        self.out.close()


class Sink:
    """Writes entries under `dest`, counting entries and bytes against the limits as they stream."""

    def __init__(self, dest: Path, limits: ExtractionLimits, archive_size: int):
        self.dest, self.limits, self.archive_size = dest, limits, max(archive_size, 1)
        self.reset()

    def reset(self) -> None:
        self.total = self.entries = 0
        self.files: list[str] = []
        self.seen: set[str] = set()
        self.dirs: list[Path] = []
        self.open_writers: list[EntryWriter] = []

    def admit(self, raw_name: str) -> str:
        """Count one entry (directories too) and return its safe name."""
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise ArchiveTooLarge(
                f"The archive has more than {self.limits.max_entries:,} entries."
            )
        return safe_name(raw_name)

    def check_declared(self, total: int) -> None:
        """Fail early on honest headers; lying ones are caught by `count` while streaming."""
        if total > self.limits.max_total_bytes:
            raise ArchiveTooLarge(
                f"The archive unpacks to {size_text(total)}, more than the "
                f"{size_text(self.limits.max_total_bytes)} allowed."
            )

    def open(self, name: str, packed_size: int | None = None) -> EntryWriter:
        if not name:
            raise UnsafeEntry("The archive holds a file without a name.")
        if name in self.seen:
            raise UnsafeEntry(f"The archive holds '{name}' more than once.")
        path = self._parent(name) / name.rsplit("/", 1)[-1]
        if not path.resolve().is_relative_to(self.dest):
            raise outside(name)
        try:
            writer = EntryWriter(self, name, path, packed_size)
        except (FileExistsError, IsADirectoryError) as e:
            raise UnsafeEntry(f"The archive holds '{name}' as both a file and a folder.") from e
        except OSError as e:
            if e.errno != errno.ENAMETOOLONG:
                raise
            raise UnsafeEntry(f"The archive holds a name too long to store ('{name}').") from e
        self.files.append(name)
        self.seen.add(name)
        self.open_writers.append(writer)
        return writer

    def write(self, name: str, chunks: Iterable[bytes], packed_size: int | None = None) -> None:
        writer = self.open(name, packed_size)
        try:
            for chunk in chunks:
                writer.write(chunk)
        finally:
            writer.close()

    def count(self, writer: EntryWriter, n: int) -> None:
        self.total += n
        limit = self.limits
        if self.total > limit.max_total_bytes:
            raise ArchiveTooLarge(
                f"The archive unpacks to more than the {size_text(limit.max_total_bytes)} allowed."
            )
        packed = writer.packed_size
        entry_ratio = 0.0 if packed is None else writer.written / max(packed, 1)
        if writer.written > RATIO_GRACE_BYTES and entry_ratio > limit.max_ratio:
            raise ArchiveTooLarge(
                f"The file '{writer.name}' unpacks to over {limit.max_ratio:g} times its "
                "packed size, which looks like a zip bomb."
            )
        if self.total > RATIO_GRACE_BYTES and self.total / self.archive_size > limit.max_ratio:
            raise ArchiveTooLarge(
                f"The archive unpacks to over {limit.max_ratio:g} times its own size, "
                "which looks like a zip bomb."
            )

    def discard(self) -> None:
        """Remove everything written so far, so a failed upload leaves nothing behind."""
        for writer in self.open_writers:
            writer.close()
        for name in reversed(self.files):
            (self.dest / name).unlink(missing_ok=True)
        for directory in reversed(self.dirs):
            with suppress(OSError):
                directory.rmdir()
        self.reset()

    def _parent(self, name: str) -> Path:
        """Create the entry's folders one at a time, refusing anything but plain folders."""
        current = self.dest
        for part in name.split("/")[:-1]:
            current = current / part
            if not os.path.lexists(current):
                current.mkdir()
                self.dirs.append(current)
            elif current.is_symlink() or not current.is_dir():
                raise UnsafeEntry(f"The archive holds '{name}' as both a file and a folder.")
        return current


def read_chunks(src: BinaryIO) -> Iterator[bytes]:
    while chunk := src.read(CHUNK):
        yield chunk

