"""The one error the generator raises: the input audio cannot become a song."""

from __future__ import annotations


class GenerationError(Exception):
    """The audio cannot be charted; `reason` says why in words a player understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
