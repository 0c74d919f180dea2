"""A tiny writer of uncompressed RAR 4 archives, since no RAR packer can be installed here."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

MARKER = b"Rar!\x1a\x07\x00"
MAIN_HEAD, FILE_HEAD, END_HEAD = 0x73, 0x74, 0x7B
LONG_BLOCK = 0x8000  # the header is followed by PACK_SIZE bytes of data
UTF8_NAME = 0x0200  # with no NUL in the name, RAR 3+ readers take the name as UTF-8
HOST_UNIX = 3
STORED = 0x30
VERSION_20 = 20
DOS_TIME_2020 = (40 << 25) | (1 << 21) | (1 << 16)  # 2020-01-01 00:00:00
REGULAR_0644 = 0o100644


def _block(head_type: int, flags: int, body: bytes) -> bytes:
    """One header: its CRC is the low 16 bits of CRC32 over everything after the CRC field."""
    rest = struct.pack("<BHH", head_type, flags, 7 + len(body)) + body
    return struct.pack("<H", zlib.crc32(rest) & 0xFFFF) + rest


def file_block(name: str, data: bytes, *, declared_size: int | None = None) -> bytes:
    """A stored file entry; `declared_size` makes the header lie about the unpacked size."""
    if len(data) >= 2**32:
        raise ValueError("files over 4 GiB need the HIGH_SIZE fields, which this writer lacks")
    raw_name = name.replace("/", "\\").encode("utf-8")  # RAR 4 separates with "\\" on every host
    flags = LONG_BLOCK | (0 if name.isascii() else UTF8_NAME)
    unpacked = len(data) if declared_size is None else declared_size
    body = struct.pack(
        "<IIBIIBBHI",
        len(data), unpacked, HOST_UNIX, zlib.crc32(data), DOS_TIME_2020,
        VERSION_20, STORED, len(raw_name), REGULAR_0644,
    )
    return _block(FILE_HEAD, flags, body + raw_name) + data


def rar_bytes(
    files: Mapping[str, bytes], *, declared_sizes: Mapping[str, int] | None = None
) -> bytes:
    """A whole RAR 4 archive holding `files` ({"folder/name": bytes}) uncompressed."""
    lying = declared_sizes or {}
    entries = b"".join(
        file_block(name, data, declared_size=lying.get(name)) for name, data in files.items()
    )
    main = _block(MAIN_HEAD, 0, struct.pack("<HI", 0, 0))
    return MARKER + main + entries + _block(END_HEAD, 0x4000, b"")


def write_rar(path: Path, files: Mapping[str, bytes], **kwargs: Mapping[str, int]) -> Path:
    """Write `rar_bytes(files)` to `path` and return it."""
    path.write_bytes(rar_bytes(files, **kwargs))
    return path
