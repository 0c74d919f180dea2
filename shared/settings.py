"""Settings building blocks shared by every service, read from `CHHUB_` environment variables.

Only composition roots (each service's `app.py` and the CLI) construct these.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

GiB = 1024**3


class Section(BaseSettings):
    """Settings read from `CHHUB_*` environment variables or `.env`; each field's docstring is
    its documentation (and its description in generated schemas)."""

    model_config = SettingsConfigDict(env_prefix="CHHUB_", env_file=".env", extra="ignore",
                                      use_attribute_docstrings=True)


class DatabaseSettings(Section):
    database_url: str = "postgresql+psycopg2://postgres@127.0.0.1:5432/chhub"
    """SQLAlchemy URL of the catalog database (PostgreSQL)."""

    database_pool_size: int = 5
    """Connections each process keeps open to PostgreSQL."""


class BrokerSettings(Section):
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    """AMQP 0-9-1 URL of RabbitMQ."""

    broker_prefetch: int = 4
    """Unacknowledged messages each consumer holds at once."""

    retry_delays_seconds: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    """Delay before each retry of a transient failure; its length is the number of retries."""

    delivery_limit: int = 5
    """Redeliveries (consumer crashes) a quorum queue allows before it dead-letters a message.
    It is fixed when a queue is first declared: to change it later, delete the queues (or set
    a RabbitMQ policy) first, or RabbitMQ refuses the declaration (PRECONDITION_FAILED)."""

    log_messages: bool = False
    """Log every message a consumer receives and finishes at INFO (off: at DEBUG). A library's
    import sends a dozen messages per song, so they are kept out of the usual log."""

    only_consumers: tuple[str, ...] = ()
    """Queue names this process consumes, e.g. `["ingest.extract"]`; empty: every consumer of
    its service, and the service's periodic jobs. `chhub run all` sets it for the extra workers
    of a pipeline stage (see `stage_workers`)."""


class WorkerSettings(Section):
    stage_workers: dict[str, int] = {}
    """Processes consuming each pipeline stage under `chhub run all`, by queue name, e.g.
    `{"ingest.extract": 3, "sync.publish": 2}`; stages not named take the default below. They
    compete for the stage's messages (competing consumers), so more workers overlap more of
    the stage's waits on disk, S3 and the database."""

    default_ingest_workers: int | None = Field(default=None, ge=1)
    """Processes for each of unpack, extract and parse when `stage_workers` does not name it:
    unset means one per CPU core, at most 4 (catalog and publish default to one each)."""


class StorageSettings(Section):
    s3_endpoint: str | None = None
    """host:port of an S3 server such as MinIO; unset means the embedded SeaweedFS server."""

    s3_access_key: str = Field(default="chhub", validation_alias="AWS_ACCESS_KEY_ID")
    """S3 access key (read from AWS_ACCESS_KEY_ID)."""

    s3_secret_key: str = Field(default="chhub-secret", validation_alias="AWS_SECRET_ACCESS_KEY")
    """S3 secret key (read from AWS_SECRET_ACCESS_KEY)."""

    s3_secure: bool = False
    """Use HTTPS to reach the S3 server."""

    s3_region: str = "us-east-1"
    """Region name sent to the S3 server."""

    uploads_bucket: str = "chhub-uploads"
    """Bucket holding uploaded originals, kept for inspection while processing and on failure."""

    songs_bucket: str = "chhub-songs"
    """Bucket holding song files by sha256 and one manifest per song revision."""

    embedded_s3_port: int = 8333
    """Port of the embedded SeaweedFS S3 server started when no endpoint is configured."""

    data_dir: Path = Path("./data")
    """Folder for local state: the embedded S3 server's data, staging areas, tokens."""

    @property
    def endpoint(self) -> str:
        return self.s3_endpoint or f"127.0.0.1:{self.embedded_s3_port}"


class IngestSettings(Section):
    staging_dir: Path = Path("./data/staging")
    """Where uploads are unpacked while their songs are extracted."""

    staging_uploads_ahead: int = Field(default=32, ge=0)
    """Most uploads a host's staging folder holds unpacked and not yet ended: unpacking the
    next waits until one ends, so a backlog waits in the uploads bucket, not on the staging
    disk (0: no limit)."""

    max_upload_bytes: int = 50 * GiB
    """Largest upload accepted, in bytes (the gateway refuses larger bodies)."""

    max_extracted_bytes: int = 50 * GiB
    """Largest total uncompressed size of one archive (zip bomb guard)."""

    max_archive_entries: int = 100_000
    """Most entries one archive may hold (zip bomb guard)."""

    max_compression_ratio: float = 200.0
    """Largest uncompressed/compressed ratio of one entry (zip bomb guard)."""

    original_retention_hours: float = 72.0
    """How long a successfully processed upload's original (a song archive, or a custom
    content file once published) is kept; a failed one is kept for inspection."""

    generator_max_seconds: float = 1200.0
    """Longest audio, in seconds, the chart generator accepts."""

    drop_prefix: str = "drop/"
    """Key prefix of the uploads bucket where any S3 client may drop archives to ingest."""

    bucket_scan_seconds: float = 60.0
    """How often the reconciler lists the drop area for objects no notification announced."""

    gc_window_hours: float = Field(default=1.0, ge=0)
    """Safety window of the blob collector: a blob or manifest of the songs bucket younger than
    this is never deleted, whatever refers to it (it may belong to a song still on its way)."""

    gc_interval_seconds: float = Field(default=3600.0, gt=0)
    """How often the ingest service collects unreferenced blobs (`chhub gc` runs it at once)."""

    staging_sweep_seconds: float = Field(default=60.0, gt=0)
    """How often each ingest process removes the staging areas its host still holds for uploads
    that have ended (the upload's cleanup message reaches one process only)."""


