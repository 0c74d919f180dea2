"""The operations pages' JSON twins (admins; an API token needs no CSRF token): dead letters,
the upload history and API tokens."""

from __future__ import annotations

import uuid
from datetime import date

from litestar import Controller, delete, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Parameter, QueryParameter
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE
from pydantic import Field

from services.gateway import operator_actions as actions
from services.gateway.answers import Answer
from services.gateway.deps import Gateway
from services.gateway.guards import require_admin
from shared.persistence.api_tokens import TokenSummary, list_tokens
from shared.persistence.queries import UploadRow

MESSAGE_ID = QueryParameter(name="message_id", default=None, max_length=200,
                       description="Only the dead letter with this message id; all when left out")


async def _settle(gateway: Gateway, queue: str, message_id: str | None, retry: bool) -> int:
    try:
        return await actions.settle_letters(gateway, queue, message_id, retry=retry)
    except actions.UnknownQueue as error:
        raise NotFoundException(str(error)) from None
    except actions.OperationFailed as error:
        raise HTTPException(str(error), status_code=HTTP_503_SERVICE_UNAVAILABLE) from None


class DeadLetters(Answer):
    total: int
    items: list[actions.DeadLetterSummary]


class Retried(Answer):
    queue: str
    message_id: str | None
    retried: int = Field(description="How many messages went back to their consumer")


class Discarded(Answer):
    queue: str
    message_id: str | None
    discarded: int = Field(description="How many messages were dropped")


class UploadHistory(Answer):
    total: int = Field(description="Uploads matching the filters, on every page")
    page: int
    per_page: int
    items: tuple[UploadRow, ...]


class ReindexStarted(Answer):
    songs: int = Field(description="Songs sent to the parse stage again")


class Tokens(Answer):
    items: list[TokenSummary]


class TokenIssued(Answer):
    id: uuid.UUID
    name: str
    role: str
    token: str = Field(description="The secret: shown in this answer and nowhere else")


class OperationsController(Controller):
    path = "/api/operations"
    tags = ["operations"]
    guards = [require_admin]

    @get("/dead-letters", summary="Every dead-lettered message with its queue, reason and "
                                  "attempts, left in place")
    async def dead_letters(self, gateway: Gateway) -> DeadLetters:
        try:
            letters = await actions.dead_letters(gateway)
        except actions.OperationFailed as error:
            raise HTTPException(str(error), status_code=HTTP_503_SERVICE_UNAVAILABLE) from None
        return DeadLetters(total=len(letters), items=letters)

    @post("/dead-letters/{queue:str}/retry", status_code=200,
          summary="Send a queue's dead letters (or one) back to its consumer, attempts reset")
    async def retry(self, gateway: Gateway, queue: str,
                    message_id: str | None = MESSAGE_ID) -> Retried:
        return Retried(queue=queue, message_id=message_id,
                       retried=await _settle(gateway, queue, message_id, retry=True))

    @post("/dead-letters/{queue:str}/discard", status_code=200,
          summary="Drop a queue's dead letters (or one) for good")
    async def discard(self, gateway: Gateway, queue: str,
                      message_id: str | None = MESSAGE_ID) -> Discarded:
        return Discarded(queue=queue, message_id=message_id,
                         discarded=await _settle(gateway, queue, message_id, retry=False))

    @get("/uploads", summary="Upload history, newest first, filtered, with a total count")
    async def uploads(
        self, gateway: Gateway,
        upload_state: str | None = QueryParameter(name="state", default=None,
                                             description=" | ".join(actions.UPLOAD_STATES)),
        source: str | None = Parameter(default=None,
                                       description=" | ".join(actions.UPLOAD_SOURCES)),
        q: str | None = Parameter(default=None, max_length=200,
                                  description="Part of the file name"),
        since: date | None = Parameter(default=None, description="Arrived on or after"),
        until: date | None = Parameter(default=None, description="Arrived on or before"),
        page: int = Parameter(default=1, ge=1),
        per_page: int = Parameter(default=50, ge=1, le=200),
    ) -> UploadHistory:
        try:
            filters = actions.UploadFilters.from_params({
                "state": upload_state, "source": source, "q": q, "since": since, "until": until,
                "page": page, "per_page": per_page})
        except ValueError as error:
            raise HTTPException(str(error), status_code=HTTP_400_BAD_REQUEST) from None
        history = await actions.upload_history(gateway, filters)
        return UploadHistory(total=history.total, page=page, per_page=per_page,
                             items=history.items)

    @post("/reindex", status_code=202,
          summary="Read again every song an older parser read (as `chhub reindex`)")
    async def reindex(self, gateway: Gateway) -> ReindexStarted:
        return ReindexStarted(songs=await actions.reindex(gateway))

    @get("/tokens", summary="API tokens with their role and dates (never their secret)")
    async def tokens(self, gateway: Gateway) -> Tokens:
        return Tokens(items=await gateway.read(list_tokens))

    @post("/tokens", status_code=201,
          summary="Create an API token; its secret is in this answer and nowhere else")
    async def create_token(self, gateway: Gateway, data: actions.NewToken) -> TokenIssued:
        token_id, token = await actions.issue_token(gateway, data)
        return TokenIssued(id=token_id, name=data.name, role=data.role, token=token)

    @delete("/tokens/{token_id:uuid}", status_code=204,
            summary="Revoke an API token; requests with it are refused from now on")
    async def revoke_token(self, gateway: Gateway, token_id: uuid.UUID) -> None:
        if not await actions.revoke(gateway, token_id):
            raise NotFoundException(f"No token {token_id}, or it was already revoked.")
