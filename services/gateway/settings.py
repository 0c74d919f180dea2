"""Settings of the gateway process."""

from __future__ import annotations


from shared.settings import (
    BrokerSettings,
    DatabaseSettings,
    GatewaySettings,
    IngestSettings,
    StorageSettings,
)


class GatewayServiceSettings(BrokerSettings, DatabaseSettings, StorageSettings, IngestSettings,
                             GatewaySettings):
    """Every setting this service reads."""
