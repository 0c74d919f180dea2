"""Reading Clone Hero's `.sng` song container (SNGPKG version 1), and converting between a
`.sng` and a song folder. The layout is in `sng_layout`, the writer in `sng_write`; their
public names are offered here too, so that `.sng` callers need one import."""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from .ini import parse_ini
from .sng_layout import (
    FILE_META_MIN_SIZE,
    FILE_RANGE,
    HEADER_SIZE,
    I32,
    IDENTIFIER,
    MASK_SIZE,
    PAIR_MIN_SIZE,
    SONG_INI,
    U8,
    U32,
    U64,
    VERSION,
    SngFormatError,
    apply_xor_mask,
    file_name_problem,
    metadata_problem,
)
from .sng_write import write_sng

__all__ = [
    "HEADER_SIZE", "IDENTIFIER", "MASK_SIZE", "SONG_INI", "VERSION", "SngFormatError",
    "SngPackage", "apply_xor_mask", "file_name_problem", "folder_to_sng",
    "metadata_from_song_ini", "metadata_problem", "read_sng", "sng_to_folder",
    "song_ini_from_metadata", "write_sng",
]


@dataclass(frozen=True)
class SngPackage:
    """A read `.sng`: its metadata (what song.ini would say) and its files, unmasked."""

    version: int
    xor_mask: bytes
    metadata: dict[str, str]
    files: dict[str, bytes]


class _Cursor:
    """Reads little-endian fields from `view[offset:end]`, refusing to step past `end`."""

    def __init__(self, view: memoryview, offset: int, end: int):
        self.view, self.offset, self.end = view, offset, end

    def take(self, size: int, what: str) -> memoryview:
        remaining = self.end - self.offset
        if size > remaining:
            raise SngFormatError(f"{what} needs {size} bytes, only {remaining} remain", self.offset)
        self.offset += size
        return self.view[self.offset - size : self.offset]

    def number(self, layout: struct.Struct, what: str) -> int:
        return layout.unpack(self.take(layout.size, what))[0]

    def count(self, item_min_size: int, what: str) -> int:
        offset, count = self.offset, self.number(U64, what)
        if count * item_min_size > self.end - self.offset:
            raise SngFormatError(f"{what} {count} cannot fit in the section", offset)
        return count

    def section(self, what: str) -> _Cursor:
        size = self.number(U64, f"{what} length")
        start = self.offset
        self.take(size, what)
        return _Cursor(self.view, start, start + size)

    def expect_end(self, what: str) -> None:
        if self.offset != self.end:
            raise SngFormatError(f"{what} has {self.end - self.offset} unread bytes", self.offset)


@dataclass(frozen=True)
class _FileEntry:
    name: str
    start: int
    size: int
    index_offset: int


def read_sng(data: bytes | bytearray | memoryview) -> SngPackage:
    """Parse and validate a whole `.sng`; raises SngFormatError at the first problem."""
    view = memoryview(data).cast("B")
    cursor = _Cursor(view, 0, len(view))
    version, xor_mask = _read_header(cursor)
    metadata = _read_metadata(cursor.section("metadata section"))
    entries = _read_file_index(cursor.section("file index"))
    file_data = cursor.section("file data")
    cursor.expect_end("the .sng after its file data")
    _check_file_ranges(entries, file_data)
    files = {
        entry.name: apply_xor_mask(view[entry.start : entry.start + entry.size], xor_mask)
        for entry in entries
    }
    return SngPackage(version, xor_mask, metadata, files)


def _read_header(cursor: _Cursor) -> tuple[int, bytes]:
    identifier = bytes(cursor.take(len(IDENTIFIER), "identifier"))
    if identifier != IDENTIFIER:
        raise SngFormatError(f"identifier is {identifier!r}, not {IDENTIFIER!r}", 0)
    offset, version = cursor.offset, cursor.number(U32, "version")
    if version != VERSION:
        raise SngFormatError(f"version {version} is not supported (only {VERSION})", offset)
    return version, bytes(cursor.take(MASK_SIZE, "xor mask"))


