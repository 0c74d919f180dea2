"""What `chhub import` and the gateway agree on: the headers an import run sends with each
upload (its run id, and how many songs the run sends in all), and how its pace is written."""

from __future__ import annotations

IMPORT_RUN_HEADER = "X-Import-Run"
IMPORT_SONGS_HEADER = "X-Import-Songs"


def duration(seconds: float | None) -> str:
    """45s, 3m07s, 2h05m; ? when unknown."""
    if seconds is None:
        return "?"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
