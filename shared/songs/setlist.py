"""Clone Hero's `.setlist` file: an ordered list of songs, each named by the md5 of its raw
chart file (`notes.chart` or `notes.mid`). Pure: `setlist_bytes` takes entries and returns
bytes, `read_setlist` takes bytes and returns entries.

The layout is not published by Clone Hero. It comes from a third-party reading of the files
Clone Hero v1.1 writes: larsjuhw's "Clone Hero Setlist Tool", which later setlist tools (for
example "Clone Hero Setlist Exporter" and "Clone Hero Career Mode Builder") follow too:

    EA EC 33 01                 header
    uint32, little-endian       number of songs
    then for each song, in play order:
    20                          0x20, the length of the md5 text that follows
    32 ASCII bytes              uppercase hex md5 of the song's raw chart file
    1 byte                      speed in percent (100 = 0x64)
    00
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass

HEADER = b"\xea\xec\x33\x01"
NORMAL_SPEED = 100
_MD5_LENGTH = 32
_ENTRY = struct.Struct(f"<B{_MD5_LENGTH}sBB")
_HEX_MD5 = re.compile(r"[0-9A-Fa-f]{32}")


class SetlistFormatError(ValueError):
    """Bytes that are not a `.setlist` file as Clone Hero writes it."""


@dataclass(frozen=True)
class SetlistEntry:
    """One song of a setlist: the md5 of its raw chart file, and the speed to play it at."""

    chart_md5: str
    speed: int = NORMAL_SPEED

    def __post_init__(self) -> None:
        if not _HEX_MD5.fullmatch(self.chart_md5):
            raise ValueError(f"not an md5 in hex: {self.chart_md5!r}")
        if not 1 <= self.speed <= 255:
            raise ValueError(f"speed {self.speed} is outside 1..255 percent")


def chart_md5(chart_bytes: bytes) -> str:
    """The md5 a `.setlist` names a song by: of the raw chart file, uppercase hex."""
    return hashlib.md5(chart_bytes).hexdigest().upper()


def setlist_bytes(entries: Iterable[SetlistEntry]) -> bytes:
    """The `.setlist` file of these songs, in this order."""
    listed = list(entries)
    body = b"".join(_ENTRY.pack(_MD5_LENGTH, entry.chart_md5.upper().encode("ascii"),
                                entry.speed, 0) for entry in listed)
    return HEADER + struct.pack("<I", len(listed)) + body


def read_setlist(data: bytes) -> tuple[SetlistEntry, ...]:
    """The songs of a `.setlist` file, in order; SetlistFormatError when it is not one."""
    if data[:4] != HEADER or len(data) < 8:
        raise SetlistFormatError("no .setlist header")
    (count,) = struct.unpack_from("<I", data, 4)
    if len(data) != 8 + count * _ENTRY.size:
        raise SetlistFormatError(f"{len(data)} bytes cannot hold {count} songs")
    entries = []
    for offset in range(8, len(data), _ENTRY.size):
        length, md5, speed, end = _ENTRY.unpack_from(data, offset)
        if length != _MD5_LENGTH or end != 0:
            raise SetlistFormatError(f"song {len(entries) + 1} is not a 32-character md5")
        try:
            entries.append(SetlistEntry(md5.decode("ascii"), speed))
        except (UnicodeDecodeError, ValueError) as error:
            raise SetlistFormatError(f"song {len(entries) + 1}: {error}") from None
    return tuple(entries)
