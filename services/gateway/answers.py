"""The base of the JSON API's answers: a frozen pydantic model whose fields are the response
schema the OpenAPI document shows for the handler that returns it. Consumes and emits
nothing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """A JSON answer: fixed once made, and holding only the fields it declares."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def absent_when_none(value: object) -> bool:
    """For `Field(exclude_if=...)`: a field left out of the JSON when it holds nothing."""
    return value is None
