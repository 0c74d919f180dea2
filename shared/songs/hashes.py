"""Hashes computed exactly as scan-chart 8.0.1 computes them (folder md5, chart hash)."""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Callable, Iterable, Mapping

from blake3 import blake3 as _blake3


def _js_string_order(name: str) -> bytes:
    """Sort key matching JavaScript's `<` on strings (UTF-16 code units)."""
    return name.encode("utf-16-be", "surrogatepass")


def folder_md5(files: Mapping[str, bytes]) -> str:
    """scan-chart's folder `md5`: md5 over (UTF-8 name, bytes) of every file, sorted by name."""
    return folder_md5_streamed(files, lambda name: (files[name],))


def folder_md5_streamed(names: Iterable[str], pieces_of: Callable[[str], Iterable[bytes]]) -> str:
    """`folder_md5` of files handed over piece by piece (`pieces_of(name)`), so that no file
    need be held whole."""
    digest = hashlib.md5()
    for name in sorted(names, key=_js_string_order):
        digest.update(name.encode("utf-8", "surrogatepass"))
        for piece in pieces_of(name):
            digest.update(piece)
    return digest.hexdigest()


def folder_md5_and_sha256s(names: Iterable[str], pieces_of: Callable[[str], Iterable[bytes]]
                           ) -> tuple[str, dict[str, tuple[str, int]]]:
    """`folder_md5_streamed` and, in the same pass, each file's sha256 and size: every file's
    pieces are asked for once."""
    digest, files = hashlib.md5(), {}
    for name in sorted(names, key=_js_string_order):
        digest.update(name.encode("utf-8", "surrogatepass"))
        own, size = hashlib.sha256(), 0
        for piece in pieces_of(name):
            digest.update(piece)
            own.update(piece)
            size += len(piece)
        files[name] = (own.hexdigest(), size)
    return digest.hexdigest(), files


def blake3_base64url(*parts: bytes) -> str:
    """BLAKE3 (32 bytes) of the concatenated parts, base64url with padding."""
    digest = _blake3()
    for part in parts:
        digest.update(part)
    return base64url(digest.digest())


# The ini settings that change how a chart is read; scan-chart hashes those that differ from
# their defaults, in this order, as UTF-8 name + little-endian int32 value.
_HASHED_MODIFIERS = (
    ("hopo_frequency", 0), ("eighthnote_hopo", False), ("multiplier_note", 0),
    ("sustain_cutoff_threshold", -1), ("chord_snap_threshold", 0),
    ("five_lane_drums", False), ("pro_drums", False),
)


def chart_hash(chart_bytes: bytes, modifiers: Mapping[str, object]) -> str:
    """scan-chart's `chartHash`: BLAKE3 of the chart bytes plus the non-default ini modifiers."""
    extra = bytearray()
    for name, default in _HASHED_MODIFIERS:
        value = modifiers.get(name, default)
        if value != default:
            extra += name.encode() + struct.pack("<i", _int32(value))
    return blake3_base64url(chart_bytes, bytes(extra))


def _int32(value: object) -> int:
    """DataView.setInt32's conversion (ToInt32): wrap modulo 2**32."""
    number = int(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0
    number &= 0xFFFFFFFF
    return number - (1 << 32) if number >= 1 << 31 else number


def md5_hex(data: bytes) -> str:
    """Plain md5 hex digest (album art md5)."""
    return hashlib.md5(data).hexdigest()


def base64url(digest: bytes) -> str:
    """RFC 4648 base64url with padding, as scan-chart's `rfc4648` encoder writes it."""
    return base64.urlsafe_b64encode(digest).decode("ascii")
