"""The RabbitMQ topology: quorum queues, at-least-once dead-lettering, retry queues."""

from __future__ import annotations

import re
import typing

from shared.events import (
    AnyEvent,
    SongFound,
    SongParsed,
    UploadFailed,
    UploadReceived,
    UploadUnpacked,
)
from shared.messaging import RetryPolicy, attempt_of
from shared.persistence.upload_stages import SONG_STAGES
from shared.topology import ALL_CONSUMERS, ATTEMPT_HEADER, DEAD, EVENTS, EXTRACT, PROGRESS

ROUTING_KEYS = {cls.routing_key for cls in typing.get_args(typing.get_args(AnyEvent)[0])}


def _topic_pattern(binding: str) -> re.Pattern[str]:
    words = [{"*": r"[^.]+", "#": r".*"}.get(word, re.escape(word)) for word in binding.split(".")]
    return re.compile(r"\.".join(words))


def test_every_consumer_queue_is_quorum_with_at_least_once_dead_lettering():
    for consumer in ALL_CONSUMERS:
        queue = consumer.queue(delivery_limit=5)
        assert queue.arguments["x-queue-type"] == "quorum"
        assert queue.durable
        assert queue.arguments["x-dead-letter-exchange"] == DEAD.name
        assert queue.arguments["x-dead-letter-strategy"] == "at-least-once"
        assert queue.arguments["x-overflow"] == "reject-publish"
        assert queue.arguments["x-delivery-limit"] == 5


def test_retry_queues_send_expired_messages_back_to_their_consumer():
    retry = EXTRACT.retry_queue(2)
    assert retry.name == "ingest.extract.retry.2"
    assert retry.arguments["x-dead-letter-exchange"] == ""
    assert retry.arguments["x-dead-letter-routing-key"] == "ingest.extract"


def test_queue_names_are_unique():
    names = [consumer.queue_name for consumer in ALL_CONSUMERS]
    assert len(names) == len(set(names))


def test_the_attempt_is_counted_from_x_death_of_the_retry_queues():
    headers = {"x-death": [
        {"queue": "ingest.extract.retry.1", "reason": "expired", "count": 1},
        {"queue": "ingest.extract.retry.2", "reason": "expired", "count": 1},
        {"queue": "other.queue.retry.1", "reason": "expired", "count": 4},
    ]}
    assert attempt_of(headers, EXTRACT) == 3
    assert attempt_of({ATTEMPT_HEADER: 4}, EXTRACT) == 4
    assert attempt_of({}, EXTRACT) == 1


def test_retries_back_off_and_then_give_up():
    policy = RetryPolicy((1.0, 5.0, 30.0))
    assert [policy.delay_after(n) for n in (1, 2, 3, 4)] == [1.0, 5.0, 30.0, None]


def test_every_binding_to_the_events_exchange_matches_an_event_type():
    for consumer in ALL_CONSUMERS:
        if consumer.exchange != EVENTS:
            continue
        for binding in consumer.routing_keys:
            pattern = _topic_pattern(binding)
            assert any(pattern.fullmatch(key) for key in ROUTING_KEYS), (consumer, binding)


def test_progress_hears_every_stage_it_records_but_the_songs_found_and_parsed():
    """`upload.unpacked` lists the songs found, and `song.cataloged` follows `song.parsed` at
    once: a message per song fewer each, and no second copy of the parsed song's scan."""
    keys = set(PROGRESS.routing_keys)
    assert SongFound.routing_key not in keys and SongParsed.routing_key not in keys
    recorded = {kind.routing_key for kind in SONG_STAGES if kind not in {SongFound, SongParsed}}
    assert recorded | {UploadReceived.routing_key, UploadUnpacked.routing_key,
                       UploadFailed.routing_key} == keys
    # what it listened to before, unbound from an upgraded broker
    assert {"song.*", "song.parsed"} <= set(PROGRESS.retired_keys)
