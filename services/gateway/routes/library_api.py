"""The library's JSON API: search with every filter, totals, and duplicate groups."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, get
from litestar.exceptions import ValidationException
from litestar.params import Parameter

from services.catalog import library
from services.catalog.library import BadLibraryQuery, LibraryQuery
from services.gateway.deps import Gateway

Instrument = Literal["guitar", "guitarcoop", "rhythm", "bass", "drums", "keys", "guitarghl",
                     "guitarcoopghl", "rhythmghl", "bassghl"]
Difficulty = Literal["easy", "medium", "hard", "expert"]
DrumType = Literal["fourLane", "fourLanePro", "fiveLane"]
Sort = Literal["name", "artist", "album", "year", "length", "added", "nps"]
Duplicates = Literal["chart", "title"]


def _flag(what: str) -> Any:
    return Parameter(default=None, description=f"true: only songs {what}; false: only without.")


class LibraryController(Controller):
    path = "/api/library"
    tags = ["library"]

    @get("/", summary="Search the library: typo-forgiving text, filters, sorts and pages")
    async def search(
        self, gateway: Gateway,
        q: str | None = Parameter(default=None, max_length=200, description=(
            "Words of the name, artist, album, genre or charter; typos are forgiven. "
            "Results come most similar first unless `sort` is given.")),
        instrument: Instrument | None = Parameter(default=None, description=(
            "Only songs with a chart for this instrument.")),
        difficulty: Difficulty | None = Parameter(default=None, description=(
            "Only songs charted at this difficulty (for `instrument` when given).")),
        drum_type: DrumType | None = Parameter(default=None, description="Drum chart type."),
        has_lyrics: bool | None = _flag("with lyrics"),
        has_solos: bool | None = _flag("with solo sections"),
        has_taps: bool | None = _flag("with tap notes"),
        has_open_notes: bool | None = _flag("with open notes"),
        has_video: bool | None = _flag("with a video background"),
        has_issues: bool | None = _flag("that scan-chart reports issues for"),
        min_length_s: int | None = Parameter(default=None, ge=0, description=(
            "Shortest length in seconds (the ini's song_length, else the charted span).")),
        max_length_s: int | None = Parameter(default=None, ge=0,
                                             description="Longest length in seconds."),
        min_year: int | None = Parameter(default=None, ge=0, description="Earliest year."),
        max_year: int | None = Parameter(default=None, ge=0, description="Latest year."),
        genre: str | None = Parameter(default=None, max_length=200, description=(
            "Genre, ignoring case.")),
        charter: str | None = Parameter(default=None, max_length=200, description=(
            "Part of the charter's name, ignoring case.")),
        duplicates: Duplicates | None = Parameter(default=None, description=(
            "chart: songs whose chart is also in another folder; title: songs charted more "
            "than once (same artist and title, different charts). Groups come together.")),
        sort: Sort | None = Parameter(default=None, description=(
            "Sort key; `added` is when the song entered the library, `nps` its densest second. "
            "Default: similarity with `q`, else name.")),
        descending: bool = Parameter(default=False, description="Reverse the sort."),
        page: int = Parameter(default=1, ge=1, description="Page number, from 1."),
        per_page: int = Parameter(default=50, ge=1, le=200, description="Songs per page."),
    ) -> dict[str, Any]:
        """Each item carries its difficulty badges (`parts`: per instrument, the ini tier and
        the difficulties charted with note counts) and its duplicate labels. `params` is the
        query as URL parameters, defaults left out."""
        try:
            query = LibraryQuery(
                text=q, instrument=instrument, difficulty=difficulty, drum_type=drum_type,
                has_lyrics=has_lyrics, has_solos=has_solos, has_taps=has_taps,
                has_open_notes=has_open_notes, has_video=has_video, has_issues=has_issues,
                min_length_s=min_length_s, max_length_s=max_length_s, min_year=min_year,
                max_year=max_year, genre=genre, charter=charter, duplicates=duplicates,
                sort=sort, descending=descending, page=page, per_page=per_page)
        except BadLibraryQuery as error:
            raise ValidationException(str(error)) from None
        result = await gateway.read(library.search_library, query)
        return {"total": result.total, "page": query.page, "per_page": query.per_page,
                "params": query.to_params(), "items": result.items}

    @get("/totals", summary="Songs, artists, charters, hours of music, songs per instrument")
    async def totals(self, gateway: Gateway) -> dict[str, Any]:
        return await gateway.read(library.library_totals)

    @get("/duplicates", summary="Groups of duplicate songs, by chart or by title")
    async def duplicates(
        self, gateway: Gateway,
        kind: Duplicates = Parameter(default="chart", description=(
            "chart: the same chart in several folders; title: the same song, charted "
            "differently.")),
        limit: int = Parameter(default=100, ge=1, le=1000, description="Most groups returned."),
    ) -> dict[str, Any]:
        groups = await gateway.read(library.duplicate_groups, kind, limit)
        return {"kind": kind, "groups": [
            {"key": group.key, "songs": group.songs} for group in groups]}
