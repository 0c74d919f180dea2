"""A large, plausible fake library for benches: songs, song_charts and song_versions rows,
written with COPY. A song charted again, or its chart copied to another folder, is a version of
the earlier song (in its version group), as the catalog would place it."""

from __future__ import annotations

import csv
import hashlib
import io
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.songs.versions import title_key

# Common song words make big match sets (the slow case); made-up words make rare ones.
COMMON = ("love", "night", "fire", "heart", "dream", "blood", "black", "dance", "rain", "shadow",
          "light", "storm", "ghost", "summer", "city", "broken", "wild", "heaven", "devil", "angel",
          "burning", "river", "killer", "electric", "machine", "midnight", "highway", "thunder",
          "crystal", "sugar", "golden", "silver", "lonely", "revolution", "paradise", "forever",
          "chaos", "freedom", "poison", "requiem", "overdrive", "lullaby", "symphony")
SYLLABLES = ("ka", "ri", "mo", "ne", "ta", "vo", "lu", "shi", "ber", "gon", "dra", "fel", "mar",
             "zen", "tor", "qui", "ex", "sol", "vin", "har", "pol", "ste", "cru", "ny", "ash",
             "lor", "dem")
GENRES = ("Rock", "Metal", "Pop", "Punk", "Electronic", "Alternative", "Indie", "Jazz",
          "Chiptune", "Breakcore", "Hard Rock", "Progressive", "Metalcore", "Funk", "Blues",
          "Video game music", "Pop-Rock", "Thrash Metal", "Emo", "Ska")
INSTRUMENT_ODDS = {"guitar": 0.95, "guitarcoop": 0.08, "rhythm": 0.1, "bass": 0.7,
                   "drums": 0.6, "keys": 0.25, "guitarghl": 0.05, "bassghl": 0.03}
DIFFICULTIES = ("easy", "medium", "hard", "expert")
SONG_COLUMNS = (
    "id", "title", "artist", "album", "genre", "year", "charter", "song_length_ms",
    "file_path", "metadata", "md5", "chart_file", "revision", "parser_version", "manifest_key",
    "created_at", "chart_hash", "drum_type", "instruments", "has_lyrics", "has_solos",
    "has_taps", "has_open_notes", "has_video", "has_issues", "issue_count", "max_nps",
    "effective_length_ms", "album_art_file", "preview_start_ms", "year_number", "parts")
CHART_COLUMNS = ("song_id", "instrument", "difficulty", "note_count", "max_nps", "ini_tier")


@dataclass
class FakeSong:
    title: str
    artist: str
    instruments: list[str]


