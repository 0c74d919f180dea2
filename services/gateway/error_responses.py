"""Friendly error pages for people; the usual JSON for API clients, and the bodies of an upload
refused (`UploadRefused`) or to be sent again later (`RetryLater`), with the OpenAPI response
specs of both (`UPLOAD_ERRORS`)."""

from __future__ import annotations

import uuid
from typing import Literal
from urllib.parse import quote

import structlog
import urllib3
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.exceptions.responses import create_exception_response
from litestar.openapi import ResponseSpec
from litestar.response import Redirect, Template
from pydantic import Field
from sqlalchemy.exc import DBAPIError, OperationalError

from services.gateway.answers import Answer, absent_when_none
from services.gateway.intake import UploadUnavailable

HEADINGS = {
    400: ("That request looks wrong", "Something in the address or form is not valid."),
    401: ("Please sign in", "Sign in to see this."),
    403: ("Not for you, this one", "Your account does not have the role this needs."),
    404: ("Song not found", "There is nothing here — maybe it was deleted or the link is old."),
    405: ("Not like that", "This page does not take that kind of request."),
    413: ("That is too big", "The upload is larger than this library accepts."),
    429: ("Slow down", "Too many attempts. Wait a minute and try again."),
    500: ("Something broke backstage", "The error was logged. Please try again in a moment."),
    503: ("Back in a moment", "The library's database is not answering. Try again shortly."),
}
RETRY_AFTER_SECONDS = 30
_API_PREFIXES = ("/api/", "/health", "/schema", "/static/")
log = structlog.get_logger()


class RetryLater(Answer):
    """503: a dependency is away; send the same request again after `Retry-After` seconds."""

    error: str
    retryable: Literal[True] = True
    upload_id: uuid.UUID | None = Field(
        default=None, exclude_if=absent_when_none,
        description="Present when the upload has a row: its status then says it failed")
    status_url: str | None = Field(default=None, exclude_if=absent_when_none)


class UploadRefused(Answer):
    """The upload was not accepted, and why; nothing of it was kept."""

    upload_id: uuid.UUID
    error: str


UPLOAD_ERRORS = {
    400: ResponseSpec(UploadRefused, description="The request holds no acceptable file"),
    413: ResponseSpec(UploadRefused, description="The upload is larger than the library takes"),
    503: ResponseSpec(RetryLater, description="The object store or the database is away"),
}
"""The answers an upload may get besides its acceptance, for the OpenAPI document."""


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return (not path.startswith(_API_PREFIXES) and request.method in ("GET", "POST", "HEAD")
            and "text/html" in request.headers.get("accept", ""))


def http_error(request: Request, error: HTTPException) -> Response:
    if not _wants_page(request):
        return create_exception_response(request, error)
    if error.status_code == 401:
        return Redirect(f"/login?next={quote(request.url.path)}", status_code=303)
    heading, message = HEADINGS.get(error.status_code, (f"Error {error.status_code}", error.detail))
    if error.status_code in (400, 403) and error.detail:
        message = error.detail
    if "CSRF" in str(error.detail):
        message = "This form expired. Go back, reload the page and try again."
    return _page(request, error.status_code, heading, message)


def server_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error", path=request.url.path, exc_info=error)
    if not _wants_page(request):
        return Response({"status_code": 500, "detail": "Internal Server Error"}, status_code=500)
    return _page(request, 500, *HEADINGS[500])


def database_away(request: Request, error: DBAPIError) -> Response:
    """A refused or lost database connection is an outage the client can wait out: 503 with
    `Retry-After` (and `retryable: true` for API clients), not a server error."""
    if not isinstance(error, OperationalError) and not error.connection_invalidated:
        return server_error(request, error)
    log.warning("database.unavailable", path=request.url.path, error=str(error.orig)[:300])
    return _away(request, "database", HEADINGS[503][1])


def store_away(request: Request, error: urllib3.exceptions.HTTPError) -> Response:
    """The object store refused or dropped the connection (the S3 client gave up after its
    retries): an outage too, answered as the database's is."""
    log.warning("object_store.unavailable", path=request.url.path, error=str(error)[:300])
    return _away(request, "object store",
                 "The library's file store is not answering. Try again shortly.")


def _away(request: Request, what: str, message: str) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_page(request):
        return _page(request, 503, HEADINGS[503][0], message, headers=headers)
    return Response(RetryLater(error=f"The {what} is unavailable right now; send the request "
                                     "again shortly."),
                    status_code=503, headers=headers)


def retry_later(error: UploadUnavailable, **headers: str) -> Response[RetryLater]:
    """503 with the reason, `retryable`, `Retry-After`, and the upload's id when it has a row
    (its status then says it failed, and why)."""
    body = RetryLater(error=error.reason, upload_id=error.upload_id,
                      status_url=None if error.upload_id is None
                      else f"/api/uploads/{error.upload_id}")
    return Response(body, status_code=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS), **headers})


def _page(request: Request, status: int, heading: str, message: str,
          headers: dict[str, str] | None = None) -> Template:
    # Handlers are synchronous: use the user if this request already looked them up.
    user = request.scope.get("state", {}).get("chhub_user")
    return Template("error.html", status_code=status, headers=headers, context={
        "user": user, "status_code": status, "heading": heading, "message": message})
