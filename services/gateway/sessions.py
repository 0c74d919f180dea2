"""Sign-in sessions kept server-side: the session id in the `chhub_session` cookie is always
one the server made, a new one at every sign-in, and signing out expires the cookie at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

SESSION_KEY = "chhub_session"
SESSION_MAX_AGE = 14 * 24 * 3600
# Per-request facts kept in the ASGI scope's state between loading and storing the session.
_STORED = "chhub_session_stored"  # the cookie named a session the store holds
_ID = "chhub_session_id"  # the id this response gives the session
_RENEW = "chhub_session_renew"  # a sign-in: replace the id


class IssuedSessions(ServerSideSessionBackend):
    """Litestar's server-side sessions, except that:

    - an id the store does not hold (never issued, expired, or planted by someone else) is
      never adopted: a session gets a new id the server makes;
    - a sign-in (`renew_session`) moves the session to a new id and forgets the old one, so
      an id known before signing in is worth nothing after;
    - an empty session is never stored: a visitor who has not signed in costs no store write
      and gets no cookie;
    - signing out expires the cookie with `Max-Age=0`.
    """

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        _state(connection)[_STORED] = bool(data)
        return data

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = _state(connection)
        if _ID not in state:
            cookie = connection.cookies.get(self.config.key)
            state[_ID] = cookie if cookie and state.get(_STORED) else self.generate_session_id()
        return state[_ID]

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection) -> None:
        state = _state(connection)
        empty = scope_session is Empty or not scope_session
        if state.get(_RENEW) or empty:
            if state.get(_STORED):  # the old id ends here, whatever comes next
                store = self.config.get_store_from_app(connection.scope["app"])
                await self.delete(self.get_session_id(connection), store=store)
            if empty:
                if connection.cookies.get(self.config.key):  # signed out, or a stale cookie
                    MutableScopeHeaders.from_message(message).add(
                        "Set-Cookie", self._expired_cookie().to_header(header=""))
                return
            state[_ID] = self.generate_session_id()
        await super().store_in_message(scope_session, message, connection)

    def _expired_cookie(self) -> Cookie:
        params = dict(extract_dataclass_items(self.config, exclude_none=True,
                                              include=Cookie.__dict__.keys()))
        return Cookie(**{**params, "key": self.config.key, "value": "", "max_age": 0})


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = IssuedSessions


def session_config(secure: bool) -> ServerSideSessionConfig:
    """`secure`: the cookie is sent over HTTPS only (set it when the hub is behind TLS)."""
    return SessionConfig(key=SESSION_KEY, max_age=SESSION_MAX_AGE, httponly=True,
                         samesite="lax", secure=secure, store="sessions")


def renew_session(connection: ASGIConnection, data: dict[str, Any]) -> None:
    """Sign in: `data` becomes the session, under a new id made for it."""
    _state(connection)[_RENEW] = True
    connection.set_session(data)


def _state(connection: ASGIConnection) -> dict[str, Any]:
    return connection.scope.setdefault("state", {})
