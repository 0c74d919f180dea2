"""Where a song lives in the content folder, with names every rig's file system accepts.

A song is published to `songs/<artist>/<title>_<short id>/`. Names are Unicode NFC, free of
characters Windows, macOS or Linux refuse (`<>:"/\\|?*`, control characters), never end in a
dot or space, never a reserved device name (`CON`, `COM1`...), and short enough that the full
path stays under Windows' 260 characters inside a rig's `Clone Hero/Songs` folder. A song's own
files follow the same rules, keep their extension, and never hold `..` (the `.sng` format refuses
it).
"""

from __future__ import annotations

import re
import unicodedata
import uuid

SONGS_ROOT = "songs"
MAX_ARTIST_CHARS = 60
MAX_TITLE_CHARS = 60
SHORT_ID_CHARS = 8
MAX_FILE_CHARS = 80
MAX_FILE_BYTES = 255

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_DOT_RUNS = re.compile(r"\.{2,}")
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{name}{n}" for name in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}


def safe_name(text: str | None, *, fallback: str, max_chars: int) -> str:
    """`text` as a single path component that every file system accepts."""
    name = unicodedata.normalize("NFC", text or "")
    name = _FORBIDDEN.sub("_", name)
    name = _SPACES.sub(" ", name).strip()
    name = name[:max_chars].rstrip(" .")
    if not name.strip("_ ."):
        name = fallback
    if name.split(".")[0].strip().upper() in _RESERVED:
        name = f"_{name}"
    return name


def safe_file_name(name: str) -> str:
    """A song's file name as one path component every file system (and `.sng`) accepts."""
    name = _DOT_RUNS.sub(".", unicodedata.normalize("NFC", name))
    stem, dot, extension = name.rpartition(".")
    if not stem.strip(" ._") or len(extension) > 10:
        stem, dot, extension = name, "", ""
    extension = safe_name(extension, fallback="", max_chars=10)
    suffix = dot + extension if extension else ""
    room = MAX_FILE_CHARS - len(suffix)
    cleaned = safe_name(stem, fallback="file", max_chars=room) + suffix
    while len(cleaned.encode()) > MAX_FILE_BYTES:  # .sng counts names in UTF-8 bytes
        room -= 1
        cleaned = safe_name(stem, fallback="file", max_chars=room) + suffix
    return cleaned


def song_folder(artist: str | None, title: str | None, song_id: uuid.UUID,
                id_chars: int = SHORT_ID_CHARS) -> str:
    """The song's folder relative to the content root: `songs/<artist>/<title>_<short id>`."""
    artist_dir = safe_name(artist, fallback="Unknown Artist", max_chars=MAX_ARTIST_CHARS)
    title_dir = safe_name(title, fallback="Unknown Song", max_chars=MAX_TITLE_CHARS)
    return f"{SONGS_ROOT}/{artist_dir}/{title_dir}_{song_id.hex[:id_chars]}"


def with_artist_dir(path: str, artist_dir: str) -> str:
    """`path` with its artist folder spelled `artist_dir` (to reuse an existing folder's case)."""
    root, _, title_dir = path.split("/", 2)
    return f"{root}/{artist_dir}/{title_dir}"
