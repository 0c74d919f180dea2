"""Every HTTP route handler of the gateway, in one list: the map of what it serves.

Each module here holds route handlers (and controllers) with their request and response
schemas only; what they compute or render lives in `services.gateway` and its `rendering`
package. `app.create_app` registers `ROUTE_HANDLERS`.
"""

from __future__ import annotations

from pathlib import Path

from litestar.static_files import create_static_files_router

from services.gateway.routes import (
    admin,
    api,
    auth,
    chart_preview,
    custom_page,
    downloads,
    generator,
    home,
    library_api,
    media,
    operations_api,
    operations_pages,
    pages,
    resumable_api,
    setlist_pages,
    setlists_api,
    song_page,
    sync_page,
    uploads_api,
    uploads_page,
    versions_page,
)

STATIC = Path(__file__).resolve().parents[1] / "static"

PAGE_HANDLERS = [
    home.home, home.activity,
    pages.library, pages.bulk,
    song_page.song, song_page.edit, song_page.difficulties, chart_preview.chart_preview,
    versions_page.split_version, versions_page.link_version, versions_page.version_for_rig,
    uploads_page.upload_page, uploads_page.upload_detail, uploads_page.upload_status_fragment,
    auth.login_page, auth.login, auth.logout,
    admin.users_page, admin.add_user,
    media.album_art, media.audio,
    downloads.download_zip, downloads.download_sng,
    setlist_pages.setlists_page, setlist_pages.create_setlist, setlist_pages.add_to_setlist,
    setlist_pages.setlist_page, setlist_pages.rename_setlist, setlist_pages.delete_setlist,
    setlist_pages.move_song, setlist_pages.remove_song, setlist_pages.share_setlist,
    setlist_pages.download_setlist, setlist_pages.download_setlist_zip,
    setlist_pages.shared_setlist, setlist_pages.shared_setlist_file,
    setlist_pages.shared_setlist_zip,
    custom_page.custom_file, custom_page.confirm_custom_delete, custom_page.custom_delete,
    custom_page.custom_list, custom_page.custom_upload,
    sync_page.sync_page, sync_page.pair_rig, sync_page.choose,
    generator.generator_page, generator.generate,
    operations_pages.operations_home, operations_pages.reindex,
    operations_pages.dead_letters_page, operations_pages.retry_dead_letters,
    operations_pages.discard_dead_letters, operations_pages.upload_history_page,
    operations_pages.tokens_page, operations_pages.create_token_page,
    operations_pages.revoke_token_page,
]
"""Server-rendered pages and the form posts and files they use."""

API_HANDLERS = [
    operations_api.OperationsController,
    resumable_api.ResumableUploadsController,
    uploads_api.UploadsController,
    api.SongsController,
    library_api.LibraryController,
    setlists_api.SetlistsController,
    api.health,
]
"""The JSON API (and `/health`), documented at `/schema`."""

ROUTE_HANDLERS = [
    *PAGE_HANDLERS,
    *API_HANDLERS,
    create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False,
                               cache_control=None),
]
