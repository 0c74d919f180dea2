"""Who may call what: write endpoints take an API token (`Authorization: Bearer`)."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from services.gateway.tokens import Principal


async def _principal(connection: ASGIConnection) -> Principal:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("An API token is required: Authorization: Bearer <token>.")
    principal = await connection.app.state.gateway.principal(token.strip())
    if principal is None:
        raise NotAuthorizedException("This API token is unknown or revoked.")
    return principal


def _requires(role: str):
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = await _principal(connection)
        if not principal.may(role):
            raise PermissionDeniedException(f"This needs the {role} role.")
        connection.scope.setdefault("state", {})["principal"] = principal

    return guard


require_uploader = _requires("uploader")
require_admin = _requires("admin")
