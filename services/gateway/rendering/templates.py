"""What every page template gets: the signed-in user, the names of instruments and drum types,
which nav item is current, and the filters the templates use (`minutes`, `pageurl`, `duration`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from services.gateway.security import current_user
from shared.import_run import duration
from shared.songs.events import DIFFICULTIES, INSTRUMENTS

INSTRUMENT_NAMES = {
    "guitar": "Guitar", "guitarcoop": "Guitar co-op", "rhythm": "Rhythm", "bass": "Bass",
    "drums": "Drums", "keys": "Keys", "guitarghl": "Guitar (6-fret)",
    "guitarcoopghl": "Co-op (6-fret)", "rhythmghl": "Rhythm (6-fret)", "bassghl": "Bass (6-fret)",
}
DRUM_TYPES = {"fourLane": "4-lane", "fourLanePro": "4-lane pro", "fiveLane": "5-lane"}


async def page(request: Request, template: str, *, status_code: int = 200,
               **context: Any) -> Template:
    user = await current_user(request)
    return Template(template, status_code=status_code, context={
        "user": user, "instrument_names": INSTRUMENT_NAMES, "instruments": INSTRUMENTS,
        "difficulties": DIFFICULTIES, "drum_types": DRUM_TYPES, **context})


def minutes(milliseconds: int | None) -> str:
    """3:07 for 187000 ms; an empty string when unknown."""
    if not milliseconds:
        return ""
    seconds = int(milliseconds) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def page_url(params: dict[str, Any], number: int) -> str:
    """The query string of page `number` of a listing filtered by `params`."""
    return urlencode({**params, "page": number})


def configure_templates(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters.update(minutes=minutes, pageurl=page_url, duration=duration)
    # Templates ship with the code: looking for a newer file at each render (one stat per
    # template and include, 5% of a library page) finds nothing but a new release would.
    engine.engine.auto_reload = False
