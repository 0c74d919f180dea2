"""What a reduction emits: the notes of one generated difficulty, in scan-chart's note terms."""

from __future__ import annotations

from dataclasses import dataclass

GENERATED_DIFFICULTIES = ("hard", "medium", "easy")


@dataclass(frozen=True, order=True)
class GeneratedNote:
    """One note: `lane` is a scan-chart note type (N_GREEN, N_KICK, ...), `flags` its F_* bits
    (strum, hopo or tap for frets; tom or cymbal for drums)."""

    tick: int
    lane: int
    length: int = 0
    flags: int = 0


@dataclass(frozen=True)
class GeneratedPart:
    """One instrument at one generated difficulty."""

    instrument: str
    difficulty: str
    notes: tuple[GeneratedNote, ...]

    def chords(self) -> list[tuple[int, list[GeneratedNote]]]:
        """The notes grouped by tick, in tick order."""
        grouped: dict[int, list[GeneratedNote]] = {}
        for note in sorted(self.notes):
            grouped.setdefault(note.tick, []).append(note)
        return list(grouped.items())
