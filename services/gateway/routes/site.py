"""The browser-facing part of the gateway as one list, plus what its templates need."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router

from services.gateway.routes import (
    admin,
    auth,
    chart_preview,
    downloads,
    generator,
    media,
    pages,
    song_page,
    uploads_page,
)
from services.gateway.routes.custom_page import CUSTOM_HANDLERS
from services.gateway.routes.operations import OPERATIONS_HANDLERS
from services.gateway.routes.operations_api import OperationsController
from services.gateway.routes.rendering import minutes
from services.gateway.routes.sync_page import SYNC_HANDLERS

STATIC = Path(__file__).resolve().parents[1] / "static"

PAGE_HANDLERS = [
    pages.home, pages.library, pages.bulk, song_page.song, song_page.edit,
    chart_preview.chart_preview,
    uploads_page.upload_page, uploads_page.upload_detail, uploads_page.upload_status,
    auth.login_page, auth.login, auth.logout, admin.users_page, admin.add_user,
    media.album_art, media.audio, downloads.download_zip, downloads.download_sng,
    *CUSTOM_HANDLERS, *SYNC_HANDLERS, generator.generator_page, generator.generate,
    *OPERATIONS_HANDLERS, OperationsController,
    create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False,
                               cache_control=None),
]


def page_url(params: dict[str, Any], number: int) -> str:
    return urlencode({**params, "page": number})


def configure_templates(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters.update(minutes=minutes, pageurl=page_url)
