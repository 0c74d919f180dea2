"""The base of every read model: a frozen pydantic model that a query returns, a template
reads by attribute and an HTTP handler returns as its JSON body (its fields are the response
schema the OpenAPI document shows). Consumes and emits nothing."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Timestamp = Annotated[str, Field(description="ISO 8601 date and time, with its offset")]


class ReadModel(BaseModel):
    """What a read gives back: immutable, and refusing fields it does not declare."""

    model_config = ConfigDict(frozen=True, extra="forbid")
