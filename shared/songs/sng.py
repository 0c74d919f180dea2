"""Reading and writing Clone Hero's `.sng` song container (SNGPKG version 1)."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import SongFormatError
from .ini import parse_ini

IDENTIFIER = b"SNGPKG"
VERSION = 1
MASK_SIZE = 16
HEADER_SIZE = len(IDENTIFIER) + 4 + MASK_SIZE
SONG_INI = "song.ini"
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")
_U8 = struct.Struct("<B")
_FILE_RANGE = struct.Struct("<QQ")  # contentsLen, contentsIndex
_PAIR_MIN_SIZE = 2 * _I32.size
_FILE_META_MIN_SIZE = 1 + _FILE_RANGE.size
_MASK_CHUNK = 1 << 20  # a multiple of 256, the period of the mask's key stream
_FORBIDDEN_NAME_CHARS = frozenset('<>:"/\\|?*\x7f' + "".join(map(chr, range(32))))
_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in range(10)]
)


@dataclass(frozen=True)
class SngPackage:
    """A read `.sng`: its metadata (what song.ini would say) and its files, unmasked."""

    version: int
    xor_mask: bytes
    metadata: dict[str, str]
    files: dict[str, bytes]


class SngFormatError(SongFormatError):
    """Bytes that are not a valid `.sng`; `offset` is the byte where reading went wrong."""

    def __init__(self, reason: str, offset: int | None = None, file: str | None = None):
        self.offset = offset
        super().__init__(reason, file, None if offset is None else f"byte {offset}")


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
        offset, count = self.offset, self.number(_U64, what)
        if count * item_min_size > self.end - self.offset:
            raise SngFormatError(f"{what} {count} cannot fit in the section", offset)
        return count

    def section(self, what: str) -> _Cursor:
        size = self.number(_U64, f"{what} length")
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


def apply_xor_mask(data: bytes | memoryview, mask: bytes) -> bytes:
    """Mask or unmask file contents: byte i is XOR-ed with `mask[i % 16] ^ (i % 256)`."""
    pattern = bytes(mask[i % MASK_SIZE] ^ i for i in range(256))
    return b"".join(
        _xor_with_pattern(data[start : start + _MASK_CHUNK], pattern)
        for start in range(0, len(data), _MASK_CHUNK)
    )


def _xor_with_pattern(piece: bytes | memoryview, pattern: bytes) -> bytes:
    # One big-integer XOR per chunk runs at C speed; a Python loop per byte would not.
    size = len(piece)
    key = (pattern * (size // len(pattern) + 1))[:size]
    mixed = int.from_bytes(piece, "little") ^ int.from_bytes(key, "little")
    return mixed.to_bytes(size, "little")


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def file_name_problem(name: str) -> str | None:
    """Why `name` is unsafe as an embedded file name (spec rules), or None when it is fine."""
    forbidden = _FORBIDDEN_NAME_CHARS.intersection(name)
    if not name:
        return "is empty"
    if not _encodes(name):
        return "is not valid Unicode"
    if len(name.encode()) > 255:
        return "is longer than 255 bytes"
    if forbidden:
        return f"contains the forbidden character {min(forbidden)!r}"
    if ".." in name:
        return "contains '..'"
    if name[-1] in ". ":
        return "ends with a period or a space"
    if name.split(".")[0].rstrip(" ").upper() in _RESERVED_NAMES:
        return "is a reserved Windows device name"
    return None


def metadata_problem(key: str, value: str) -> str | None:
    """Why a metadata pair could not round-trip through song.ini, or None when it can."""
    if not key:
        return "has an empty key"
    if not (_encodes(key) and _encodes(value)):
        return f"{key!r} is not valid Unicode"
    if any(char in key for char in "=;\r\n\0"):
        return f"key {key!r} contains '=', ';', a line break or NUL"
    if any(char in value for char in "\r\n\0"):
        return f"value of {key!r} contains a line break or NUL"
    return None


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
    offset, version = cursor.offset, cursor.number(_U32, "version")
    if version != VERSION:
        raise SngFormatError(f"version {version} is not supported (only {VERSION})", offset)
    return version, bytes(cursor.take(MASK_SIZE, "xor mask"))


def _read_text(cursor: _Cursor, what: str) -> str:
    offset, size = cursor.offset, cursor.number(_I32, f"{what} length")
    if size < 0:
        raise SngFormatError(f"{what} length {size} is negative", offset)
    try:
        return str(cursor.take(size, what), "utf-8")
    except UnicodeDecodeError as error:
        raise SngFormatError(f"{what} is not UTF-8 ({error.reason})", offset) from None


def _read_metadata(cursor: _Cursor) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for _ in range(cursor.count(_PAIR_MIN_SIZE, "metadata count")):
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
    for _ in range(cursor.count(_FILE_META_MIN_SIZE, "file count")):
        offset = cursor.offset
        name_bytes = cursor.take(cursor.number(_U8, "file name length"), "file name")
        try:
            name = str(name_bytes, "utf-8")
        except UnicodeDecodeError:
            raise SngFormatError("file name is not UTF-8", offset) from None
        problem = "is repeated" if name.casefold() in seen else file_name_problem(name)
        if problem:
            raise SngFormatError(f"file name {name!r} {problem}", offset)
        seen.add(name.casefold())
        size, start = _FILE_RANGE.unpack(cursor.take(_FILE_RANGE.size, f"range of {name!r}"))
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


def write_sng(
    metadata: Mapping[str, str], files: Mapping[str, bytes], *, xor_mask: bytes | None = None
) -> bytes:
    """Serialize a `.sng`: files in name order, masked; the default mask is a content hash."""
    names = sorted(files)
    _check_writable(metadata, names)
    metadata_section = _metadata_section(metadata)
    mask = _content_mask(metadata_section, names, files) if xor_mask is None else bytes(xor_mask)
    if len(mask) != MASK_SIZE:
        raise SngFormatError(f"xor mask must be {MASK_SIZE} bytes, not {len(mask)}")
    encoded_names = [name.encode() for name in names]
    index_size = _U64.size + sum(_FILE_META_MIN_SIZE + len(raw) for raw in encoded_names)
    section_lengths = 3 * _U64.size
    data_start = HEADER_SIZE + section_lengths + len(metadata_section) + index_size
    index, position = [_U64.pack(len(names))], data_start
    for name, raw in zip(names, encoded_names, strict=True):
        index.append(bytes([len(raw)]) + raw + _FILE_RANGE.pack(len(files[name]), position))
        position += len(files[name])
    file_index = b"".join(index)
    return b"".join([
        IDENTIFIER, _U32.pack(VERSION), mask,
        _U64.pack(len(metadata_section)), metadata_section,
        _U64.pack(len(file_index)), file_index,
        _U64.pack(position - data_start), *(apply_xor_mask(files[name], mask) for name in names),
    ])


def _check_writable(metadata: Mapping[str, str], names: list[str]) -> None:
    for key, value in metadata.items():
        if problem := metadata_problem(key, value):
            raise SngFormatError(f"metadata pair {problem}")
    seen: set[str] = set()
    for name in names:
        problem = "is repeated" if name.casefold() in seen else file_name_problem(name)
        if problem:
            raise SngFormatError(f"file name {name!r} {problem}")
        seen.add(name.casefold())


def _metadata_section(metadata: Mapping[str, str]) -> bytes:
    parts = [_U64.pack(len(metadata))]
    for key, value in metadata.items():
        for text in (key.encode(), value.encode()):
            parts += [_I32.pack(len(text)), text]
    return b"".join(parts)


def _content_mask(metadata_section: bytes, names: list[str], files: Mapping[str, bytes]) -> bytes:
    digest = hashlib.sha256(metadata_section)
    for name in names:
        digest.update(name.encode() + b"\0" + _U64.pack(len(files[name])))
        digest.update(files[name])
    return digest.digest()[:MASK_SIZE]


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
