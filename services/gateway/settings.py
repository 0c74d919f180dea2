"""Settings of the gateway process."""

from __future__ import annotations

from shared.settings import (
    BrokerSettings,
    DatabaseSettings,
    GatewaySettings,
    IngestSettings,
    StorageSettings,
    SyncthingSettings,
    TelemetrySettings,
)


class GatewayServiceSettings(BrokerSettings, DatabaseSettings, StorageSettings, IngestSettings,
                             GatewaySettings, TelemetrySettings, SyncthingSettings):
    """Every setting this service reads."""