def _read_text(cursor: _Cursor, what: str) -> str:
    offset, size = cursor.offset, cursor.number(I32, f"{what} length")
    if size < 0:
        raise SngFormatError(f"{what} length {size} is negative", offset)
    try:
        return str(cursor.take(size, what), "utf-8")
    except UnicodeDecodeError as error:
        raise SngFormatError(f"{what} is not UTF-8 ({error.reason})", offset) from None


def _read_metadata(cursor: _Cursor) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for _ in range(cursor.count(PAIR_MIN_SIZE, "metadata count")):
        offset = cursor.offset
        key, value = _read_text(cursor, "metadata key"), _read_text(cursor, "metadata value")
        problem = "repeats key " + repr(key) if key in metadata else metadata_problem(key, value)
        if problem:
            raise SngFormatError(f"metadata pair {problem}", offset)
        metadata[key] = value
    cursor.expect_end("metadata section")
    return metadata


def _read_file_index(cursor: _Cursor) -> list[_FileEntry]:
    entries: list[_FileEntry] = []
    seen: set[str] = set()
    for _ in range(cursor.count(FILE_META_MIN_SIZE, "file count")):
        offset = cursor.offset
        name_bytes = cursor.take(cursor.number(U8, "file name length"), "file name")
        try:
            name = str(name_bytes, "utf-8")
        except UnicodeDecodeError:
            raise SngFormatError("file name is not UTF-8", offset) from None
        problem = "is repeated" if name.casefold() in seen else file_name_problem(name)
        if problem:
            raise SngFormatError(f"file name {name!r} {problem}", offset)
        seen.add(name.casefold())
        size, start = FILE_RANGE.unpack(cursor.take(FILE_RANGE.size, f"range of {name!r}"))
        entries.append(_FileEntry(name, start, size, offset))
    cursor.expect_end("file index")
    return entries


def _check_file_ranges(entries: list[_FileEntry], file_data: _Cursor) -> None:
    used_until = file_data.offset
    for entry in sorted(entries, key=lambda entry: (entry.start, entry.size)):
        span = f"file {entry.name!r} at bytes {entry.start}..{entry.start + entry.size}"
        if entry.start < file_data.offset or entry.start + entry.size > file_data.end:
            where = f"{file_data.offset}..{file_data.end}"
            raise SngFormatError(f"{span} lies outside the file data {where}", entry.index_offset)
        if entry.start < used_until:
            raise SngFormatError(f"{span} overlaps another file", entry.index_offset)
        used_until = entry.start + entry.size


def song_ini_from_metadata(metadata: Mapping[str, str]) -> bytes:
    """A UTF-8 song.ini with one `[song]` section holding every metadata pair in order."""
    for key, value in metadata.items():
        if problem := metadata_problem(key, value):
            raise SngFormatError(f"metadata pair {problem}")
    lines = ["[song]", *(f"{key} = {value}" for key, value in metadata.items())]
    return ("\n".join(lines) + "\n").encode()


def metadata_from_song_ini(data: bytes) -> dict[str, str]:
    """The `[song]` section of a song.ini as metadata; pairs the format cannot hold are dropped."""
    section = parse_ini(data).song or {}
    return {key: value for key, value in section.items() if metadata_problem(key, value) is None}


def folder_to_sng(files: Mapping[str, bytes]) -> bytes:
    """Pack a song folder: song.ini (any case) becomes metadata, the rest become files."""
    ini_names = sorted(name for name in files if name.casefold() == SONG_INI)
    metadata = metadata_from_song_ini(files[ini_names[0]]) if ini_names else {}
    others = {name: data for name, data in files.items() if name not in ini_names}
    return write_sng(metadata, others)


def sng_to_folder(data: bytes | bytearray | memoryview) -> dict[str, bytes]:
    """Unpack a `.sng` into folder files, with a song.ini regenerated from its metadata."""
    package = read_sng(data)
    if any(name.casefold() == SONG_INI for name in package.files):
        raise SngFormatError("the .sng holds a song.ini file besides its metadata")
    return {SONG_INI: song_ini_from_metadata(package.metadata), **package.files}