class ContentSettings(Section):
    content_dir: Path = Path("./data/content")
    """The content folder laid out as Clone Hero reads it, synced to every rig."""


class GatewaySettings(Section):
    gateway_host: str = "127.0.0.1"
    """Address the gateway listens on."""

    gateway_port: int = 8000
    """Port the gateway listens on."""

    admin_token_file: Path = Path("./data/admin-token")
    """File holding the first admin API token, created on first run."""

    public_browsing: bool = True
    """Whether people who are not signed in may browse the library (pages, art, downloads)."""

    redis_url: str | None = None
    """Redis URL for sign-in sessions (e.g. redis://127.0.0.1:6379/0); unset keeps them in
    memory."""

    secret_key: str | None = None
    """Secret for CSRF tokens; set it when several gateways share sessions (unset: random)."""

    receiving_timeout_seconds: float = 900.0
    """An upload whose bytes stop coming in (no request of any gateway is sending them) for
    this long ends as failed."""

    searches_at_once: int = Field(default=4, ge=1)
    """How many library searches the gateway runs at once (each asks the search service, then
    reads its page's rows). More wait their turn, first come first served: on a few cores,
    more at once only makes them take turns for the interpreter, and the slowest ones wait
    longest."""

    large_uploads_at_once: int = Field(default=2, ge=1)
    """How many files over 512 KiB the gateway receives at once: each holds a 5 MiB part
    buffer while it streams into the bucket. Further ones wait their turn (up to two minutes,
    then a "try again later"), their bytes held back in the connection."""

    search_url: str | None = None
    """Base URL of the search service (`chhub run search`, e.g. `http://127.0.0.1:8010`), which
    keeps the library's search index in a process of its own; unset means the gateway keeps
    the index itself (about 0.5 KB per song in its memory, and searches share its CPU)."""

    resumable_expiry_hours: float = 24.0
    """A resumable upload that gets no bytes for this long ends as failed."""

    secure_cookies: bool = False
    """Send the session and CSRF cookies over HTTPS only (`Secure`): set it when people reach
    the hub through TLS, as in compose.tls.yaml."""

    trusted_proxies: str = ""
    """Addresses or networks (comma-separated) of reverse proxies whose `X-Forwarded-For` and
    `X-Forwarded-Proto` are believed, e.g. compose's nginx; empty believes no one, and any
    peer's forwarded headers are ignored."""


class SyncthingSettings(Section):
    syncthing_url: str | None = None
    """Base URL of the library's Syncthing REST API (e.g. `http://127.0.0.1:8384`); unset means
    Syncthing is not used and rigs pick changes up from its own periodic scans, if any."""

    syncthing_api_key: SecretStr | None = None
    """Syncthing's API key, sent in the `X-API-Key` header (never logged)."""

    syncthing_content_dir: Path | None = None
    """The content folder's path as Syncthing sees it (when it runs in another container);
    unset means the same path as `content_dir`."""

    syncthing_timeout_seconds: float = 30.0
    """How long one Syncthing REST call may take; a rescan waits for the scan to finish."""

    syncthing_rescan_batch_seconds: float = Field(default=1.0, gt=0)
    """How often the songs that were published meanwhile are rescanned, in one request per
    shared folder: rigs follow within this delay, and a burst costs one rescan, not one per
    song."""


class LoggingSettings(Section):
    log_format: str = "console"
    """`console` for people at a terminal, `json` for log pipelines."""

    log_level: str = "INFO"
    """Lowest level written."""


class TelemetrySettings(Section):
    telemetry_enabled: bool = True
    """Traces and metrics at all; off leaves only logs (for measuring their overhead)."""

    trace_exporter: str = "none"
    """Where spans go: `none` (not recorded; each still carries its trace ids, for log
    correlation), `console`, or `otlp`
    (http/protobuf to `otlp_endpoint`, e.g. the Datadog Agent's OTLP receiver)."""

    otlp_endpoint: str = "http://127.0.0.1:4318"
    """Base URL of the OTLP/HTTP receiver; spans are sent to `<endpoint>/v1/traces`."""

    deployment_environment: str = "development"
    """`deployment.environment` resource attribute of every span (e.g. production, staging)."""

    trace_songs_per_upload: int = Field(default=20, ge=0)
    """Songs of one upload traced in the upload's own trace; each song past this many gets a
    trace of its own, linked to the upload's."""

    trace_url_template: str | None = None
    """URL of one trace in the tracing UI with `{trace_id}` in it, e.g.
    `https://app.datadoghq.com/apm/trace/{trace_id}`; unset means uploads show no trace link."""

    metrics_port: int | None = None
    """Port of this process's `/metrics`; unset means the service's default (gateway 9100,
    ingest 9101, catalog 9102, sync 9103, search 9104), a listener of its own, apart from the
    gateway's public port. When the port is taken (several copies side by side) the next free one is
    used and logged."""

    metrics_host: str = "127.0.0.1"
    """Address `/metrics` listens on (0.0.0.0 in containers, for Prometheus on the internal
    network only)."""
