"""Server-rendered pages: the home page and the library with its search, filters and bulk
actions (htmx swaps just the results when the search changes)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import BaseModel, Field, field_validator

from services.catalog import queries
from services.catalog.library_query import DUPLICATES, SORTS, BadLibraryQuery, LibraryQuery
from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, require_admin
from services.gateway.rigs import rig_overview
from services.gateway.routes import downloads, library_source
from services.gateway.routes.pipeline import pipeline_health, services_up
from services.gateway.routes.rendering import page

MAX_BULK = 200


@get("/", include_in_schema=False, guards=[may_browse])
async def home(request: Request, gateway: Gateway) -> Template:
    totals = await gateway.read(library_source.totals)
    uploads = await gateway.read(queries.recent_uploads, 8)
    queues = await pipeline_health(gateway.settings.broker_url)
    return await page(request, "home.html", active="home", totals=totals, uploads=uploads,
                      queues=queues, services=services_up(queues),
                      broker_ok=await _broker_ok(gateway),
                      rigs=await rig_overview(gateway.settings, completion=False))


async def _broker_ok(gateway: Gateway) -> bool:
    try:
        return await gateway.ping_broker()
    except Exception:
        return False


@get("/library", include_in_schema=False, guards=[may_browse])
async def library(request: Request, gateway: Gateway) -> Template:
    """The whole search lives in the URL; htmx requests get only the results."""
    try:
        query = LibraryQuery.from_params(request.query_params)
    except BadLibraryQuery as error:
        raise HTTPException(detail=str(error), status_code=HTTP_400_BAD_REQUEST) from None
    results = await gateway.read(library_source.search, query)
    pages = max(1, -(-results.total // query.per_page))
    template = "_results.html" if request.headers.get("hx-request") else "library.html"
    return await page(request, template, active="library", query=query, results=results,
                      pages=pages, params=query.to_params(), sorts=SORTS,
                      duplicate_kinds=DUPLICATES)


class BulkForm(BaseModel):
    action: str = Field(pattern="^(download|delete|confirm-delete)$")
    song: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_BULK)

    @field_validator("song", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value  # one checkbox arrives bare


Form = Annotated[BulkForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


@post("/library/bulk", include_in_schema=False, guards=[may_browse], status_code=200)
async def bulk(request: Request, gateway: Gateway, data: Form) -> Template | Stream | Redirect:
    """Several songs at once: download them as one zip, or delete them after a confirmation."""
    if not data.song:
        return Redirect("/library", status_code=303)
    if data.action == "download":
        return await downloads.many_as_zip(gateway, data.song)
    await require_admin(request, None)
    songs = [s for s in [await gateway.read(queries.song_details, i) for i in data.song] if s]
    if data.action == "delete":
        return await page(request, "confirm_delete.html", active="library", songs=songs)
    for song in songs:
        await gateway.request_delete(uuid.UUID(song["id"]))
    return await page(request, "deleted.html", active="library", songs=songs)
