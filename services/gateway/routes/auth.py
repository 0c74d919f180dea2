"""Sign-in and sign-out with a username and password; the session lives server-side."""

from __future__ import annotations

import math
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from services.gateway.deps import Gateway
from services.gateway.security import current_user, safe_next
from services.gateway.sessions import renew_session
from services.gateway.sign_in_limit import SignInLimit
from services.gateway.users import authenticate


class SignInForm(BaseModel):
    username: str = Field(default="", max_length=200)
    password: str = Field(default="", max_length=1000)
    next: str = Field(default="/", max_length=2000)


@get("/login", include_in_schema=False)
async def login_page(request: Request, next: str | None = None) -> Template:
    return Template("login.html", context={
        "user": await current_user(request), "next": safe_next(next), "username": "",
        "error": None, "active": "login"})


@post("/login", include_in_schema=False)
async def login(request: Request, gateway: Gateway,
                data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
                ) -> Template | Redirect:
    """A failed sign-in counts against the account at this address and against the account
    alone; past their limits the password is not even checked until the wait is over."""
    limit = SignInLimit(request.app.stores.get("rate_limit"))
    address = request.client.host if request.client else None
    wait = await limit.wait(data.username, address)
    if wait > 0:
        return _form_again(data, 429, f"Too many failed sign-ins. Try again in "
                                      f"{math.ceil(wait)} seconds.",
                           headers={"Retry-After": str(math.ceil(wait))})
    user = await gateway.read(authenticate, data.username, data.password)
    if user is None:
        await limit.failed(data.username, address)
        return _form_again(data, 401, "That username and password do not match.")
    await limit.succeeded(data.username, address)
    renew_session(request, {"user_id": str(user.id)})
    return Redirect(safe_next(data.next), status_code=303)


def _form_again(data: SignInForm, status: int, error: str,
                headers: dict[str, str] | None = None) -> Template:
    return Template("login.html", status_code=status, headers=headers, context={
        "user": None, "next": safe_next(data.next), "username": data.username, "error": error,
        "active": "login"})


@post("/logout", include_in_schema=False)
async def logout(request: Request) -> Redirect:
    request.clear_session()
    return Redirect("/", status_code=303)

