"""Events of setlists: each change to one (made, renamed, songs added, removed or reordered,
shared, deleted) announced once, under its new version."""

from __future__ import annotations

import uuid
from typing import Any, Self

from pydantic import Field

from shared.events.base import Event


class SetlistChanged(Event, event_type="setlist.changed"):
    """A setlist changed; readers take its current state from the database."""

    setlist_id: uuid.UUID = Field(description="The setlist's id, stable for its life.")
    version: int = Field(ge=1, description="The setlist's version after the change.")
    deleted: bool = Field(default=False, description="The setlist is gone.")

    @classmethod
    def about(cls, setlist_id: uuid.UUID, version: int, **fields: Any) -> Self:
        """The change that brought `setlist_id` to `version`."""
        return cls(event_id=cls.id_for(setlist_id, version, fields.get("deleted", False)),
                   setlist_id=setlist_id, version=version, **fields)
