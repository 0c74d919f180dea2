"""What the song page and the API offer about lower difficulties generated from Expert: which
parts can be generated, which were, and why a request has nothing to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.songs.reduction.offer import generatable_instruments, marked_generated


@dataclass(frozen=True)
class DifficultyOffer:
    can_generate: tuple[str, ...]
    """Instruments charted on Expert only, in a song with a song.ini to mark them in: Hard,
    Medium and Easy can be generated for them."""
    generated: tuple[str, ...]
    """Instruments whose Hard, Medium and Easy were generated (song.ini says so)."""

    def allows(self, action: str) -> bool:
        return bool(self.can_generate if action == "generate" else self.generated)

    def refusal(self, action: str) -> str:
        if action == "generate":
            return ("No part of this song is charted on Expert only, or the song has no "
                    "song.ini to mark generated difficulties in (they could not be removed).")
        return "This song has no generated difficulties to remove."


def difficulty_offer(scan: Mapping[str, Any]) -> DifficultyOffer:
    """The offer for a song cataloged with `scan`."""
    return DifficultyOffer(tuple(generatable_instruments(scan)), tuple(marked_generated(scan)))
