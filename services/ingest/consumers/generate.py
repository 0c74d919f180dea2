"""Generate consumer: `generate.requested` → a generated song folder, zipped into the uploads
bucket, and `upload.received` for it, so it enters the pipeline exactly like an upload (or
`upload.failed` when the audio cannot become a song)."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from shared.events import (
    Event,
    SongGenerationRequested,
    UploadOrigin,
    UploadReceived,
    failure_at,
)
from shared.messaging import PermanentError
from shared.storage import ObjectStore

NOT_INSTALLED = ("The generator extra is not installed on this server: install "
                 "clonehero-hub[generator] to generate songs from audio.")


def make_handler(store: ObjectStore, max_seconds: float):
    async def generate(event: SongGenerationRequested) -> Sequence[Event]:
        data = await anyio.to_thread.run_sync(store.get_bytes, event.bucket, event.key)
        archive, name = await anyio.to_thread.run_sync(_generate, data, event, max_seconds)
        key = f"generated/{event.upload_id}/{name}.zip"
        etag = await anyio.to_thread.run_sync(store.put_bytes, event.bucket, key, archive)
        origin = UploadOrigin(bucket=event.bucket, key=key, filename=f"{name}.zip")
        return (UploadReceived.after(event, origin=origin, size=len(archive), etag=etag,
                                     source="generator"),)

    return generate


def _generate(data: bytes, event: SongGenerationRequested, max_seconds: float):
    """The zipped song folder and its name; the whole song or nothing, so nothing half-made
    reaches the library."""
    try:
        import librosa  # noqa: F401  (the extra's heaviest part: fail here, not mid-way)
        import mutagen  # noqa: F401

        from services.ingest.generator.errors import GenerationError
        from services.ingest.generator.folder import folder_name, generate_folder, zipped
    except ImportError as error:
        raise PermanentError(NOT_INSTALLED) from error
    requested = {"name": event.name, "artist": event.artist, "album": event.album,
                 "genre": event.genre, "year": event.year}
    try:
        files = generate_folder(data, event.filename, requested, max_seconds)
    except GenerationError as error:
        raise PermanentError(error.reason) from error
    name = folder_name(files)
    return zipped(files, name), name


failed = failure_at("generate")
