"""Composition root of the gateway: the Litestar app. Nothing connects at import time, and it
serves (`/health` says what it waits for) while the broker, database or object store is away."""

from __future__ import annotations

import asyncio
import gc
from contextlib import suppress
from pathlib import Path
from typing import Any

import anyio
import urllib3
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from sqlalchemy.exc import DBAPIError

from services.gateway.deps import Gateway
from services.gateway.error_responses import database_away, http_error, server_error, store_away
from services.gateway.home_figures import HomeFigures
from services.gateway.observed import http_observability
from services.gateway.rendering.templates import configure_templates
from services.gateway.restarts import serve_restarts
from services.gateway.routes import ROUTE_HANDLERS
from services.gateway.searchers import make_searcher
from services.gateway.security import csrf_middleware, security_headers, stores
from services.gateway.sessions import session_config
from services.gateway.settings import GatewayServiceSettings
from services.gateway.upkeep import Background
from shared import telemetry
from shared.persistence.db import make_engine, make_sessions
from shared.readiness import Readiness, database_probe, object_store_probe, wait_for
from shared.service import broker_probe, make_broker, make_store
from shared.settings import GatewaySettings
from shared.storage import ObjectStore


def proxy_options(settings: GatewaySettings) -> dict[str, Any]:
    """uvicorn's handling of `X-Forwarded-For`/`-Proto`: believed from the configured proxies
    only, else a client could name any address (and dodge the sign-in limit) with one header."""
    trusted = [address.strip() for address in settings.trusted_proxies.split(",")
               if address.strip()]
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


async def exempt_startup_objects_from_collection() -> None:
    """Moves every object alive once the app has started (modules, routes, models, pools)
    out of the garbage collector's sight: a full collection would otherwise walk them all,
    pausing every request in flight (at 4 connections, one search in twenty waited 100 ms)."""
    gc.collect()
    gc.freeze()


def serve() -> None:
    """The gateway in the foreground (`chhub run gateway`)."""
    import uvicorn

    settings = GatewayServiceSettings()
    # No WebSocket routes: without ws="none" uvicorn loads a WebSocket library anyway.
    uvicorn.run(create_app(settings), host=settings.gateway_host, port=settings.gateway_port,
                log_level="warning", timeout_graceful_shutdown=10, ws="none",
                **proxy_options(settings))


def create_app(settings: GatewayServiceSettings | None = None,
               store: ObjectStore | None = None) -> Litestar:
    settings = settings or GatewayServiceSettings()
    broker = make_broker(settings)
    gateway = Gateway(
        settings=settings,
        sessions=make_sessions(make_engine(settings.database_url, settings.database_pool_size)),
        store=store or make_store(settings),
        broker=broker,
        searcher=make_searcher(settings.search_url, settings.database_url),
    )
    figures = HomeFigures(gateway)

    background = Background(gateway)  # the relay connects to the broker, whenever it can
    readiness = Readiness()
    waiting: list[asyncio.Task] = []

    async def wait_for_dependencies() -> None:
        """In the background, so that `/health` says what is awaited meanwhile."""
        waiting.append(asyncio.create_task(wait_for({
            "broker": broker_probe(broker, settings),
            "database": database_probe(gateway.sessions),
            "object_store": object_store_probe(gateway.store, settings.uploads_bucket),
        }, readiness)))

    async def start_search() -> None:
        """A local index loads in the background; searches wait for it a while."""
        gateway.searcher.start()

    async def disconnect() -> None:
        for task in waiting:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await figures.close()
        await background.stop()
        await broker.stop()
        await anyio.to_thread.run_sync(gateway.searcher.stop)
        gateway.song_rows.close()

    observed = http_observability()
    if telemetry.enabled():  # on the metrics listener, beside the other metrics
        serve_restarts(settings.data_dir)
    return Litestar(
        route_handlers=ROUTE_HANDLERS,
        middleware=[*observed.middleware, security_headers,
                    session_config(settings.secure_cookies).middleware,
                    csrf_middleware(settings.secret_key, settings.secure_cookies)],
        stores=stores(settings.redis_url),
        plugins=[HTMXPlugin(), *observed.plugins],
        exception_handlers={HTTPException: http_error, DBAPIError: database_away,
                            urllib3.exceptions.HTTPError: store_away, Exception: server_error},
        dependencies={"gateway": Provide(lambda: gateway, use_cache=True, sync_to_thread=False),
                      "figures": Provide(lambda: figures, use_cache=True, sync_to_thread=False)},
        state=State({"gateway": gateway, "readiness": readiness}),
        on_startup=[background.start, wait_for_dependencies, start_search,
                    exempt_startup_objects_from_collection],
        on_shutdown=[disconnect],
        template_config=TemplateConfig(directory=Path(__file__).with_name("templates"),
                                       engine=JinjaTemplateEngine,
                                       engine_callback=configure_templates),
        openapi_config=OpenAPIConfig(title="Clone Hero Hub", version="0.1.0", path="/schema"),
    )
