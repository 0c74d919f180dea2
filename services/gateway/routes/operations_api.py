"""The operations pages' JSON twins (admins; an API token needs no CSRF token): dead letters,
the upload history and API tokens."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar import Controller, delete, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Parameter
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE

from services.gateway import operations as ops
from services.gateway.deps import Gateway
from services.gateway.guards import require_admin
from services.gateway.tokens import list_tokens

MESSAGE_ID = Parameter(query="message_id", default=None, max_length=200,
                       description="Only the dead letter with this message id; all when left out")


async def _settle(gateway: Gateway, queue: str, message_id: str | None, retry: bool) -> int:
    try:
        return await ops.settle_letters(gateway, queue, message_id, retry=retry)
    except ops.UnknownQueue as error:
        raise NotFoundException(str(error)) from None
    except ops.OperationFailed as error:
        raise HTTPException(str(error), status_code=HTTP_503_SERVICE_UNAVAILABLE) from None


class OperationsController(Controller):
    path = "/api/operations"
    tags = ["operations"]
    guards = [require_admin]

    @get("/dead-letters", summary="Every dead-lettered message with its queue, reason and "
                                  "attempts, left in place")
    async def dead_letters(self, gateway: Gateway) -> dict[str, Any]:
        try:
            letters = await ops.dead_letters(gateway)
        except ops.OperationFailed as error:
            raise HTTPException(str(error), status_code=HTTP_503_SERVICE_UNAVAILABLE) from None
        return {"total": len(letters), "items": letters}

    @post("/dead-letters/{queue:str}/retry", status_code=200,
          summary="Send a queue's dead letters (or one) back to its consumer, attempts reset")
    async def retry(self, gateway: Gateway, queue: str,
                    message_id: str | None = MESSAGE_ID) -> dict[str, Any]:
        return {"queue": queue, "message_id": message_id,
                "retried": await _settle(gateway, queue, message_id, retry=True)}

    @post("/dead-letters/{queue:str}/discard", status_code=200,
          summary="Drop a queue's dead letters (or one) for good")
    async def discard(self, gateway: Gateway, queue: str,
                      message_id: str | None = MESSAGE_ID) -> dict[str, Any]:
        return {"queue": queue, "message_id": message_id,
                "discarded": await _settle(gateway, queue, message_id, retry=False)}

    @get("/uploads", summary="Upload history, newest first, filtered, with a total count")
    async def uploads(
        self, gateway: Gateway,
        upload_state: str | None = Parameter(query="state", default=None,
                                             description=" | ".join(ops.UPLOAD_STATES)),
        source: str | None = Parameter(default=None,
                                       description=" | ".join(ops.UPLOAD_SOURCES)),
        q: str | None = Parameter(default=None, max_length=200,
                                  description="Part of the file name"),
        since: date | None = Parameter(default=None, description="Arrived on or after"),
        until: date | None = Parameter(default=None, description="Arrived on or before"),
        page: int = Parameter(default=1, ge=1),
        per_page: int = Parameter(default=50, ge=1, le=200),
    ) -> dict[str, Any]:
        try:
            filters = ops.UploadFilters.from_params({
                "state": upload_state, "source": source, "q": q, "since": since, "until": until,
                "page": page, "per_page": per_page})
        except ValueError as error:
            raise HTTPException(str(error), status_code=HTTP_400_BAD_REQUEST) from None
        history = await ops.upload_history(gateway, filters)
        return {"total": history.total, "page": page, "per_page": per_page,
                "items": history.items}

    @post("/reindex", status_code=202,
          summary="Read again every song an older parser read (as `chhub reindex`)")
    async def reindex(self, gateway: Gateway) -> dict[str, int]:
        return {"songs": await ops.reindex(gateway)}

    @get("/tokens", summary="API tokens with their role and dates (never their secret)")
    async def tokens(self, gateway: Gateway) -> dict[str, Any]:
        return {"items": await gateway.read(list_tokens)}

    @post("/tokens", status_code=201,
          summary="Create an API token; its secret is in this answer and nowhere else")
    async def create_token(self, gateway: Gateway, data: ops.NewToken) -> dict[str, Any]:
        token_id, token = await ops.issue_token(gateway, data)
        return {"id": str(token_id), "name": data.name, "role": data.role, "token": token}

    @delete("/tokens/{token_id:uuid}", status_code=204,
            summary="Revoke an API token; requests with it are refused from now on")
    async def revoke_token(self, gateway: Gateway, token_id: uuid.UUID) -> None:
        if not await ops.revoke(gateway, token_id):
            raise NotFoundException(f"No token {token_id}, or it was already revoked.")
