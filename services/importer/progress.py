"""How far an import has got: songs and bytes done toward their totals, the rates over the
last few seconds, and the time left. Pure: every moment is given, nothing reads a clock."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from shared.import_run import duration

__all__ = ["MIB", "Pace", "ProgressMeter", "describe", "duration", "time_left"]

WINDOW_SECONDS = 20.0
MIB = 2**20


@dataclass(frozen=True)
class Pace:
    """One reading of a meter."""

    songs_done: int
    songs_total: int
    bytes_done: int
    bytes_total: int
    failed: int
    elapsed: float
    songs_per_second: float | None
    bytes_per_second: float | None
    eta_seconds: float | None


class ProgressMeter:
    """Songs and bytes done; rates measured over a sliding window of recent time, so a slow
    start or a pause long ago does not skew the time left."""

    def __init__(self, songs_total: int, bytes_total: int, started_at: float, *,
                 failed: int = 0, window_seconds: float = WINDOW_SECONDS) -> None:
        self.songs_total, self.bytes_total = songs_total, bytes_total
        self.songs_done = self.bytes_done = 0
        self.failed = failed
        self._started_at = started_at
        self._window = window_seconds
        # (moment, songs done, bytes done); the oldest is the window's baseline.
        self._samples: deque[tuple[float, int, int]] = deque([(started_at, 0, 0)])

    def record(self, at: float, *, songs: int = 0, bytes_done: int = 0, failed: int = 0) -> None:
        """`songs` more are done at `at` (of which `failed` failed), `bytes_done` more sent."""
        self.songs_done += songs
        self.bytes_done += bytes_done
        self.failed += failed
        self._samples.append((at, self.songs_done, self.bytes_done))

    def reading(self, now: float) -> Pace:
        while len(self._samples) > 1 and self._samples[1][0] <= now - self._window:
            self._samples.popleft()
        since, songs_then, bytes_then = self._samples[0]
        span = now - since
        song_rate = (self.songs_done - songs_then) / span if span > 0 else None
        byte_rate = (self.bytes_done - bytes_then) / span if span > 0 else None
        return Pace(self.songs_done, self.songs_total, self.bytes_done, self.bytes_total,
                    self.failed, now - self._started_at, song_rate, byte_rate,
                    time_left(self.songs_total - self.songs_done, song_rate,
                              self.bytes_total - self.bytes_done, byte_rate))


def time_left(songs_left: int, songs_per_second: float | None, bytes_left: int,
              bytes_per_second: float | None) -> float | None:
    """Seconds left: by the bytes still to send when they are known, since sending is what
    takes the time, else by the songs; None while nothing has moved."""
    if songs_left <= 0 and bytes_left <= 0:
        return 0.0
    if bytes_left > 0 and bytes_per_second:
        return bytes_left / bytes_per_second
    if songs_left > 0 and songs_per_second:
        return songs_left / songs_per_second
    return None


def describe(label: str, pace: Pace) -> str:
    """One line: `Sending: 12/80 songs, 1.5 songs/s, 3.2 MiB sent (0.4 MiB/s), ETA 45s,
    0 failed`; the bytes part only where the meter counts bytes, the total and time left
    only where the total is known."""
    counted = f"{pace.songs_done}/{pace.songs_total}" if pace.songs_total else pace.songs_done
    parts = [f"{label}: {counted} songs", f"{_rate(pace.songs_per_second)} songs/s"]
    if pace.bytes_total:
        parts.append(f"{pace.bytes_done / MIB:.1f} MiB sent "
                     f"({_rate(pace.bytes_per_second, MIB)} MiB/s)")
    if pace.songs_total:
        parts.append(f"ETA {duration(pace.eta_seconds)}")
    return ", ".join([*parts, f"{pace.failed} failed"])


def _rate(per_second: float | None, unit: float = 1) -> str:
    return "?" if per_second is None else f"{per_second / unit:.1f}"
