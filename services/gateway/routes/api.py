"""The JSON API: songs (listed, looked up, edited, deleted) and health."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import anyio
import structlog
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import Parameter
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import text

from services.gateway.answers import Answer, absent_when_none
from services.gateway.deps import Gateway
from services.gateway.guards import (
    may_browse,
    principal_if_any,
    require_admin,
)
from services.gateway.rendering.difficulties import difficulty_offer
from shared.persistence import queries

log = structlog.get_logger(__name__)

class SongSummary(Answer):
    id: uuid.UUID
    name: str
    artist: str
    album: str | None
    genre: str | None
    year: str | None
    charter: str | None
    song_length_ms: int | None
    md5: str = Field(description="scan-chart's folder hash of the song's files")
    revision: int
    file_path: str = Field(description="Its folder in the content folder")
    created_at: str = Field(description="When it entered the library (ISO 8601)")
    updated_at: str = Field(description="When it last changed (ISO 8601)")


class SongList(Answer):
    total: int = Field(description="Songs matching in all")
    page: int
    per_page: int
    items: list[SongSummary]


class SongEditRefused(Answer):
    song_id: uuid.UUID
    error: str = Field(description="Why nothing changed")


class SongsController(Controller):
    path = "/api/songs"
    tags = ["songs"]

    @get("/", guards=[may_browse],
         summary="Songs, newest first, with a text search and a total count")
    async def list_songs(self, gateway: Gateway,
                         q: str | None = Parameter(default=None, max_length=200),
                         page: int = Parameter(default=1, ge=1),
                         per_page: int = Parameter(default=50, ge=1, le=200)) -> SongList:
        result = await gateway.read(queries.search_songs, q, page=page, per_page=per_page)
        return SongList(total=result.total, page=page, per_page=per_page,
                        items=[SongSummary(**item) for item in result.items])

    @post("/known", guards=[may_browse], status_code=200,
          summary="Which of these content hashes (scan-chart folder md5) the library holds")
    async def known(self, data: KnownSongsQuery, gateway: Gateway) -> KnownSongs:
        """Lets an importer skip songs the library already has before it sends any bytes."""
        return KnownSongs(known=sorted(await gateway.read(queries.known_md5s, data.md5)))

    @get("/{song_id:uuid}", guards=[may_browse],
         summary="One song with everything the catalog knows")
    async def show(self, song_id: uuid.UUID, gateway: Gateway) -> queries.SongDetails:
        details = await gateway.read(queries.song_details, song_id)
        if details is None:
            raise NotFoundException(f"No song {song_id}.")
        return details

    @patch("/{song_id:uuid}", guards=[require_admin], status_code=202,
           summary="Change song.ini fields; the new revision goes through the pipeline")
    async def edit(self, song_id: uuid.UUID, data: SongEdit, gateway: Gateway
                   ) -> SongEditRequested:
        revision = await gateway.request_edit(song_id, data.changes)
        if revision is None:
            raise NotFoundException(f"No song {song_id}.")
        return SongEditRequested(song_id=song_id, revision=revision)

    @post("/{song_id:uuid}/difficulties", guards=[require_admin], status_code=202,
          responses={409: ResponseSpec(SongEditRefused, description=(
              "The song has nothing to generate or remove"))},
          summary="Generate Hard, Medium and Easy from Expert, or remove the generated ones")
    async def difficulties(self, song_id: uuid.UUID, data: DifficultiesEdit, gateway: Gateway
                           ) -> Response[SongEditRequested]:
        """`generate` fills in the parts charted on Expert only and marks them in song.ini
        (`generated_difficulties`); `remove` takes out what song.ini marks. Either makes a new
        revision through the pipeline; 409 when the song has nothing to generate or remove."""
        song = await gateway.read(queries.song_details, song_id)
        if song is None:
            raise NotFoundException(f"No song {song_id}.")
        offer = difficulty_offer(song.metadata)
        if not offer.allows(data.action):
            return Response(SongEditRefused(song_id=song_id, error=offer.refusal(data.action)),
                            status_code=409)
        revision = await gateway.request_edit(song_id, {}, data.action)
        return Response(SongEditRequested(song_id=song_id, revision=revision), status_code=202)

    @delete("/{song_id:uuid}", guards=[require_admin], status_code=202,
            summary="Delete a song from the catalog, the object store and the content folder")
    async def remove(self, song_id: uuid.UUID, gateway: Gateway) -> SongDeleteRequested:
        if not await gateway.request_delete(song_id):
            raise NotFoundException(f"No song {song_id}.")
        return SongDeleteRequested(song_id=song_id)


class KnownSongs(Answer):
    known: list[str] = Field(description="The folder hashes asked for that the library holds")


class SongEditRequested(Answer):
    song_id: uuid.UUID
    revision: int = Field(description=(
        "The revision the song will have once edited, or a later one when other edits of it "
        "were sent first: edits of a song are applied in turn, each on its newest revision"))


class SongDeleteRequested(Answer):
    song_id: uuid.UUID
    deleted: Literal[True] = True


class KnownSongsQuery(BaseModel):
    md5: list[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]] = Field(
        max_length=5000, description="Folder hashes to look up.")


class SongEdit(BaseModel):
    """song.ini keys to set; null removes a key."""

    changes: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")],
                  Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\r\n]*$")]
                  | None] = Field(min_length=1)


class DifficultiesEdit(BaseModel):
    """What to do with the lower difficulties generated from Expert."""

    action: Literal["generate", "remove"] = Field(
        description="`generate` the missing Hard, Medium and Easy, or `remove` the generated "
                    "ones.")


class Health(Answer):
    """`ok`, `unavailable` or `waiting for …`; what failed only for admins."""

    status: str
    waiting_for: dict[str, str] | None = Field(
        default=None, exclude_if=absent_when_none,
        description="Admins only: each dependency still awaited at start, and why")
    checks: dict[str, str] | None = Field(
        default=None, exclude_if=absent_when_none,
        description="Admins only: `ok` or the error of the database, broker and object store")


@get("/health", tags=["operations"],
     responses={503: ResponseSpec(Health, description="Unavailable, or still starting")},
     summary="Database, broker and object store reachable; which failed, for admins only")
async def health(request: Request, gateway: Gateway, state: State) -> Response[Health]:
    """Anyone learns `ok`, `unavailable`, or which dependencies the gateway still waits for at
    start; what failed and why goes to the log, and to admins (a session or API token), since
    error texts name hosts, ports and accounts."""
    principal = await principal_if_any(request)
    is_admin = principal is not None and principal.may("admin")
    waiting: dict[str, str] = state.readiness.waiting
    if waiting:
        return Response(Health(status="waiting for " + ", ".join(waiting),
                               waiting_for=waiting if is_admin else None), status_code=503)
    checks = {
        "database": await _check(lambda: gateway.read(lambda s: s.execute(text("SELECT 1")))),
        "broker": await _check(gateway.ping_broker),
        "object_store": await _check(lambda: anyio.to_thread.run_sync(
            gateway.store.bucket_exists, gateway.settings.uploads_bucket)),
    }
    healthy = all(value == "ok" for value in checks.values())
    if not healthy:
        log.warning("health.unavailable", **checks)
    return Response(Health(status="ok" if healthy else "unavailable",
                           checks=checks if is_admin else None),
                    status_code=200 if healthy else 503)


async def _check(probe) -> str:
    try:
        with anyio.fail_after(5):
            result = await probe()
    except Exception as error:
        return f"error: {error}"[:200] or "error"
    return "ok" if result is not False else "error: unavailable"
