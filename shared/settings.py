"""Settings building blocks shared by every service, read from `CHHUB_` environment variables.

Only composition roots (each service's `app.py` and the CLI) construct these.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

GiB = 1024**3


class _Section(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHHUB_", env_file=".env", extra="ignore")


class DatabaseSettings(_Section):
    database_url: str = "postgresql+psycopg2://postgres@127.0.0.1:5432/chhub"
    """SQLAlchemy URL of the catalog database (PostgreSQL)."""

    database_pool_size: int = 5
    """Connections each process keeps open to PostgreSQL."""


class BrokerSettings(_Section):
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    """AMQP 0-9-1 URL of RabbitMQ."""

    broker_prefetch: int = 4
    """Unacknowledged messages each consumer holds at once."""

    retry_delays_seconds: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    """Delay before each retry of a transient failure; its length is the number of retries."""

    delivery_limit: int = 5
    """Redeliveries (consumer crashes) a quorum queue allows before it dead-letters a message."""

    crash_before_publish: str | None = None
    """Fault injection for crash tests only, `<queue>@<marker file>`: the consumer of that queue
    dies once, after committing its effects and before publishing its events."""


class StorageSettings(_Section):
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


class IngestSettings(_Section):
    staging_dir: Path = Path("./data/staging")
    """Where uploads are unpacked while their songs are extracted."""

    max_upload_bytes: int = 50 * GiB
    """Largest upload accepted, in bytes (the gateway refuses larger bodies)."""

    max_extracted_bytes: int = 50 * GiB
    """Largest total uncompressed size of one archive (zip bomb guard)."""

    max_archive_entries: int = 100_000
    """Most entries one archive may hold (zip bomb guard)."""

    max_compression_ratio: float = 200.0
    """Largest uncompressed/compressed ratio of one entry (zip bomb guard)."""

    original_retention_hours: float = 72.0
    """How long a successfully processed upload's original archive is kept."""


class ContentSettings(_Section):
    content_dir: Path = Path("./data/content")
    """The content folder laid out as Clone Hero reads it, synced to every rig."""


class GatewaySettings(_Section):
    gateway_host: str = "127.0.0.1"
    """Address the gateway listens on."""

    gateway_port: int = 8000
    """Port the gateway listens on."""

    admin_token_file: Path = Path("./data/admin-token")
    """File holding the first admin API token, created on first run."""


class LoggingSettings(_Section):
    log_format: str = "console"
    """`console` for people at a terminal, `json` for log pipelines."""

    log_level: str = "INFO"
    """Lowest level written."""
