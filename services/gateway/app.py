"""Composition root of the gateway: the Litestar app. Nothing connects at import time."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.template import TemplateConfig

from services.catalog.db import make_engine, make_sessions
from services.gateway.deps import Gateway
from services.gateway.routes.api import SongsController, UploadsController, health
from services.gateway.routes.pages import home
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

    return Litestar(
        route_handlers=[home, UploadsController, SongsController, health],
        dependencies={"gateway": Provide(lambda: gateway, use_cache=True, sync_to_thread=False)},
        state=State({"gateway": gateway}),
        on_startup=[connect],
        on_shutdown=[disconnect],
        template_config=TemplateConfig(directory=Path(__file__).with_name("templates"),
                                       engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(title="Clone Hero Hub", version="0.1.0", path="/schema"),
    )
