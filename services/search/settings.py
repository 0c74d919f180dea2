"""Settings of the search service process."""

from __future__ import annotations

from pydantic import Field

from shared.settings import DatabaseSettings, Section, TelemetrySettings


class SearchSettings(Section):
    search_host: str = "127.0.0.1"
    """Address the search service listens on; only gateways talk to it."""

    search_port: int = Field(default=8010, ge=1, le=65535)
    """Port the search service listens on."""

    search_cache_mb: float = Field(default=64, ge=0)
    """Memory for the match sets of recent searches (other pages and sorts of a search skip
    the matching and the facets); 0: none kept."""


class SearchServiceSettings(DatabaseSettings, TelemetrySettings, SearchSettings):
    """Every setting this service reads."""
