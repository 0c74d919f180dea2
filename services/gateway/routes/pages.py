"""Server-rendered pages: the library with an upload form."""

from __future__ import annotations

from litestar import get
from litestar.params import Parameter
from litestar.response import Template

from services.catalog import queries
from services.gateway.deps import Gateway


@get("/", include_in_schema=False)
async def home(gateway: Gateway, q: str | None = Parameter(default=None, max_length=200),
               page: int = Parameter(default=1, ge=1)) -> Template:
    songs = await gateway.read(queries.search_songs, q, page=page, per_page=50)
    uploads = await gateway.read(queries.recent_uploads, 10)
    return Template("index.html", context={"songs": songs, "q": q or "", "page": page,
                                           "uploads": uploads})
