"""Sign-in and sign-out with a username and password; the session lives server-side."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from services.gateway.deps import Gateway
from services.gateway.security import current_user, sign_in_rate_limit
from services.gateway.users import authenticate


class SignInForm(BaseModel):
    username: str = Field(default="", max_length=200)
    password: str = Field(default="", max_length=1000)
    next: str = Field(default="/", max_length=2000)


def safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after sign-in would help phishing."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@get("/login", include_in_schema=False)
async def login_page(request: Request, next: str | None = None) -> Template:
    return Template("login.html", context={
        "user": await current_user(request), "next": safe_next(next), "username": "",
        "error": None, "active": "login"})


@post("/login", include_in_schema=False, middleware=[sign_in_rate_limit().middleware])
async def login(request: Request, gateway: Gateway,
                data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
                ) -> Template | Redirect:
    user = await gateway.read(authenticate, data.username, data.password)
    if user is None:
        return Template("login.html", status_code=401, context={
            "user": None, "next": safe_next(data.next), "username": data.username,
            "error": "That username and password do not match.", "active": "login"})
    request.set_session({"user_id": str(user.id)})
    return Redirect(safe_next(data.next), status_code=303)


@post("/logout", include_in_schema=False)
async def logout(request: Request) -> Redirect:
    request.clear_session()
    return Redirect("/", status_code=303)

