"""The gateway's handle on the rest of the system: catalog reads, uploads in, events out."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import Any, Literal, TypeVar

import anyio
from faststream.rabbit import RabbitBroker
from litestar import Request
from litestar.exceptions import HTTPException
from sqlalchemy.orm import Session, sessionmaker

from services.gateway import upload_rows
from services.gateway.import_runs import import_run_of
from services.gateway.intake import (
    LargeFileTurns,
    StoredFile,
    UploadRejected,
    UploadUnavailable,
    store_body,
)
from services.gateway.library_search import LibraryResults, search_library
from services.gateway.resumable import ResumableUpload
from services.gateway.searchers import Searcher
from services.gateway.settings import GatewayServiceSettings
from services.gateway.tokens import Principal, principal_for
from shared.events import (
    Event,
    SongDeleted,
    SongEditRequested,
    SongGenerationRequested,
    UploadOrigin,
    UploadReceived,
)
from shared.messaging import EventBus
from shared.observability import count_bytes
from shared.outbox import OutboxRelay
from shared.persistence import queries
from shared.persistence.library_query import LibraryQuery
from shared.persistence.library_rows import SongRows
from shared.persistence.tables import Upload
from shared.search.syntax import SearchSyntax
from shared.service import broker_probe
from shared.storage import ObjectStore

T = TypeVar("T")
DifficultyEdit = Literal["generate", "remove"]
RECORD_RETRY_SECONDS = (0.5, 2.0, 5.0)


class Gateway:
    def __init__(self, settings: GatewayServiceSettings, sessions: sessionmaker[Session],
                 store: ObjectStore, broker: RabbitBroker, searcher: Searcher) -> None:
        self.settings = settings
        self.searcher = searcher
        self.song_rows = SongRows(settings.database_url, keep=settings.database_pool_size)
        self.sessions = sessions
        self.store = store
        self.broker = broker
        self.bus = EventBus(broker)
        # The gateway's events go through its outbox; the relay declares the queues first, in
        # a way that a shutdown may cancel at any moment without leaving a connection behind.
        self.relay = OutboxRelay(sessions, self.bus, upload_rows.PUBLISHER,
                                 connect=broker_probe(broker, settings))
        self.live_uploads: set[uuid.UUID] = set()
        self.large_file_turns = LargeFileTurns(settings.large_uploads_at_once)
        self.search_turns = anyio.CapacityLimiter(settings.searches_at_once)

    async def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def run() -> T:
            with self.sessions() as session:
                return query(session, *args, **kwargs)

        return await anyio.to_thread.run_sync(run)

    async def search(self, query: LibraryQuery, syntax: SearchSyntax) -> LibraryResults:
        """A library search; raises SearchNotReady while the index loads (after a while)."""
        return await search_library(self.searcher, self.sessions, self.song_rows, query, syntax,
                                    self.search_turns)

    async def principal(self, token: str) -> Principal | None:
        return await self.read(principal_for, token)

    async def ping_broker(self) -> bool:
        return await self.broker.ping(timeout=3)

    async def announce(self, *events: Event) -> None:
        """Record `events` for the relay: they reach the broker even if it is away now."""
        await anyio.to_thread.run_sync(upload_rows.announce, self.sessions, events)
        self.relay.wake()

    async def receive_upload(self, upload_id: uuid.UUID, request: Request,
                             filename: str | None, generate_difficulties: bool = False) -> None:
        """Record the upload, stream its bytes into the bucket, then announce it;
        `generate_difficulties` asks for each song's lower difficulties once cataloged."""
        prefix = f"gateway/{upload_id}"
        stored = await self._receive(upload_id, request, filename, prefix)
        received = _announcement(upload_id, self.settings.uploads_bucket, prefix, stored)
        count_bytes("received", received.size)
        origin = received.origin
        await self._received(upload_id, {
            "key": origin.key, "filename": origin.filename, "size": received.size,
            "etag": received.etag, "is_folder": origin.is_folder,
            "generate_difficulties": generate_difficulties}, received)

    async def start_resumable(self, session: ResumableUpload,
                              generate_difficulties: bool = False) -> None:
        await self._record(session.upload_id, session.filename, session.prefix,
                           size=session.length, generate_difficulties=generate_difficulties)

    async def resumable_session(self, upload_id: uuid.UUID) -> ResumableUpload | None:
        """The resumable upload still waiting for bytes, or None."""
        def find() -> ResumableUpload | None:
            with self.sessions() as session:
                upload = session.get(Upload, upload_id)
            if upload is None or upload.state != "receiving" or \
                    not upload.key.endswith(upload_rows.RESUMABLE_SUFFIX):
                return None
            return ResumableUpload(upload.id, upload.size, upload.filename)

        return await anyio.to_thread.run_sync(find)

    @asynccontextmanager
    async def receiving(self, upload_id: uuid.UUID, *, stays_receiving: bool = True
                        ) -> AsyncIterator[None]:
        """While the block runs, the upload's bytes are coming in: the sweep leaves it be.
        `stays_receiving`: the row is still `receiving` after the block (a resumable upload
        between chunks), so the end of the block is its last sign of life; a whole upload
        leaves `receiving` at once, for `received` or `failed`."""
        self.live_uploads.add(upload_id)
        try:
            yield
        finally:
            self.live_uploads.discard(upload_id)
            if stays_receiving:  # a touch that fails only leaves less time before the sweep
                with anyio.CancelScope(shield=True), suppress(Exception):
                    await anyio.to_thread.run_sync(upload_rows.touch, self.sessions,
                                                   [upload_id])

    async def finish_resumable(self, session: ResumableUpload) -> None:
        """Every byte is stored: announce the upload as any other."""
        received = UploadReceived.about(
            session.upload_id, origin=UploadOrigin(
                bucket=self.settings.uploads_bucket, key=session.prefix,
                filename=session.filename, is_chunked=True),
            size=session.length, source="gateway")
        count_bytes("received", session.length)
        await self._received(session.upload_id, {}, received)

    async def request_generation(self, upload_id: uuid.UUID, request: Request,
                                 filename: str | None, suffixes: tuple[str, ...],
                                 tags: dict[str, str | None]) -> None:
        """Store the audio, record the upload, and ask the ingest service to generate."""

        def one_audio_file(stored: list[StoredFile]) -> None:
            if len(stored) != 1 or not stored[0].path.lower().endswith(suffixes):
                raise UploadRejected("Send one audio file: " + ", ".join(suffixes) + ".")

        stored = await self._receive(upload_id, request, filename, f"generate/{upload_id}",
                                     check=one_audio_file, source="generator")
        [audio] = stored
        count_bytes("received", audio.size)
        await self._received(upload_id, {
            "key": audio.key, "filename": audio.path, "size": audio.size,
        }, SongGenerationRequested.about(
            upload_id, bucket=self.settings.uploads_bucket, key=audio.key, filename=audio.path,
            **{key: value for key, value in tags.items() if value}))

    async def _receive(self, upload_id: uuid.UUID, request: Request, filename: str | None,
                       prefix: str, check: Callable[[list[StoredFile]], None] | None = None,
                       source: str = "gateway") -> list[StoredFile]:
        """Record the upload before any byte is stored, then stream the body in; a refused
        or interrupted upload is recorded as failed with its reason."""
        run = import_run_of(request)
        await self._record(upload_id, filename or "", prefix, source=source,
                           import_run=run.run if run else None,
                           import_songs=run.songs if run else None)
        try:
            async with self.receiving(upload_id, stays_receiving=False):
                stored = await store_body(
                    request.stream(), content_type=request.headers.get("content-type", ""),
                    filename=filename, store=self.store, bucket=self.settings.uploads_bucket,
                    prefix=prefix, max_bytes=self.settings.max_upload_bytes,
                    turns=self.large_file_turns)
            if check is not None:
                check(stored)
        except UploadRejected as error:
            await self._failed(upload_id, error.reason)
            raise
        except UploadUnavailable as error:
            await self._failed(upload_id, error.reason)
            raise UploadUnavailable(error.reason, upload_id) from error
        except HTTPException as error:  # the client went away mid-body
            await self._failed(upload_id, f"The upload was interrupted: {error.detail}.")
            raise
        except Exception as error:
            reason = f"The upload could not be stored: {upload_rows.describe(error)}"
            await self._failed(upload_id, reason)
            raise UploadUnavailable(reason, upload_id) from error
        except BaseException:
            await self._failed(upload_id, "The upload was interrupted.")
            raise
        return stored

    async def _record(self, upload_id: uuid.UUID, filename: str, key: str, **values: Any
                      ) -> None:
        try:
            await anyio.to_thread.run_sync(partial(
                upload_rows.record_receiving, self.sessions, upload_id, filename=filename,
                bucket=self.settings.uploads_bucket, key=key, **values))
        except Exception as error:
            raise UploadUnavailable("The upload could not be recorded: "
                                    f"{upload_rows.describe(error)}", None) from error

    async def _received(self, upload_id: uuid.UUID, values: dict[str, Any],
                        event: Event) -> None:
        """The row moves to `received` with its announcement; a database that is briefly
        away is waited for, since the bytes are already stored."""
        for delay in (*RECORD_RETRY_SECONDS, None):
            try:
                await anyio.to_thread.run_sync(upload_rows.record_received, self.sessions,
                                               upload_id, values, [event])
                break
            except Exception as error:
                if delay is None:
                    reason = f"The upload could not be recorded: {upload_rows.describe(error)}"
                    await self._failed(upload_id, reason)
                    raise UploadUnavailable(reason, upload_id) from error
                await anyio.sleep(delay)
        self.relay.wake()

    async def _failed(self, upload_id: uuid.UUID, reason: str) -> None:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(upload_rows.record_failed, self.sessions, upload_id,
                                           reason)

    async def request_edit(self, song_id: uuid.UUID, changes: dict[str, str | None],
                           difficulties: DifficultyEdit | None = None) -> int | None:
        """Ask the pipeline for a new revision with `changes` in song.ini (and lower
        difficulties generated or removed); the revision it will have, or None when there is
        no such song."""
        song = await self.read(queries.song_details, song_id)
        if song is None:
            return None
        await self.announce(SongEditRequested.about(
            song_id, song.revision, uuid.uuid4(), manifest_key=song.manifest_key,
            changes=changes, difficulties=difficulties))
        return song.revision + 1

    async def request_delete(self, song_id: uuid.UUID) -> bool:
        """Send the song's tombstone through the pipeline; False when there is no such song."""
        song = await self.read(queries.song_details, song_id)
        if song is None:
            return False
        await self.announce(SongDeleted.about(song_id, song.revision + 1,
                                              content_path=song.file_path))
        return True


def _announcement(upload_id: uuid.UUID, bucket: str, prefix: str,
                  stored: list[StoredFile]) -> UploadReceived:
    single = len(stored) == 1 and "/" not in stored[0].path
    first = stored[0]
    origin = UploadOrigin(bucket=bucket, key=first.key if single else prefix,
                          filename=first.path if single else first.path.split("/")[0],
                          is_folder=not single)
    return UploadReceived.about(upload_id, origin=origin, size=sum(f.size for f in stored),
                                etag=first.etag if single else None, source="gateway")
