"""Custom content pages: `/backgrounds`, `/colors` and `/highways` list what the library holds
(thumbnails, videos, color swatches), take uploads (htmx swaps in the list, which polls itself
while a new file is being checked) and delete after a confirmation."""

from __future__ import annotations

import uuid

import anyio
from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template

from services.gateway.custom_intake import KINDS, receive_custom, request_custom_delete
from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, require_admin, require_uploader
from services.gateway.intake import UploadRejected
from services.gateway.rendering.templates import page
from shared.custom_content import ACCEPTED, FOLDERS
from shared.manifest import blob_key
from shared.persistence import custom_content
from shared.persistence.custom_content import CustomItem

SETTLED = {"published", "rejected"}
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "webm": "video/webm", "ogv": "video/ogg", "mp4": "video/mp4",
               "ini": "text/plain; charset=utf-8"}
PATHS = [f"/{section}" for section in KINDS]


def _kind(section: str) -> str:
    if section not in KINDS:
        raise NotFoundException(f"No page {section}.")
    return KINDS[section]


async def _listing(request: Request, gateway: Gateway, section: str, *, message=None,
                   waiting: uuid.UUID | None = None, status_code: int = 200) -> Template:
    kind = _kind(section)
    items = await gateway.read(custom_content.list_custom, kind)
    busy = any(i.state not in SETTLED for i in items) or (
        waiting is not None and all(i.id != waiting for i in items))
    fragment = bool(request.headers.get("hx-request"))
    return await page(request, "_custom_list.html" if fragment else "custom.html",
                      active=section, section=section, kind=kind, items=items, busy=busy,
                      message=message, waiting=waiting, folders=FOLDERS[kind],
                      accept=",".join(f".{e}" for e in ACCEPTED[kind]),
                      status_code=status_code)


@get(PATHS, include_in_schema=False, guards=[may_browse])
async def custom_list(request: Request, gateway: Gateway,
                      waiting: uuid.UUID | None = None) -> Template:
    return await _listing(request, gateway, request.url.path.strip("/"),
                          waiting=waiting)


@post(PATHS, include_in_schema=False, guards=[require_uploader], status_code=200,
      request_max_body_size=None)
async def custom_upload(request: Request, gateway: Gateway) -> Template:
    """Streamed into the bucket and announced at once (the body's limits are kept as it
    arrives); the list then shows the file being checked."""
    section = request.url.path.strip("/")
    kind = _kind(section)
    try:
        content_id, filename = await receive_custom(
            gateway, kind, request.stream(), request.headers.get("content-type", ""))
    except UploadRejected as error:
        return await _listing(request, gateway, section, message=("error", error.reason),
                              status_code=error.status)
    return await _listing(request, gateway, section, waiting=content_id,
                          message=("ok", f"{filename} is being checked."))


async def _item(gateway: Gateway, content_id: uuid.UUID) -> CustomItem:
    item = await gateway.read(custom_content.custom_details, content_id)
    if item is None:
        raise NotFoundException(f"No custom content {content_id}.")
    return item


@get("/custom/{content_id:uuid}/file", include_in_schema=False, guards=[may_browse])
async def custom_file(content_id: uuid.UUID, gateway: Gateway) -> Response[bytes]:
    item = await _item(gateway, content_id)
    if not item.sha256:
        raise NotFoundException("This file was not accepted.")
    data = await anyio.to_thread.run_sync(gateway.store.get_bytes,
                                          gateway.settings.songs_bucket, blob_key(item.sha256))
    extension = item.filename.rpartition(".")[2].lower()
    return Response(data, media_type=MEDIA_TYPES.get(extension, "application/octet-stream"),
                    headers={"Content-Security-Policy": "default-src 'none'; sandbox",
                             "X-Content-Type-Options": "nosniff",
                             "Cache-Control": "private, max-age=3600"})


@get("/custom/{content_id:uuid}/delete", include_in_schema=False, guards=[require_admin])
async def confirm_custom_delete(request: Request, content_id: uuid.UUID,
                                gateway: Gateway) -> Template:
    item = await _item(gateway, content_id)
    return await page(request, "confirm_custom_delete.html", item=item,
                      section=_section_of(item.kind), active=_section_of(item.kind))


@post("/custom/{content_id:uuid}/delete", include_in_schema=False, guards=[require_admin])
async def custom_delete(content_id: uuid.UUID, gateway: Gateway) -> Redirect:
    item = await _item(gateway, content_id)
    await request_custom_delete(gateway, content_id, item.kind)
    return Redirect(f"/{_section_of(item.kind)}", status_code=303)


def _section_of(kind: str) -> str:
    return next(section for section, k in KINDS.items() if k == kind)
