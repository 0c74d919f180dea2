"""Who may call what: write endpoints take an API token (`Authorization: Bearer`) or a
signed-in session (whose form posts the CSRF check covers)."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from services.gateway.security import current_user
from services.gateway.tokens import Principal


async def _principal(connection: ASGIConnection) -> Principal:
    header = connection.headers.get("authorization")
    if header is None:  # a browser: the signed-in user of the session, if any
        user = await current_user(connection)
        if user is None:
            raise NotAuthorizedException("Sign in, or send an API token: "
                                         "Authorization: Bearer <token>.")
        return Principal(user.username, user.role)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("An API token is required: Authorization: Bearer <token>.")
    principal = await connection.app.state.gateway.principal(token.strip())
    if principal is None:
        raise NotAuthorizedException("This API token is unknown or revoked.")
    return principal


async def principal_if_any(connection: ASGIConnection) -> Principal | None:
    """Who is calling, or None for an anonymous caller or an unknown token (no refusal)."""
    try:
        return await _principal(connection)
    except NotAuthorizedException:
        return None


def _requires(role: str):
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = await _principal(connection)
        if not principal.may(role):
            raise PermissionDeniedException(f"This needs the {role} role.")
        connection.scope.setdefault("state", {})["principal"] = principal

    return guard


require_signed_in = _requires("viewer")  # anyone signed in or with a token, even when
# browsing is public: what belongs to someone (their setlists) needs to know who is asking
require_uploader = _requires("uploader")
require_admin = _requires("admin")


async def may_browse(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Every read, pages and API alike: open to everyone when browsing is public, else to anyone
    signed in or sending an API token, whatever the role."""
    if not connection.app.state.gateway.settings.public_browsing:
        await _principal(connection)


def principal_of(connection: ASGIConnection) -> Principal:
    """Who a route behind `require_signed_in` (or a stricter guard) is answering."""
    return connection.scope["state"]["principal"]
