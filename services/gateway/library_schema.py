"""The library search API's response shape, as pydantic models the OpenAPI schema shows, and
the search box syntax as documented there and on the /library page."""

from __future__ import annotations

from pydantic import BaseModel, Field

SYNTAX_HELP = """Search box syntax (the `q` parameter), parts joined by spaces, all must hold:

- `iron maiden`: words of the name, artist, album, genre or charter; typos are forgiven
- `artist:"iron maiden"`: a text field contains the value (`name`, `artist`, `album`,
  `genre`, `year`, `charter`); `artist="Iron Maiden"` equals it (ignoring case)
- `-charter:foo`, `-live`: a leading minus excludes what follows
- `nps>8`, `avgnps:4..6`, `length<3:30`, `year:1990..1999`, `drums.tier>=4`,
  `diff_guitar:..2`: ranges (length in seconds or minutes:seconds; `..` joins the ends)
- `drums:expert`, `keys:any`, `difficulty:expert`: a part charted
- `has:solos`, `no:video`: has or has not `solos`, `forced`, `open`, `taps`, `lyrics`,
  `vocals`, `rolls`, `2xkick`, `issues`, `video`, `modchart`
- `drumtype:pro` (`4`, `pro`, `5`), `md5:<hash>,<hash>`, `charthash:<hash>`,
  `trackhash:<hash>`, `modified>2024-05-01`
- `versions:all`: every version of a song its own result; by default (`versions:grouped`) a
  song's versions make one result, its newest version that matches, with the versions counted

A part that is not understood answers 400 with a message naming it."""

# The same, as (example, meaning) lines for the /library page.
SYNTAX_LINES = [
    ('artist:"iron maiden"', "a field contains the value: name, artist, album, genre, year, "
                             "charter"),
    ('artist="Iron Maiden"', "… equals it (ignoring case)"),
    ("-charter:foo  -live", "a leading minus excludes"),
    ("nps>8  avgnps:4..6  length<3:30  year:1990..1999", "ranges (.. joins the ends)"),
    ("drums.tier>=4  diff_guitar:..2", "the song.ini difficulty tier of an instrument"),
    ("drums:expert  keys:any  difficulty:expert", "a part charted"),
    ("has:solos  no:video", "solos, forced, open, taps, lyrics, vocals, rolls, 2xkick, "
                            "issues, video, modchart"),
    ("drumtype:pro  md5:…,…  charthash:…  trackhash:…", "drum type and hash lookups"),
    ("modified>2024-05-01", "changed after a date"),
    ("versions:all", "every version of a song its own row (by default one row per song, its "
                     "newest matching version, with its versions counted)"),
]


class PartBadge(BaseModel):
    instrument: str
    tier: int | None = Field(description="The song.ini difficulty tier, when given.")
    difficulties: list[str] = Field(description="Difficulties charted, easiest first.")
    notes: dict[str, int] = Field(description="Notes per difficulty.")
    max_nps: float | None = Field(description="The densest second of any difficulty.")


class DuplicateLabels(BaseModel):
    same_chart: int = Field(description="Other folders holding the same chart.")
    other_charts: int = Field(description="Other charts of the same artist and title.")
    labels: list[str]


class VersionGroup(BaseModel):
    group: str = Field(description="The song's version group: the id shared by every version.")
    count: int = Field(description=(
        "How many versions the group holds (1: this song alone). A library search shows one "
        "item per group unless it asks for `versions=all`; the song page lists them all."))


class LibrarySong(BaseModel):
    id: str
    name: str
    artist: str
    album: str | None
    genre: str | None
    year: str | None
    charter: str | None
    length_ms: int | None
    instruments: list[str]
    drum_type: str | None
    has_lyrics: bool
    has_solos: bool
    has_taps: bool
    has_open_notes: bool
    has_video: bool
    has_issues: bool
    issue_count: int
    max_nps: float | None
    album_art_file: str | None
    preview_start_ms: int | None
    chart_hash: str | None
    file_path: str
    created_at: str = Field(description="When the song entered the library (ISO 8601).")
    parts: list[PartBadge]
    duplicates: DuplicateLabels
    versions: VersionGroup
    similarity: float | None = Field(default=None, description=(
        "How closely the song matches the words typed, 0 to 1; only with words."))


class Facets(BaseModel):
    """Songs per value over the whole result, not just the page."""

    instrument: dict[str, int]
    difficulty: dict[str, int]
    genre: dict[str, int] = Field(description="The most common genres, most songs first.")
    charter: dict[str, int] = Field(description="The most common charters, most songs first.")
    decade: dict[str, int] = Field(description="Keyed like `1990s`.")


class LibraryPage(BaseModel):
    total: int = Field(description=(
        "Songs matching, on every page: one per version group unless `versions=all`."))
    page: int
    per_page: int
    params: dict[str, str] = Field(description="The search as URL parameters, defaults left out.")
    next_cursor: str | None = Field(description=(
        "Pass as `cursor` for the page after this one; null on the last page."))
    facets: Facets
    items: list[LibrarySong]


class DuplicateGroup(BaseModel):
    key: str = Field(description="What the songs share: a chart hash, or an artist and title")
    songs: list[LibrarySong]


class DuplicateGroups(BaseModel):
    kind: str = Field(description="`chart` or `title`")
    groups: list[DuplicateGroup]
