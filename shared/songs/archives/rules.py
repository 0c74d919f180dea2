"""The rules of safe extraction: what an archive is, the limits an upload may unpack to, the
errors that refuse one (each with a sentence for the player), and entry names made safe."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MIB = 1024**2
GIB = 1024**3
CHUNK = MIB
# Small files (a short .chart, an empty-ish .mid) can compress far beyond any sane ratio,
# so a ratio is only judged once that much has been written.
RATIO_GRACE_BYTES = MIB

_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip is only its end-of-directory record
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07\x00", "rar"),  # RAR 1.5-4.x
    (b"Rar!\x1a\x07\x01\x00", "rar"),  # RAR 5
    (b"SNGPKG", "sng"),
)
_DRIVE = re.compile(r"^[A-Za-z]:")


class ArchiveError(Exception):
    """An upload that can never be extracted; `reason` is a sentence for the player."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotAnArchive(ArchiveError):
    """The bytes are not a zip, 7z or rar archive, whatever the file is called."""


class CorruptArchive(ArchiveError):
    """The archive is damaged, truncated or uses a method we cannot read."""


class EncryptedArchive(ArchiveError):
    """The archive needs a password."""


class UnsafeEntry(ArchiveError):
    """An entry would land outside the destination, or is a link or a device."""


class ArchiveTooLarge(ArchiveError):
    """The archive unpacks to too many bytes or entries, or expands like a zip bomb."""


class EmptyArchive(ArchiveError):
    """The archive holds no files."""


@dataclass(frozen=True)
class ExtractionLimits:
    """What one upload may unpack to."""

    max_total_bytes: int = 20 * GIB
    max_entries: int = 50_000
    # Audio and images barely compress, charts and MIDI do ~10x; 200x is only a bomb.
    max_ratio: float = 200.0


def detect_format(head: bytes, filename: str) -> str:
    """"zip", "7z", "rar", "sng" or "unknown" from the first bytes; `filename` is never trusted."""
    return next((fmt for magic, fmt in _MAGIC if head.startswith(magic)), "unknown")


def safe_name(raw: str) -> str:
    """The entry name as an NFC, `/`-separated path inside the destination ("" for the root)."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/"))
    if "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        raise UnsafeEntry(f"The archive holds an entry with an absolute path ('{raw}').")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise outside(raw)
    return "/".join(parts)



def size_text(n: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def damaged(fmt: str, error: BaseException) -> CorruptArchive:
    detail = str(error).rstrip(".") or type(error).__name__
    return CorruptArchive(f"The archive is damaged or incomplete ({fmt}: {detail}).")


def password_needed() -> EncryptedArchive:
    return EncryptedArchive("The archive is password-protected; upload it without a password.")


def link_refused(name: str) -> UnsafeEntry:
    return UnsafeEntry(f"The archive holds a link or special file ('{name}'), which we refuse.")


def outside(name: str) -> UnsafeEntry:
    return UnsafeEntry(f"The archive holds an entry that points outside its folder ('{name}').")
