"""Administration pages: who may sign in, and with which role."""

from __future__ import annotations

from typing import Annotated

import anyio
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from pydantic import BaseModel, Field

from services.gateway.deps import Gateway
from services.gateway.guards import require_admin
from services.gateway.rendering.templates import page
from services.gateway.tokens import ROLES
from services.gateway.users import UserError, create_user, list_users
from shared.persistence.db import transaction


class NewUser(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1000)
    role: str = Field(default="viewer", pattern="^(viewer|uploader|admin)$")


@get("/admin/users", include_in_schema=False, guards=[require_admin])
async def users_page(request: Request, gateway: Gateway) -> Template:
    return await page(request, "admin_users.html", active="admin",
                      users=await gateway.read(list_users), roles=ROLES, message=None)


@post("/admin/users", include_in_schema=False, guards=[require_admin], status_code=200)
async def add_user(request: Request, gateway: Gateway,
                   data: Annotated[NewUser, Body(media_type=RequestEncodingType.URL_ENCODED)]
                   ) -> Template:
    def create() -> str:
        with transaction(gateway.sessions) as session:
            return create_user(session, data.username, data.password, data.role).username

    try:
        message = ("ok", f"{await anyio.to_thread.run_sync(create)} can sign in now.")
    except UserError as error:
        message = ("error", str(error).capitalize() + ".")
    return await page(request, "admin_users.html", active="admin", roles=ROLES, message=message,
                      users=await gateway.read(list_users),
                      status_code=200 if message[0] == "ok" else 400)
