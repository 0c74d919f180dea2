"""Settings of the gateway process."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import (
    BrokerSettings,
    DatabaseSettings,
    GatewaySettings,
    IngestSettings,
    StorageSettings,
)


class GatewayServiceSettings(BrokerSettings, DatabaseSettings, StorageSettings, IngestSettings,
                             GatewaySettings):
    model_config = SettingsConfigDict(env_prefix="CHHUB_", env_file=".env", extra="ignore")
