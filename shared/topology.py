"""The whole RabbitMQ topology: who publishes what and who consumes it.

    gateway ──upload.received──▶ ingest.unpack ──upload.unpacked / song.found──▶
    ingest.extract ──song.extracted / song.duplicate──▶ ingest.parse ──song.parsed──▶
    catalog.catalog ──song.cataloged──▶ sync.publish ──song.published──▶
    catalog.progress (upload.received/unpacked/failed and each song's stages after found,
        all but parsed, which cataloged follows at once) ──upload.completed──▶ ingest.cleanup
    gateway, CLI ──generate.requested──▶ ingest.generate ──upload.received──▶ (as above)
    gateway, catalog.catalog (a new song whose upload or library asks for generated
        difficulties) ──song.edit_requested──▶ ingest.edit ──song.edited / song.extracted──▶
        (as above)
    gateway ──song.deleted──▶ catalog.catalog, sync.publish, ingest.forget (its manifests)
    MinIO ─(chhub.minio, bucket notifications)─▶ ingest.bucket ──upload.received──▶ (as above)
    gateway ──custom.uploaded──▶ ingest.custom ──custom.validated / custom.rejected──▶
    sync.custom ──custom.published──▶; gateway ──custom.deleted──▶ sync.custom
    catalog.custom (every custom.* event: the custom_content table)
    gateway ──rig.selection_changed──▶ sync.rigs ◀──song.published / song.deleted── (a rig's
        own Syncthing folder of the songs chosen for it, kept up to date); setlist.changed
        ──▶ sync.rigs too (a rig may receive a setlist's songs)
    gateway ──setlist.changed──▶ sync.setlists ◀──song.published / song.deleted── (the
        `.setlist` files of the Setlists folder every rig receives)

Every consumer has a durable quorum queue bound to the topic exchange `chhub.events`.
A transient failure is retried through the consumer's delay queues (`<queue>.retry.<n>`, one
per attempt, each message expiring after that attempt's backoff and dead-lettered back into
the consumer's queue). A message that runs out of attempts, or that crashes its consumer more
than `x-delivery-limit` times, lands in `<queue>.dead` through the exchange `chhub.dead`,
dead-lettered at-least-once. No queue name is spelled anywhere else. A queue is bound to the
routing keys of the event types it listens to (each event class names its own), or to a
pattern such as `custom.*`. A key a queue no longer listens to is unbound when the topology is
declared (`Consumer.retired_keys`), so an upgraded broker stops routing it there.
"""

from __future__ import annotations

from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

from shared.events import (
    CustomContentDeleted,
    CustomContentUploaded,
    CustomContentValidated,
    Event,
    RigSelectionChanged,
    SetlistChanged,
    SongAlreadyInLibrary,
    SongCataloged,
    SongDeleted,
    SongEditRequested,
    SongExtracted,
    SongFailed,
    SongFound,
    SongGenerationRequested,
    SongParsed,
    SongPublished,
    UploadCompleted,
    UploadFailed,
    UploadReceived,
    UploadUnpacked,
)

EVENTS = RabbitExchange("chhub.events", type=ExchangeType.TOPIC, durable=True)
DEAD = RabbitExchange("chhub.dead", type=ExchangeType.DIRECT, durable=True)
# MinIO publishes its bucket notifications here (MINIO_NOTIFY_AMQP_* in compose.yaml; durable
# to match this declaration, or MinIO's declaration fails with PRECONDITION_FAILED).
BUCKET_NOTIFICATIONS = RabbitExchange("chhub.minio", type=ExchangeType.FANOUT, durable=True)

# Every event published to `chhub.events` is also appended, by the broker itself, to this
# stream: the pipeline's append-only log. The earlier stages keep their events there rather
# than in tables of their own: the append happens in the broker, in publish order, without a
# second write in any consumer's path, and a stream can be read again from any offset or time.
# The catalog's and the gateway's own events are also kept in the transactional outbox
# (shared/outbox.py).
EVENT_LOG = RabbitQueue("chhub.events.log", queue_type=QueueType.STREAM, durable=True,
                        routing_key="#")

