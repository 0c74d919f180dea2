"""Which of a song's files the browser gets as its art and its audio, and what type each is:
an image's type from its bytes (never its name), the audio stem to play first."""

from __future__ import annotations

from shared.manifest import Manifest, ManifestFile

AUDIO_NAMES = ("preview", "song", "guitar", "rhythm", "bass", "drums", "vocals", "keys", "crowd")
AUDIO_TYPES = {".ogg": "audio/ogg", ".opus": "audio/ogg", ".mp3": "audio/mpeg",
               ".wav": "audio/wav"}


def sniff_image(data: bytes) -> str:
    """The image type from the bytes themselves, never from the file name."""
    head = data[:512]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in head.lower():
        return "image/svg+xml"
    return "application/octet-stream"


def playable_audio(manifest: Manifest) -> ManifestFile | None:
    """The top-level stem a browser plays: the preview if there is one, else the first of
    AUDIO_NAMES; None without audio of a type a browser plays."""
    by_stem = {}
    for entry in manifest.files:
        stem, _, ext = entry.name.lower().rpartition(".")
        if "/" not in entry.name and f".{ext}" in AUDIO_TYPES:
            by_stem.setdefault(stem, entry)
    return next((by_stem[n] for n in AUDIO_NAMES if n in by_stem), None)


def audio_type(entry: ManifestFile) -> str:
    return AUDIO_TYPES[entry.name[entry.name.rfind("."):].lower()]
