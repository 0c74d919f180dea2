"""When two charts are versions of one song: the pure rules behind the library's version groups
(consumes an artist and a title, emits the key that groups them).

Two songs are versions of one another when

- their artist and title are the same once normalised (`title_key`), or
- they hold the same chart under another folder (the same chart hash), or
- an admin linked them; an admin can also split a song out of a wrong group.

Normalising keeps what tells a different recording apart and drops what only tells a release
or a chart variant apart:

- case, accents (NFKD, combining marks dropped), punctuation and spacing are ignored; an
  apostrophe joins ("Don't" reads "dont"); letters and digits of every script stay; "&"
  reads "and"; a leading "The " of the artist is dropped;
- the artist's "feat. …" / "ft. …" / "featuring …" is dropped, and so is such a part of the title;
- a bracketed or dashed qualifier about the release is dropped: remaster(ed), year, mono,
  stereo, radio edit, single/album version, explicit, clean, "2x bass pedal", "2x kick";
- a qualifier about the performance is kept, since it is another recording with another chart:
  (Live), (Acoustic), (Remix), (Demo), (Instrumental), (Cover) and any qualifier not listed above.

A song without an artist or without a title has no key: it joins a group only by its chart.

A rig receives every version of a song, the newest, or the one an admin chose for it
(`versions_for_rig`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

_FEATURING = re.compile(r"\s*[(\[]?\s*\b(?:feat\.?|ft\.?|featuring)\s.*$", re.IGNORECASE)
_BRACKETED = re.compile(r"\s*[(\[{]([^()\[\]{}]*)[)\]}]\s*$")
_DASHED = re.compile(r"\s+[-\u2013\u2014]\s+([^-\u2013\u2014]+)$")
_RELEASE_WORDS = re.compile(
    r"^(?:(?:\d{4}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+version)?(?:\s+\d{4})?"
    r"|\d{4}|mono|stereo|radio\s+edit|(?:single|album|lp)\s+version|explicit|clean"
    r"|2x\s+(?:bass\s+pedal|kick|pedal)s?)$",
    re.IGNORECASE)
_APOSTROPHES = re.compile(r"['`\u2019\u00b4]")
_UNKNOWN = {"unknown artist", "unknown song", "unknown"}


def title_key(artist: str | None, title: str | None) -> str | None:
    """The key two versions of one song share, or None when artist or title is missing."""
    artist_words = _words(_FEATURING.sub("", artist or ""))
    if artist_words.startswith("the "):
        artist_words = artist_words[4:]
    title_words = _words(_without_release_qualifiers(title or ""))
    if not artist_words or not title_words or {artist_words, title_words} & _UNKNOWN:
        return None
    return f"{artist_words}\u241f{title_words}"


def _without_release_qualifiers(title: str) -> str:
    """`title` less its trailing release qualifiers and featured artists, one at a time."""
    while True:
        stripped = _FEATURING.sub("", title).strip()
        match = _BRACKETED.search(stripped) or _DASHED.search(stripped)
        if match and _RELEASE_WORDS.match(match.group(1).strip()):
            stripped = stripped[:match.start()].strip()
        if stripped == title or not stripped:
            return stripped or title
        title = stripped


def _words(text: str) -> str:
    """Lowercase words of `text` without accents or punctuation, one space apart."""
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c if c.isalnum() else " " for c in decomposed
                      if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


LIBRARY_VERSIONS = ("grouped", "all")
"""How the library shows a song's versions: one row per song (its newest version matching the
search, with the versions counted), or every version its own row."""

RIG_VERSIONS = ("every", "newest", "chosen")
"""What a rig receives of a song's versions: every version, the newest one, or the one an
admin chose for it ("this one"; the newest where none was chosen)."""


@dataclass(frozen=True)
class Version:
    song_id: str
    group_id: str
    added: datetime


def versions_for_rig(versions: Iterable[Version], setting: str,
                     chosen: Collection[str] = ()) -> set[str]:
    """The song ids a rig with `setting` receives of `versions` (the songs its selection
    holds): of each group, all of them, the newest, or the chosen one."""
    versions = list(versions)
    if setting == "every":
        return {v.song_id for v in versions}
    groups: dict[str, list[Version]] = {}
    for version in versions:
        groups.setdefault(version.group_id, []).append(version)
    kept = set()
    for members in groups.values():
        picked = [v for v in members if v.song_id in chosen] if setting == "chosen" else []
        kept.add((picked or [max(members, key=lambda v: (v.added, v.song_id))])[0].song_id)
    return kept
