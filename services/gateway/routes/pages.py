"""Server-rendered pages: the library with its search box syntax, filters, facets and bulk
actions (htmx swaps just the results when the search changes; a signed-in user's setlists
are offered to add the selection to)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE
from pydantic import BaseModel, Field, field_validator

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, require_admin
from services.gateway.library_schema import SYNTAX_LINES
from services.gateway.library_search import LibraryResults
from services.gateway.rendering.library_facets import facet_links
from services.gateway.rendering.templates import INSTRUMENT_NAMES, page
from services.gateway.searchers import SearchNotReady
from services.gateway.security import current_user
from services.gateway.song_files import many_as_zip
from shared.persistence import queries, setlists
from shared.persistence.library_query import DUPLICATES, SORTS, BadLibraryQuery, LibraryQuery
from shared.search.library_syntax import search_syntax
from shared.search.protocol import BadCursor
from shared.search.syntax import BadSearchSyntax

MAX_BULK = 200


@get("/library", include_in_schema=False, guards=[may_browse])
async def library(request: Request, gateway: Gateway) -> Template:
    """The whole search lives in the URL; htmx requests get only the results. A search that
    is not understood shows why, beside the search box."""
    query, problem = LibraryQuery(), None
    try:
        query = LibraryQuery.from_params(request.query_params)
        results = await gateway.search(query, search_syntax(query))
    except (BadLibraryQuery, BadSearchSyntax, BadCursor) as error:
        problem, results = str(error), LibraryResults(0, [], None, {})
    except SearchNotReady as error:
        raise HTTPException(detail=str(error), status_code=HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": "5"}) from None
    user = await current_user(request)
    owner = None if user is None or user.may("admin") else user.username
    my_setlists = await gateway.read(setlists.summaries, owner) if user else []
    pages = max(1, -(-results.total // query.per_page))
    partial = bool(request.headers.get("hx-request"))
    template = "_results.html" if partial else "library.html"
    return await page(request, template, active="library", query=query, results=results,
                      pages=pages, params=query.to_params(), sorts=SORTS,
                      duplicate_kinds=DUPLICATES, problem=problem, syntax_help=SYNTAX_LINES,
                      my_setlists=my_setlists,
                      facets=facet_links(query, results.facets, INSTRUMENT_NAMES),
                      # htmx swaps in only successful answers: its partial says 200
                      status_code=HTTP_400_BAD_REQUEST if problem and not partial else 200)


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
        return await many_as_zip(gateway, data.song)
    await require_admin(request, None)
    songs = [s for s in [await gateway.read(queries.song_details, i) for i in data.song] if s]
    if data.action == "delete":
        return await page(request, "confirm_delete.html", active="library", songs=songs)
    for song in songs:
        await gateway.request_delete(song.id)
    return await page(request, "deleted.html", active="library", songs=songs)