REASON_HEADER = "x-chhub-reason"
ATTEMPT_HEADER = "x-chhub-attempt"


@dataclass(frozen=True)
class Consumer:
    """One consumer's queue, what it listens to, and its retry and dead-letter queues."""

    service: str
    name: str
    listens_to: tuple[type[Event] | str, ...]
    exchange: RabbitExchange = EVENTS
    retired_keys: tuple[str, ...] = ()  # keys it listened to before, unbound when declared
    at_once: int | None = None  # its messages read and handled at once (None: the prefetch's)

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return tuple(key if isinstance(key, str) else key.routing_key for key in self.listens_to)

    @property
    def queue_name(self) -> str:
        return f"{self.service}.{self.name}"

    def queue(self, delivery_limit: int) -> RabbitQueue:
        return RabbitQueue(
            self.queue_name,
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments={
                "x-delivery-limit": delivery_limit,
                "x-dead-letter-exchange": DEAD.name,
                "x-dead-letter-routing-key": self.queue_name,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
            routing_key=self.routing_keys[0],
        )

    def retry_queue_name(self, attempt: int) -> str:
        return f"{self.queue_name}.retry.{attempt}"

    def retry_queue(self, attempt: int) -> RabbitQueue:
        """Delay queue of one attempt: expired messages go back to the consumer's queue."""
        return RabbitQueue(
            self.retry_queue_name(attempt),
            durable=True,
            arguments={
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.queue_name,
            },
        )

    @property
    def dead_queue_name(self) -> str:
        return f"{self.queue_name}.dead"

    def dead_queue(self) -> RabbitQueue:
        return RabbitQueue(
            self.dead_queue_name,
            queue_type=QueueType.QUORUM,
            durable=True,
            routing_key=self.queue_name,
        )


UNPACK = Consumer("ingest", "unpack", (UploadReceived,))
EXTRACT = Consumer("ingest", "extract", (SongFound,))
PARSE = Consumer("ingest", "parse", (SongExtracted,))
CLEANUP = Consumer("ingest", "cleanup", (UploadCompleted,))
GENERATE = Consumer("ingest", "generate", (SongGenerationRequested,))
EDIT = Consumer("ingest", "edit", (SongEditRequested,))
FORGET = Consumer("ingest", "forget", (SongDeleted,))
BUCKET = Consumer("ingest", "bucket", ("",), exchange=BUCKET_NOTIFICATIONS)
# One `song.parsed` at a time: each may carry a megabyte of scan, several times that once read
# and written, and the catalog keeps well ahead of the parsing anyway.
CATALOG = Consumer("catalog", "catalog", (SongParsed, SongDeleted), at_once=1)
# Not `song.found`: `upload.unpacked` lists every song found, with its folder.
# Not `song.parsed`: `song.cataloged` follows it at once, and the scan it carries (up to a
# megabyte) would be stored once more in this queue for nothing.
PROGRESS = Consumer("catalog", "progress", (
    UploadReceived, UploadUnpacked, UploadFailed, SongExtracted, SongAlreadyInLibrary,
    SongCataloged, SongPublished, SongFailed), retired_keys=("song.*", "song.parsed"))
PUBLISH = Consumer("sync", "publish", (SongCataloged, SongDeleted))
CUSTOM_CHECK = Consumer("ingest", "custom", (CustomContentUploaded,))
CUSTOM_CATALOG = Consumer("catalog", "custom", ("custom.*",))
CUSTOM_PUBLISH = Consumer("sync", "custom", (CustomContentValidated, CustomContentDeleted))
RIGS = Consumer("sync", "rigs", (RigSelectionChanged, SongPublished, SongDeleted,
                                 SetlistChanged))
SETLISTS = Consumer("sync", "setlists", (SetlistChanged, SongPublished, SongDeleted))

ALL_CONSUMERS = (UNPACK, EXTRACT, PARSE, CLEANUP, GENERATE, EDIT, FORGET, BUCKET, CATALOG,
                 PROGRESS, PUBLISH, CUSTOM_CHECK, CUSTOM_CATALOG, CUSTOM_PUBLISH, RIGS,
                 SETLISTS)
