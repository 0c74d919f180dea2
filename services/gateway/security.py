"""Browser-facing protection: who is signed in, CSRF, the stores, security headers, and where
a sign-in may lead (local paths only)."""

from __future__ import annotations

import secrets
import uuid

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.sessions import SESSION_KEY
from services.gateway.users import SignedIn, signed_in

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# The OpenAPI viewers load scripts from a CDN; they get no page CSP of ours.
_NO_CSP_PREFIXES = ("/schema",)


def stores(redis_url: str | None) -> dict[str, Store]:
    """Sessions and rate-limit counters: in Redis when configured (shared by every gateway)."""
    if not redis_url:
        return {"sessions": MemoryStore(), "rate_limit": MemoryStore()}
    from litestar.stores.redis import RedisStore  # the Redis client only where it is used

    root = RedisStore.with_client(url=redis_url, namespace="chhub")
    return {"sessions": root.with_namespace("sessions"),
            "rate_limit": root.with_namespace("rate_limit")}


class BearerExemptCSRF(CSRFMiddleware):
    """Litestar's CSRF check, except for API calls carrying a token, which no browser sends on
    its own; multipart posts must send the token as a header, so uploads are never buffered."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = MutableScopeHeaders(scope) if scope["type"] == "http" else None
        if headers is not None:
            scheme = headers.get("authorization", "").partition(" ")[0]
            if scheme.lower() == "bearer" or _anonymous_api_call(scope, headers):
                await self.app(scope, receive, send)
                return
            multipart = headers.get("content-type", "").startswith("multipart/")
            if multipart and not headers.get(self.config.header_name):
                raise PermissionDeniedException("Send the CSRF token in the X-CSRFToken header.")
        await super().__call__(scope, receive, send)


def _anonymous_api_call(scope: Scope, headers: MutableScopeHeaders) -> bool:
    """An API call with no session cookie has no ambient credential to forge: the guards
    answer it (401) rather than the CSRF check (403)."""
    return scope["path"].startswith("/api/") and f"{SESSION_KEY}=" not in headers.get("cookie", "")


def csrf_middleware(secret: str | None, secure: bool) -> DefineMiddleware:
    config = CSRFConfig(secret=secret or secrets.token_urlsafe(32), cookie_samesite="strict",
                        cookie_secure=secure)
    return DefineMiddleware(BearerExemptCSRF, config=config)


def security_headers(app: ASGIApp) -> ASGIApp:
    """Adds CSP, nosniff and framing headers unless the response set its own CSP."""
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_NO_CSP_PREFIXES):
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


async def current_user(connection: ASGIConnection) -> SignedIn | None:
    """The signed-in user of this request's session, looked up once per request."""
    state = connection.scope.setdefault("state", {})
    if "chhub_user" not in state:
        state["chhub_user"] = await _lookup(connection)
    return state["chhub_user"]


async def _lookup(connection: ASGIConnection) -> SignedIn | None:
    session = connection.scope.get("session")
    raw = session.get("user_id") if isinstance(session, dict) else None
    if not raw:
        return None
    try:
        user_id = uuid.UUID(raw)
    except ValueError:
        return None
    return await connection.app.state.gateway.read(signed_in, user_id)


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: local paths only, since an open redirect would help
    phishing."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target