class Library:
    """Deterministic fake songs; `songs` keeps what query generators need."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.artists = [self.phrase(1, 3) for _ in range(6000)]
        self.charters = [self.word() + self.rng.choice(("", "99", "_x", "Hero")) for _ in
                         range(500)]
        self.songs: list[FakeSong] = []
        self.groups = 0
        """How many version groups (one library row each) the songs written make."""
        self.common = ""
        """A title word many songs share, once a bench has chosen one."""
        self.now = datetime.now(UTC)

    def word(self) -> str:
        if self.rng.random() < 0.35:
            return self.rng.choice(COMMON)
        return "".join(self.rng.choices(SYLLABLES, k=self.rng.randint(2, 4)))

    def phrase(self, low: int, high: int) -> str:
        return " ".join(self.word() for _ in range(self.rng.randint(low, high))).title()

    def pick(self, items: list[str], head: float) -> str:
        # A few artists and charters hold many songs, as in real libraries: a third of the
        # songs come from a head of about `head` names, the rest from anyone.
        if self.rng.random() < 0.33:
            return items[min(int(self.rng.expovariate(1 / head)), len(items) - 1)]
        return items[self.rng.randrange(len(items))]

    def write(self, cursor, count: int) -> None:
        """COPY `count` songs, their charts and their version groups through a psycopg2
        cursor."""
        songs, charts, versions = io.StringIO(), io.StringIO(), io.StringIO()
        song_rows, chart_rows = csv.writer(songs), csv.writer(charts)
        version_rows = csv.writer(versions)
        hashes: list[tuple[str, FakeSong]] = []
        groups: list[uuid.UUID] = []
        for number in range(count):
            song_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
            song, chart_hash, version_of = self._song(hashes)
            hashes.append((chart_hash, song))
            groups.append(song_id if version_of is None else groups[version_of])
            self.groups += version_of is None
            version_rows.writerow((song_id, groups[-1], title_key(song.artist, song.title),
                                   self.added_at(number).isoformat()))
            self.songs.append(song)
            parts = [row for instrument in song.instruments
                     for row in self._chart_rows(song_id, instrument)]
            names = ",".join(f"{row[1]}:{row[2]}" for row in parts)  # instrument:difficulty
            song_rows.writerow((*self._song_row(number, song_id, song, chart_hash),
                                "{" + names + "}"))
            chart_rows.writerows(parts)
        for written in (songs, charts, versions):
            written.seek(0)
        cursor.copy_expert(f"COPY songs ({', '.join(SONG_COLUMNS)}) FROM STDIN WITH CSV", songs)
        cursor.copy_expert(f"COPY song_charts ({', '.join(CHART_COLUMNS)}) FROM STDIN WITH CSV",
                           charts)
        cursor.copy_expert("COPY song_versions (song_id, group_id, title_key, song_added_at) "
                           "FROM STDIN WITH CSV", versions)

    def _song(self, earlier: list[tuple[str, FakeSong]]) -> tuple[FakeSong, str, int | None]:
        """A song, its chart hash and which earlier song it is a version of, if any."""
        roll = self.rng.random()
        if earlier and roll < 0.02:  # the same chart in another folder
            song = earlier[self.rng.randrange(len(earlier))][1]
            copied = self.rng.randrange(len(earlier))
            return song, earlier[copied][0], copied
        instruments = [name for name, odds in INSTRUMENT_ODDS.items()
                       if self.rng.random() < odds] or ["guitar"]
        chart_hash = hashlib.sha256(self.rng.randbytes(16)).hexdigest()[:43]
        if earlier and roll < 0.05:  # the same song charted again, differently
            other = self.rng.randrange(len(earlier))
            return FakeSong(earlier[other][1].title, earlier[other][1].artist,
                            instruments), chart_hash, other
        artist = self.pick(self.artists, head=300)
        return FakeSong(self.phrase(1, 4), artist, instruments), chart_hash, None

    def added_at(self, number: int) -> datetime:
        return self.now - timedelta(minutes=count_minutes(number))

    def _song_row(self, number: int, song_id: uuid.UUID, song: FakeSong, chart_hash: str):
        rng = self.rng
        year = rng.randint(1960, 2024) if rng.random() < 0.9 else None
        length = rng.randint(60_000, 600_000)
        drums = rng.choice(("fourLane", "fourLanePro", "fourLanePro", "fiveLane")) \
            if "drums" in song.instruments else None
        flags = [rng.random() < odds for odds in (0.4, 0.5, 0.15, 0.2, 0.05, 0.7)]
        album = self.phrase(1, 3) if rng.random() < 0.8 else None
        charter = self.pick(self.charters, head=20)
        return (song_id, song.title, song.artist, album,
                rng.choice(GENRES), year if year else "Unknown Year", charter,
                length if rng.random() < 0.85 else None, f"songs/{song_id}", "{}",
                song_id.hex, "notes.chart", 1, 1, f"manifests/{song_id}/1.json",
                self.added_at(number).isoformat(), chart_hash,
                drums, "{" + ",".join(song.instruments) + "}", *flags,
                rng.randint(1, 6) if flags[-1] else 0, round(rng.uniform(3, 30), 2),
                length - rng.randint(0, 20_000), "album.png" if rng.random() < 0.6 else None,
                rng.randint(0, 60_000), year)

    def _chart_rows(self, song_id: uuid.UUID, instrument: str):
        tier = self.rng.randint(-1, 6)
        for difficulty in DIFFICULTIES:
            if difficulty == "expert" or self.rng.random() < 0.6:
                yield (song_id, instrument, difficulty, self.rng.randint(50, 3000),
                       round(self.rng.uniform(1, 30), 2), tier if tier >= 0 else None)


def count_minutes(number: int) -> int:
    """Songs were added over the last few years, newest last."""
    return (100_000 - number) * 17
