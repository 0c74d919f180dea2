"""The setlists JSON API: one's own named, ordered lists of songs (an admin reaches everyone's),
their songs added, removed and reordered, shared by link, and downloaded as Clone Hero's
`.setlist` file or as a zip of the songs."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.exceptions import HTTPException
from litestar.response import Stream
from litestar.status_codes import HTTP_409_CONFLICT
from pydantic import BaseModel, Field

from services.gateway import setlists as setlist_ops
from services.gateway.answers import Answer
from services.gateway.deps import Gateway
from services.gateway.guards import principal_of, require_signed_in
from services.gateway.setlists import SetlistAnswer
from shared.persistence import setlists
from shared.persistence.setlists import OrderMismatch

NAME = Field(min_length=1, max_length=200, pattern=r"^[^\r\n/\\]*\S[^\r\n/\\]*$",
             description="Shown in the game's setlist menu and used as its file name.")


class NewSetlist(BaseModel):
    name: str = NAME
    song_ids: list[uuid.UUID] = Field(default_factory=list, max_length=setlist_ops.MAX_SONGS,
                                      description="Songs to start with, in order.")


class SetlistRename(BaseModel):
    name: str = NAME


class SongsToAdd(BaseModel):
    song_ids: list[uuid.UUID] = Field(min_length=1, max_length=setlist_ops.MAX_SONGS,
                                      description="Appended in this order; songs already in "
                                                  "the setlist or not in the library are skipped.")


class SongOrder(BaseModel):
    song_ids: list[uuid.UUID] = Field(max_length=setlist_ops.MAX_SONGS,
                                      description="Every song of the setlist, once, in the new "
                                                  "order.")


class SetlistListed(Answer):
    id: uuid.UUID
    name: str
    owner: str
    song_count: int


class SetlistList(Answer):
    items: list[SetlistListed]


class SetlistDeleted(Answer):
    id: uuid.UUID
    deleted: Literal[True] = True


class SetlistSharing(Answer):
    id: uuid.UUID
    share_url: str | None = Field(description="The read-only link; none once unshared")


class SetlistsController(Controller):
    path = "/api/setlists"
    tags = ["setlists"]
    guards = [require_signed_in]

    @get("/", summary="The caller's setlists (an admin's: everyone's)")
    async def list_setlists(self, request: Request, gateway: Gateway) -> SetlistList:
        listed = await setlist_ops.mine(gateway, principal_of(request))
        return SetlistList(items=[SetlistListed(id=s.id, name=s.name, owner=s.owner,
                                                song_count=s.song_count) for s in listed])

    @post("/", status_code=201, summary="Make a setlist, empty or with songs")
    async def create(self, request: Request, gateway: Gateway, data: NewSetlist
                     ) -> SetlistAnswer:
        setlist_id = await setlist_ops.create(gateway, principal_of(request), data.name,
                                              data.song_ids)
        return setlist_ops.as_json(await setlist_ops.readable(gateway, principal_of(request),
                                                              setlist_id))

    @get("/{setlist_id:uuid}", summary="A setlist and its songs in order")
    async def show(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID
                   ) -> SetlistAnswer:
        return setlist_ops.as_json(await setlist_ops.readable(gateway, principal_of(request),
                                                              setlist_id))

    @patch("/{setlist_id:uuid}", summary="Rename a setlist")
    async def rename(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                     data: SetlistRename) -> SetlistAnswer:
        return await self._changed(request, gateway, setlist_id, setlists.rename, data.name)

    @delete("/{setlist_id:uuid}", status_code=200,
            summary="Delete a setlist (its songs stay in the library)")
    async def remove(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID
                     ) -> SetlistDeleted:
        await setlist_ops.change(gateway, principal_of(request), setlist_id, setlists.remove)
        return SetlistDeleted(id=setlist_id)

    @post("/{setlist_id:uuid}/songs", status_code=200, summary="Append songs to a setlist")
    async def add_songs(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                        data: SongsToAdd) -> SetlistAnswer:
        return await self._changed(request, gateway, setlist_id, setlists.add_songs,
                                   data.song_ids)

    @delete("/{setlist_id:uuid}/songs/{song_id:uuid}", status_code=200,
            summary="Take a song out of a setlist")
    async def remove_song(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                          song_id: uuid.UUID) -> SetlistAnswer:
        return await self._changed(request, gateway, setlist_id, setlists.remove_song, song_id)

    @put("/{setlist_id:uuid}/order", summary="Put a setlist's songs in a new order",
         description="Answers 409 when the order does not name each song of the setlist once.")
    async def reorder(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                      data: SongOrder) -> SetlistAnswer:
        try:
            return await self._changed(request, gateway, setlist_id, setlists.reorder,
                                       data.song_ids)
        except OrderMismatch as error:
            raise HTTPException(status_code=HTTP_409_CONFLICT, detail=str(error)) from None

    @post("/{setlist_id:uuid}/share", status_code=200,
          summary="Share a setlist by a read-only link (a new link each time)")
    async def share(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID
                    ) -> SetlistSharing:
        token = await setlist_ops.share(gateway, principal_of(request), setlist_id, True)
        return SetlistSharing(id=setlist_id, share_url=setlist_ops.share_path(token))

    @delete("/{setlist_id:uuid}/share", status_code=200, summary="Stop sharing a setlist")
    async def unshare(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID
                      ) -> SetlistSharing:
        await setlist_ops.share(gateway, principal_of(request), setlist_id, False)
        return SetlistSharing(id=setlist_id, share_url=None)

    @get("/{setlist_id:uuid}/download.setlist", media_type="application/octet-stream",
         summary="Clone Hero's .setlist file")
    async def download_setlist(self, request: Request, gateway: Gateway,
                               setlist_id: uuid.UUID) -> Response[bytes]:
        view = await setlist_ops.readable(gateway, principal_of(request), setlist_id)
        return await setlist_ops.setlist_download(gateway, view)

    @get("/{setlist_id:uuid}/download.zip", media_type="application/zip",
         summary="A zip of the setlist's songs")
    async def download_zip(self, request: Request, gateway: Gateway, setlist_id: uuid.UUID
                           ) -> Stream:
        view = await setlist_ops.readable(gateway, principal_of(request), setlist_id)
        return await setlist_ops.zip_download(gateway, view)

    @staticmethod
    async def _changed(request: Request, gateway: Gateway, setlist_id: uuid.UUID, write,
                       *args: Any) -> SetlistAnswer:
        await setlist_ops.change(gateway, principal_of(request), setlist_id, write, *args)
        return setlist_ops.as_json(await setlist_ops.readable(gateway, principal_of(request),
                                                              setlist_id))
