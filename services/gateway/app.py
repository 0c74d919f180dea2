"""Composition root of the gateway: the Litestar app. Nothing connects at import time."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.template import TemplateConfig

from services.catalog.db import make_engine, make_sessions
from services.gateway.deps import Gateway
from services.gateway.observed import http_observability
from services.gateway.routes.api import SongsController, UploadsController, health
from services.gateway.routes.errors import http_error, server_error
from services.gateway.routes.library_api import LibraryController
from services.gateway.routes.resumable_api import ResumableUploadsController
from services.gateway.routes.site import PAGE_HANDLERS, configure_templates
from services.gateway.security import (
    csrf_middleware,
    security_headers,
    session_config,
    stores,
)
from services.gateway.settings import GatewayServiceSettings
from shared.service import declare_all, make_broker, make_store
from shared.storage import ObjectStore


def create_app(settings: GatewayServiceSettings | None = None,
               store: ObjectStore | None = None) -> Litestar:
    settings = settings or GatewayServiceSettings()
    broker = make_broker(settings)
    gateway = Gateway(
        settings=settings,
        sessions=make_sessions(make_engine(settings.database_url, settings.database_pool_size)),
        store=store or make_store(settings),
        broker=broker,
    )

    async def connect() -> None:
        await declare_all(broker, settings)

    async def disconnect() -> None:
        await broker.stop()

    observed = http_observability()
    return Litestar(
        route_handlers=[*PAGE_HANDLERS, ResumableUploadsController, UploadsController,
                        SongsController, LibraryController, health, *observed.route_handlers],
        middleware=[*observed.middleware, security_headers, session_config().middleware,
                    csrf_middleware(settings.secret_key)],
        stores=stores(settings.redis_url),
        plugins=[HTMXPlugin(), *observed.plugins],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        dependencies={"gateway": Provide(lambda: gateway, use_cache=True, sync_to_thread=False)},
        state=State({"gateway": gateway}),
        on_startup=[connect],
        on_shutdown=[disconnect],
        template_config=TemplateConfig(directory=Path(__file__).with_name("templates"),
                                       engine=JinjaTemplateEngine,
                                       engine_callback=configure_templates),
        openapi_config=OpenAPIConfig(title="Clone Hero Hub", version="0.1.0", path="/schema"),
    )
