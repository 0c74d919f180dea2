"""What the operations pages and their JSON twins do: dead letters (list, retry, discard), the
upload history's filters, and API tokens (create once, list, revoke). A dead letter reads as
a `DeadLetterSummary`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Literal

import anyio
from aiormq.exceptions import AMQPError
from pydantic import BaseModel, Field, ValidationError

from services.gateway import tokens
from services.gateway.answers import Answer
from services.gateway.deps import Gateway
from shared.dead_letters import DeadLetter, list_dead_letters, settle
from shared.persistence import queries
from shared.persistence.db import transaction
from shared.topology import ALL_CONSUMERS

UPLOAD_STATES = ("receiving", "received", "processing", "completed", "completed_with_errors",
                 "failed")
UPLOAD_SOURCES = ("gateway", "bucket", "generator")
QUEUES = frozenset(consumer.queue_name for consumer in ALL_CONSUMERS)


class OperationFailed(Exception):
    """The broker could not be reached or refused; `str()` says why, for the page."""


class UnknownQueue(OperationFailed):
    pass


def _uuid_in(body: object, key: str) -> str | None:
    value = body.get(key) if isinstance(body, dict) else None
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


class DeadLetterSummary(Answer):
    """A dead-lettered message: where it failed, why, and what it concerns."""

    queue: str
    stage: str
    message_id: str | None
    event_type: str | None = Field(description="None when the message cannot be read")
    reason: str
    attempts: int
    upload_id: str | None = Field(description="The upload it concerns, when it names one")
    song_id: str | None = Field(description="The song it concerns, when it names one")


def letter_summary(letter: DeadLetter) -> DeadLetterSummary:
    return DeadLetterSummary(
        queue=letter.queue, stage=letter.stage, message_id=letter.message_id,
        event_type=letter.event_type, reason=letter.reason, attempts=letter.attempts,
        upload_id=_uuid_in(letter.body, "upload_id"), song_id=_uuid_in(letter.body, "song_id"))


async def dead_letters(gateway: Gateway) -> list[DeadLetterSummary]:
    try:
        return [letter_summary(letter)
                for letter in await list_dead_letters(gateway.settings.broker_url)]
    except (AMQPError, OSError) as error:
        raise OperationFailed(f"The broker cannot be reached ({error!r}).") from error


async def settle_letters(gateway: Gateway, queue: str, message_id: str | None, *,
                         retry: bool) -> int:
    """Retry or discard one dead letter of `queue` (all of them when `message_id` is None)."""
    if queue not in QUEUES:
        raise UnknownQueue(f"There is no queue {queue!r}.")
    try:
        return await settle(gateway.settings.broker_url, queue, message_id or None, retry=retry)
    except (AMQPError, OSError) as error:
        raise OperationFailed(f"The broker cannot be reached ({error!r}).") from error


class UploadFilters(BaseModel):
    """The upload history's filters; each one left out matches every upload."""

    state: Literal[UPLOAD_STATES] | None = None  # type: ignore[valid-type]
    source: Literal[UPLOAD_SOURCES] | None = None  # type: ignore[valid-type]
    q: str | None = Field(default=None, max_length=200, description="Part of the file name")
    since: date | None = Field(default=None, description="Arrived on or after this day")
    until: date | None = Field(default=None, description="Arrived on or before this day")
    page: int = Field(default=1, ge=1)
    per_page: int = Field(default=50, ge=1, le=200)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> UploadFilters:
        """From a query string, where an empty field means any; raises ValueError."""
        try:
            return cls.model_validate({key: value for key, value in params.items() if value})
        except ValidationError as error:
            raise ValueError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                       for e in error.errors())) from None

    def to_params(self) -> dict[str, str]:
        """The filters that are set, as a query string would carry them (without the page)."""
        defaults = {name: field.default for name, field in type(self).model_fields.items()}
        return {key: str(value) for key, value in self.model_dump(exclude={"page"}).items()
                if value is not None and value != defaults[key]}


async def upload_history(gateway: Gateway, filters: UploadFilters) -> queries.UploadPage:
    return await gateway.read(queries.upload_history, state=filters.state,
                              source=filters.source, text=filters.q, since=filters.since,
                              until=filters.until, page=filters.page,
                              per_page=filters.per_page)


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="Who or what uses the token")
    role: Literal["viewer", "uploader", "admin"] = Field(default="uploader")


async def issue_token(gateway: Gateway, data: NewToken) -> tuple[uuid.UUID, str]:
    """A new token's id and secret; the secret is never stored, only its sha256."""
    def create() -> tuple[uuid.UUID, str]:
        with transaction(gateway.sessions) as session:
            return tokens.issue_token(session, data.name.strip() or "token", data.role)

    return await anyio.to_thread.run_sync(create)


async def revoke(gateway: Gateway, token_id: uuid.UUID) -> bool:
    def run() -> bool:
        with transaction(gateway.sessions) as session:
            return tokens.revoke_token_by_id(session, token_id)

    return await anyio.to_thread.run_sync(run)


async def reindex(gateway: Gateway) -> int:
    """Send every song read by an older parser through the parse stage again; how many."""
    from shared.persistence.replay import Selection, select_songs, stage_message
    from shared.songs.version import PARSER_VERSION

    def messages():
        with gateway.sessions() as session:
            songs = select_songs(session, Selection(parser_older_than=PARSER_VERSION))
            return [stage_message(song, "parse") for song in songs]

    sent = await anyio.to_thread.run_sync(messages)
    for consumer, event in sent:
        await gateway.bus.send(consumer, event)
    return len(sent)
