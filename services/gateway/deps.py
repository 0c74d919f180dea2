"""The gateway's handle on the rest of the system: catalog reads, uploads in, events out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from faststream.rabbit import RabbitBroker
from litestar import Request
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from services.catalog import queries
from services.catalog.db import transaction
from services.catalog.tables import Upload
from services.gateway.intake import StoredFile, UploadRejected, store_body
from services.gateway.resumable import ResumableUpload
from services.gateway.settings import GatewayServiceSettings
from services.gateway.tokens import Principal, principal_for
from shared.events import (
    SongDeleted,
    SongEditRequested,
    SongGenerationRequested,
    UploadReceived,
    event_id,
)
from shared.messaging import EventBus
from shared.observability import count_bytes
from shared.storage import ObjectStore
from shared.telemetry import current_trace_id

T = TypeVar("T")


class Gateway:
    def __init__(self, settings: GatewayServiceSettings, sessions: sessionmaker[Session],
                 store: ObjectStore, broker: RabbitBroker) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.broker = broker
        self.bus = EventBus(broker)

    async def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def run() -> T:
            with self.sessions() as session:
                return query(session, *args, **kwargs)

        return await anyio.to_thread.run_sync(run)

    async def principal(self, token: str) -> Principal | None:
        return await self.read(principal_for, token)

    async def ping_broker(self) -> bool:
        return await self.broker.ping(timeout=3)

    async def receive_upload(self, upload_id: uuid.UUID, request: Request,
                             filename: str | None) -> None:
        """Record the upload, stream its bytes into the bucket, then announce it."""
        prefix = f"gateway/{upload_id}"
        stored = await self._receive(upload_id, request, filename, prefix)
        received = _announcement(upload_id, self.settings.uploads_bucket, prefix, stored)
        count_bytes("received", received.size)
        await anyio.to_thread.run_sync(self._update, upload_id, {
            "state": "received", "key": received.key, "filename": received.filename,
            "size": received.size, "etag": received.etag, "is_folder": received.is_folder})
        await self.bus.publish(received)

    async def start_resumable(self, session: ResumableUpload) -> None:
        await anyio.to_thread.run_sync(self._record_receiving, session.upload_id,
                                       session.filename, session.prefix)
        await anyio.to_thread.run_sync(self._update, session.upload_id, {"size": session.length})

    async def resumable_session(self, upload_id: uuid.UUID) -> ResumableUpload | None:
        """The resumable upload still waiting for bytes, or None."""
        def find() -> ResumableUpload | None:
            with self.sessions() as session:
                upload = session.get(Upload, upload_id)
            if upload is None or upload.state != "receiving" or \
                    not upload.key.endswith("/chunks/"):
                return None
            return ResumableUpload(upload.id, upload.size, upload.filename)

        return await anyio.to_thread.run_sync(find)

    async def finish_resumable(self, session: ResumableUpload) -> None:
        """Every byte is stored: announce the upload as any other."""
        received = UploadReceived(
            event_id=event_id("upload.received", session.upload_id),
            upload_id=session.upload_id, bucket=self.settings.uploads_bucket,
            key=session.prefix, filename=session.filename, size=session.length,
            is_chunked=True, source="gateway")
        count_bytes("received", session.length)
        await anyio.to_thread.run_sync(self._update, session.upload_id, {"state": "received"})
        await self.bus.publish(received)

    async def request_generation(self, upload_id: uuid.UUID, request: Request,
                                 filename: str | None, suffixes: tuple[str, ...],
                                 tags: dict[str, str | None]) -> None:
        """Store the audio, record the upload, and ask the ingest service to generate."""

        def one_audio_file(stored: list[StoredFile]) -> None:
            if len(stored) != 1 or not stored[0].path.lower().endswith(suffixes):
                raise UploadRejected("Send one audio file: " + ", ".join(suffixes) + ".")

        stored = await self._receive(upload_id, request, filename, f"generate/{upload_id}",
                                     check=one_audio_file)
        [audio] = stored
        count_bytes("received", audio.size)
        await anyio.to_thread.run_sync(self._update, upload_id, {
            "state": "received", "key": audio.key, "filename": audio.path, "size": audio.size,
            "source": "generator"})
        await self.bus.publish(SongGenerationRequested(
            event_id=event_id("generate.requested", upload_id), upload_id=upload_id,
            bucket=self.settings.uploads_bucket, key=audio.key, filename=audio.path,
            **{key: value for key, value in tags.items() if value}))

    async def _receive(self, upload_id: uuid.UUID, request: Request, filename: str | None,
                       prefix: str, check: Callable[[list[StoredFile]], None] | None = None
                       ) -> list[StoredFile]:
        """Record the upload before any byte is stored, then stream the body in; a refused
        or interrupted upload is recorded as failed with its reason."""
        await anyio.to_thread.run_sync(self._record_receiving, upload_id, filename or "", prefix)
        try:
            stored = await store_body(
                request.stream(), content_type=request.headers.get("content-type", ""),
                filename=filename, store=self.store, bucket=self.settings.uploads_bucket,
                prefix=prefix, max_bytes=self.settings.max_upload_bytes)
            if check is not None:
                check(stored)
        except BaseException as error:
            reason = getattr(error, "reason", None) or "The upload was interrupted."
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._update, upload_id,
                                               {"state": "failed", "error": reason})
            raise
        return stored

    async def request_edit(self, song_id: uuid.UUID,
                           changes: dict[str, str | None]) -> int | None:
        """Ask the pipeline for a new revision with `changes` in song.ini; the revision it
        will have, or None when there is no such song."""
        song = await self.read(queries.song_details, song_id)
        if song is None:
            return None
        await self.bus.publish(SongEditRequested(
            event_id=event_id("song.edit_requested", song_id, song["revision"], uuid.uuid4()),
            song_id=song_id, revision=song["revision"], manifest_key=song["manifest_key"],
            changes=changes))
        return song["revision"] + 1

    async def request_delete(self, song_id: uuid.UUID) -> bool:
        """Send the song's tombstone through the pipeline; False when there is no such song."""
        song = await self.read(queries.song_details, song_id)
        if song is None:
            return False
        revision = song["revision"] + 1
        await self.bus.publish(SongDeleted(
            event_id=event_id("song.deleted", song_id, revision), song_id=song_id,
            revision=revision, content_path=song["file_path"]))
        return True

    def _record_receiving(self, upload_id: uuid.UUID, filename: str, prefix: str) -> None:
        with transaction(self.sessions) as session:
            session.add(Upload(id=upload_id, filename=filename, source="gateway",
                               bucket=self.settings.uploads_bucket, key=prefix,
                               state="receiving", trace_id=current_trace_id()))

    def _update(self, upload_id: uuid.UUID, values: dict[str, Any]) -> None:
        with transaction(self.sessions) as session:
            session.execute(update(Upload).where(Upload.id == upload_id).values(**values))


def _announcement(upload_id: uuid.UUID, bucket: str, prefix: str,
                  stored: list[StoredFile]) -> UploadReceived:
    single = len(stored) == 1 and "/" not in stored[0].path
    first = stored[0]
    return UploadReceived(
        event_id=event_id("upload.received", upload_id), upload_id=upload_id, bucket=bucket,
        key=first.key if single else prefix,
        filename=first.path if single else first.path.split("/")[0],
        size=sum(f.size for f in stored), etag=first.etag if single else None,
        is_folder=not single, source="gateway",
    )
