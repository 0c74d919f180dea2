"""The `.sng` container's layout (SNGPKG version 1), shared by its reader and its writer:
header constants, field layouts, the XOR mask, and the rules its names and metadata follow."""

from __future__ import annotations

import struct

from .errors import SongFormatError

IDENTIFIER = b"SNGPKG"
VERSION = 1
MASK_SIZE = 16
HEADER_SIZE = len(IDENTIFIER) + 4 + MASK_SIZE
SONG_INI = "song.ini"
U32 = struct.Struct("<I")
I32 = struct.Struct("<i")
U64 = struct.Struct("<Q")
U8 = struct.Struct("<B")
FILE_RANGE = struct.Struct("<QQ")  # contentsLen, contentsIndex
PAIR_MIN_SIZE = 2 * I32.size
FILE_META_MIN_SIZE = 1 + FILE_RANGE.size
_MASK_CHUNK = 1 << 20  # a multiple of 256, the period of the mask's key stream
_FORBIDDEN_NAME_CHARS = frozenset('<>:"/\\|?*\x7f' + "".join(map(chr, range(32))))
_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in range(10)]
)


class SngFormatError(SongFormatError):
    """Bytes that are not a valid `.sng`; `offset` is the byte where reading went wrong."""

    def __init__(self, reason: str, offset: int | None = None, file: str | None = None):
        self.offset = offset
        super().__init__(reason, file, None if offset is None else f"byte {offset}")


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
