"""Operations pages (admins): dead letters to retry or discard, the upload history with its
filters, and API tokens. Discarding and revoking ask for a confirmation first."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import BaseModel, Field

from services.gateway import operator_actions as actions
from services.gateway.deps import Gateway
from services.gateway.guards import require_admin
from services.gateway.rendering.templates import page
from services.gateway.tokens import ROLES
from shared.persistence.api_tokens import list_tokens

Message = tuple[str, str] | None


class SettleForm(BaseModel):
    queue: str = Field(max_length=200)
    message_id: str = Field(default="", max_length=200)
    confirmed: bool = False


class TokenForm(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: str = Field(default="uploader", pattern="^(viewer|uploader|admin)$")


class ConfirmForm(BaseModel):
    confirmed: bool = False


def _form(model: type[BaseModel]) -> Any:
    return Annotated[model, Body(media_type=RequestEncodingType.URL_ENCODED)]


def _render(request: Request, section: str, status_code: int = 200, **context: Any):
    return page(request, "operations.html", active="operations", section=section,
                status_code=status_code, **context)


@get("/operations", include_in_schema=False, guards=[require_admin])
async def operations_home() -> Redirect:
    return Redirect("/operations/dead-letters", status_code=303)


async def _dead_letters_page(request: Request, gateway: Gateway, message: Message = None,
                             status_code: int = 200) -> Template:
    try:
        letters, broker_error = await actions.dead_letters(gateway), None
    except actions.OperationFailed as error:
        letters, broker_error = [], str(error)
    queues: dict[str, list[actions.DeadLetterSummary]] = {}
    for letter in letters:
        queues.setdefault(letter.queue, []).append(letter)
    return await _render(request, "dead-letters", status_code, queues=queues,
                         total=len(letters), message=message, broker_error=broker_error)


@post("/operations/reindex", include_in_schema=False, guards=[require_admin], status_code=200)
async def reindex(request: Request, gateway: Gateway) -> Template:
    count = await actions.reindex(gateway)
    note = (f"Reindexing {count} song(s) read by an older parser." if count
            else "Every song is already read by the current parser.")
    return await _dead_letters_page(request, gateway, message=("ok", note))


@get("/operations/dead-letters", include_in_schema=False, guards=[require_admin])
async def dead_letters_page(request: Request, gateway: Gateway) -> Template:
    return await _dead_letters_page(request, gateway)


async def _settle(request: Request, gateway: Gateway, data: SettleForm, retry: bool) -> Template:
    verb = "retried" if retry else "discarded"
    try:
        count = await actions.settle_letters(gateway, data.queue, data.message_id, retry=retry)
    except actions.OperationFailed as error:
        return await _dead_letters_page(request, gateway, ("error", str(error)), 400)
    text = (f"{count} message{'' if count == 1 else 's'} of {data.queue} {verb}."
            if count else "Nothing to do: that message is no longer there.")
    return await _dead_letters_page(request, gateway, ("ok", text))


@post("/operations/dead-letters/retry", include_in_schema=False, guards=[require_admin],
      status_code=200)
async def retry_dead_letters(request: Request, gateway: Gateway,
                             data: _form(SettleForm)) -> Template:
    return await _settle(request, gateway, data, retry=True)


@post("/operations/dead-letters/discard", include_in_schema=False, guards=[require_admin],
      status_code=200)
async def discard_dead_letters(request: Request, gateway: Gateway,
                               data: _form(SettleForm)) -> Template:
    if not data.confirmed:
        return await page(request, "operations_confirm.html", active="operations",
                          kind="discard", queue=data.queue, message_id=data.message_id)
    return await _settle(request, gateway, data, retry=False)


@get("/operations/uploads", include_in_schema=False, guards=[require_admin])
async def upload_history_page(request: Request, gateway: Gateway) -> Template:
    try:
        filters = actions.UploadFilters.from_params(request.query_params)
    except ValueError as error:
        raise HTTPException(detail=str(error), status_code=HTTP_400_BAD_REQUEST) from None
    history = await actions.upload_history(gateway, filters)
    return await _render(request, "uploads", filters=filters, history=history,
                         pages=max(1, -(-history.total // filters.per_page)),
                         params=filters.to_params(), states=actions.UPLOAD_STATES,
                         sources=actions.UPLOAD_SOURCES)


async def _tokens_page(request: Request, gateway: Gateway, message: Message = None,
                       created: dict[str, str] | None = None, status_code: int = 200
                       ) -> Template:
    return await _render(request, "tokens", status_code, tokens=await gateway.read(list_tokens),
                         roles=ROLES, message=message, created=created)


@get("/operations/tokens", include_in_schema=False, guards=[require_admin])
async def tokens_page(request: Request, gateway: Gateway) -> Template:
    return await _tokens_page(request, gateway)


@post("/operations/tokens", include_in_schema=False, guards=[require_admin], status_code=200)
async def create_token_page(request: Request, gateway: Gateway,
                            data: _form(TokenForm)) -> Template:
    new = actions.NewToken(name=data.name, role=data.role)
    _, token = await actions.issue_token(gateway, new)
    answer = await _tokens_page(request, gateway, created={"name": new.name, "role": new.role,
                                                           "token": token})
    answer.headers["Cache-Control"] = "no-store"  # the secret is shown once, never kept
    return answer


@post("/operations/tokens/{token_id:uuid}/revoke", include_in_schema=False,
      guards=[require_admin], status_code=200)
async def revoke_token_page(request: Request, gateway: Gateway, token_id: uuid.UUID,
                            data: _form(ConfirmForm)) -> Template:
    if not data.confirmed:
        token = next((t for t in await gateway.read(list_tokens) if t.id == token_id),
                     None)
        return await page(request, "operations_confirm.html", active="operations",
                          kind="revoke", token=token, token_id=str(token_id))
    if await actions.revoke(gateway, token_id):
        return await _tokens_page(request, gateway, ("ok", "The token is revoked; "
                                                     "requests with it are refused from now on."))
    return await _tokens_page(request, gateway, ("error", "No such token, or it was already "
                                                 "revoked."), status_code=404)
