"""A song revision's manifest: which files it holds, each stored once by its sha256."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field


class ManifestFile(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str = Field(description="File name inside the song folder (may hold sub-folders).")
    sha256: str = Field(description="Hex sha256 of the bytes; the blob's key derives from it.")
    size: int = Field(ge=0, description="Bytes.")
    audio_ms: float | None = Field(
        default=None, exclude_if=lambda value: value is None, description=(
            "An audio stem's length in milliseconds, when its extraction could tell it from "
            "the file's first and last bytes; parsing then reads none of the stem."))


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    song_id: uuid.UUID
    revision: int = Field(ge=1)
    md5: str = Field(description="Folder hash (scan-chart md5) of the top-level files.")
    files: tuple[ManifestFile, ...]
    made_by: uuid.UUID | None = Field(
        default=None, description="The edit request that made this revision (edits only).")

    def file(self, name: str) -> ManifestFile | None:
        lowered = name.lower()
        return next((f for f in self.files if f.name.lower() == lowered), None)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


def blob_key(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256}"


def manifest_key(song_id: uuid.UUID, revision: int) -> str:
    return f"{manifests_prefix(song_id)}{revision:06d}.json"


def manifests_prefix(song_id: uuid.UUID) -> str:
    """Where every revision's manifest of the song is kept."""
    return f"manifests/{song_id}/"


def revision_of(key: str) -> int | None:
    """The revision a manifest key names, or None for a key that names none."""
    stem = key.rsplit("/", 1)[-1].removesuffix(".json")
    return int(stem) if stem.isdigit() else None
