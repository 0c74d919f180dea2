"""The library's JSON API: search with every filter (answered from the search index),
totals, and duplicate groups."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, get
from litestar.exceptions import ServiceUnavailableException, ValidationException
from litestar.params import Parameter

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse
from services.gateway.library_schema import (
    SYNTAX_HELP,
    DuplicateGroup,
    DuplicateGroups,
    LibraryPage,
    LibrarySong,
)
from services.gateway.searchers import SearchNotReady
from shared.persistence import library
from shared.persistence.library import BadLibraryQuery, LibraryQuery
from shared.persistence.library_totals import LibraryTotals, library_totals
from shared.search.library_syntax import search_syntax
from shared.search.protocol import BadCursor
from shared.search.syntax import BadSearchSyntax

Instrument = Literal["guitar", "guitarcoop", "rhythm", "bass", "drums", "keys", "guitarghl",
                     "guitarcoopghl", "rhythmghl", "bassghl"]
Difficulty = Literal["easy", "medium", "hard", "expert"]
DrumType = Literal["fourLane", "fourLanePro", "fiveLane"]
Sort = Literal["relevance", "name", "artist", "album", "year", "length", "added", "nps",
               "modified"]
Duplicates = Literal["chart", "title"]
Versions = Literal["grouped", "all"]

def _flag(what: str) -> Any:
    return Parameter(default=None, description=f"true: only songs {what}; false: only without.")


def _text(field: str) -> Any:
    return Parameter(default=None, max_length=200, description=(
        f"The {field} contains this, ignoring case (equals it when `exact` names {field}, "
        f"excludes it when `exclude` does)."))


def _range(what: str, unit: str = "") -> Any:
    return Parameter(default=None, ge=0, description=f"{what}{unit}.")


class LibraryController(Controller):
    path = "/api/library"
    tags = ["library"]
    guards = [may_browse]

    @get("/", summary="Search the library: typo-forgiving text and syntax, filters, facets, "
         "sorts, pages and cursors", description=SYNTAX_HELP)
    async def search(
        self, request: Request, gateway: Gateway,
        q: str | None = Parameter(default=None, max_length=500, description=(
            "Words and syntax (see the description above): words of the name, artist, "
            "album, genre or charter with typos forgiven, and filters like `nps>8` or "
            "`-charter:foo`. Results come most similar first unless `sort` is given.")),
        name: str | None = _text("name"),
        artist: str | None = _text("artist"),
        album: str | None = _text("album"),
        genre: str | None = _text("genre"),
        year: str | None = _text("year (as the song.ini writes it)"),
        charter: str | None = _text("charter"),
        exact: str | None = Parameter(default=None, description=(
            "Comma-separated text fields (name, artist, album, genre, year, charter) that "
            "must equal their value, ignoring case.")),
        exclude: str | None = Parameter(default=None, description=(
            "Comma-separated text fields whose value excludes a song instead.")),
        instrument: Instrument | None = Parameter(default=None, description=(
            "Only songs with a chart for this instrument.")),
        difficulty: Difficulty | None = Parameter(default=None, description=(
            "Only songs charted at this difficulty (for `instrument` when given).")),
        drum_type: DrumType | None = Parameter(default=None, description="Drum chart type."),
        has_lyrics: bool | None = _flag("with lyrics"),
        has_vocals: bool | None = _flag("with a vocals chart"),
        has_solos: bool | None = _flag("with solo sections"),
        has_forced: bool | None = _flag("with forced notes"),
        has_taps: bool | None = _flag("with tap notes"),
        has_open_notes: bool | None = _flag("with open notes"),
        has_rolls: bool | None = _flag("with roll lanes (drum rolls, trills)"),
        has_double_kick: bool | None = _flag("with 2x kick notes"),
        has_video: bool | None = _flag("with a video background"),
        has_modchart: bool | None = _flag("marked as modcharts"),
        has_issues: bool | None = _flag("that scan-chart reports issues for"),
        min_length_s: int | None = _range("Shortest length", " in seconds (the ini's "
                                          "song_length, else the charted span)"),
        max_length_s: int | None = _range("Longest length", " in seconds"),
        min_year: int | None = _range("Earliest year"),
        max_year: int | None = _range("Latest year"),
        min_nps: float | None = _range("Least notes per second in the densest second"),
        max_nps: float | None = _range("Most notes per second in the densest second"),
        min_avg_nps: float | None = _range("Least average notes per second (notes over "
                                           "length)"),
        max_avg_nps: float | None = _range("Most average notes per second"),
        min_tier: int | None = _range("Lowest song.ini difficulty tier of `instrument`"),
        max_tier: int | None = _range("Highest song.ini difficulty tier of `instrument`"),
        md5: str | None = Parameter(default=None, max_length=5000, description=(
            "Comma-separated folder md5s: only these songs.")),
        chart_hash: str | None = Parameter(default=None, max_length=200, description=(
            "Only songs with this scan-chart chartHash.")),
        track_hash: str | None = Parameter(default=None, max_length=200, description=(
            "Only songs with a track of this scan-chart trackHash.")),
        modified_after: str | None = Parameter(default=None, max_length=40, description=(
            "Only songs changed after this ISO date or time (UTC unless it says).")),
        duplicates: Duplicates | None = Parameter(default=None, description=(
            "chart: songs whose chart is also in another folder; title: songs charted more "
            "than once (same artist and title). Sorted by artist then name unless `sort` is "
            "given, so copies come together.")),
        sort: Sort | None = Parameter(default=None, description=(
            "Sort key; `added` is when the song entered the library, `nps` its densest second, "
            "`modified` its last change. Default: relevance to the words typed, else name.")),
        descending: bool = Parameter(default=False, description="Reverse the sort."),
        page: int = Parameter(default=1, ge=1, description="Page number, from 1."),
        per_page: int = Parameter(default=50, ge=1, le=200, description="Songs per page."),
        cursor: str | None = Parameter(default=None, max_length=5000, description=(
            "The `next_cursor` of the previous page, with the same search: the next page, "
            "however far into the results, and steady while songs come and go.")),
        versions: Versions | None = Parameter(default=None, description=(
            "grouped (the default): one item per song, however many of its versions match: "
            "its newest matching version, with `versions` counting them; `total`, `facets` "
            "and pages count songs. all: every version its own item. The search box's "
            "`versions:all` says the same.")),
    ) -> Response[LibraryPage]:
        """Each item carries its difficulty badges (`parts`: per instrument, the ini tier and
        the difficulties charted with note counts), its duplicate labels and its version group;
        `facets` count the songs per instrument, difficulty, genre, charter and decade over
        the whole result. `params` is the query as URL parameters, defaults left out."""
        try:
            query = LibraryQuery.from_params(request.query_params)
            syntax = search_syntax(query)
            result = await gateway.search(query, syntax)
        except (BadLibraryQuery, BadSearchSyntax, BadCursor) as error:
            raise ValidationException(str(error)) from None
        except SearchNotReady as error:
            raise ServiceUnavailableException(str(error),
                                              headers={"Retry-After": "5"}) from None
        # The items are `LibrarySong`s as JSON-ready dicts already: building and dumping the
        # model for each answer cost 0.6 ms of a 4 ms search; a test holds the answer to the
        # model's shape.
        return Response({"total": result.total, "page": query.page, "per_page": query.per_page,
                         "params": query.to_params(), "next_cursor": result.next_cursor,
                         "facets": result.facets, "items": result.items})

    @get("/totals", summary="Songs, artists, charters, hours of music, songs per instrument")
    async def totals(self, gateway: Gateway) -> LibraryTotals:
        return await gateway.read(library_totals)

    @get("/duplicates", summary="Groups of duplicate songs, by chart or by title")
    async def duplicates(
        self, gateway: Gateway,
        kind: Duplicates = Parameter(default="chart", description=(
            "chart: the same chart in several folders; title: the same song, charted "
            "differently.")),
        limit: int = Parameter(default=100, ge=1, le=1000, description="Most groups returned."),
    ) -> DuplicateGroups:
        groups = await gateway.read(library.duplicate_groups, kind, limit)
        return DuplicateGroups(kind=kind, groups=[
            DuplicateGroup(key=group.key, songs=[LibrarySong(**song) for song in group.songs])
            for group in groups])
