"""The home page: library totals, uploads and imports in progress, the latest uploads, and the
pipeline's health (the costly figures come from snapshots, see home_figures)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse
from services.gateway.home_figures import HomeFigures
from services.gateway.queue_depths import services_up
from services.gateway.rendering.templates import page
from services.gateway.restarts import supervised
from services.gateway.rigs import rig_overview
from shared.persistence import queries, upload_activity


@get("/", include_in_schema=False, guards=[may_browse])
async def home(request: Request, gateway: Gateway, figures: HomeFigures) -> Template:
    uploads = await gateway.read(queries.recent_uploads, 8)
    activity = await gateway.read(upload_activity.in_progress)
    queues = await figures.queues.get()
    return await page(request, "home.html", active="home", totals=await figures.totals.get(),
                      activity=activity, uploads=uploads, queues=queues,
                      services=services_up(queues),
                      broker_ok=await _broker_ok(gateway),
                      supervised=supervised(gateway.settings.data_dir),
                      rigs=await rig_overview(gateway.settings, completion=False))


@get("/activity", include_in_schema=False, guards=[may_browse])
async def activity(request: Request, gateway: Gateway) -> Template:
    """The home page's part that shows what is in progress, which it fetches again and again."""
    return await page(request, "_activity.html",
                      activity=await gateway.read(upload_activity.in_progress))


async def _broker_ok(gateway: Gateway) -> bool:
    try:
        return await gateway.ping_broker()
    except Exception:
        return False
