"""Friendly error pages for people; the usual JSON for API clients."""

from __future__ import annotations

from urllib.parse import quote

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.exceptions.responses import create_exception_response
from litestar.response import Redirect, Template

HEADINGS = {
    400: ("That request looks wrong", "Something in the address or form is not valid."),
    401: ("Please sign in", "Sign in to see this."),
    403: ("Not for you, this one", "Your account does not have the role this needs."),
    404: ("Song not found", "There is nothing here — maybe it was deleted or the link is old."),
    405: ("Not like that", "This page does not take that kind of request."),
    413: ("That is too big", "The upload is larger than this library accepts."),
    429: ("Slow down", "Too many attempts. Wait a minute and try again."),
    500: ("Something broke backstage", "The error was logged. Please try again in a moment."),
}
_API_PREFIXES = ("/api/", "/health", "/schema", "/static/")
log = structlog.get_logger()


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


def _page(request: Request, status: int, heading: str, message: str) -> Template:
    # Handlers are synchronous: use the user if this request already looked them up.
    user = request.scope.get("state", {}).get("chhub_user")
    return Template("error.html", status_code=status, context={
        "user": user, "status_code": status, "heading": heading, "message": message})
