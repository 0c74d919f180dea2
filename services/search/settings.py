"""Settings of the search service process."""

from __future__ import annotations

from pydantic import Field

from shared.settings import DatabaseSettings, Section, TelemetrySettings


class SearchSettings(Section):
    search_host: str = "127.0.0.1"
    """Address the search service listens on; only gateways talk to it."""

    search_port: int = Field(default=8010, ge=1, le=65535)
    """Port the search service listens on."""


class SearchServiceSettings(DatabaseSettings, TelemetrySettings, SearchSettings):
    """Every setting this service reads."""
