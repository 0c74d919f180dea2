"""Every setting is documented and has a default that works on a development machine."""

from __future__ import annotations

import pytest

from services.catalog.app import CatalogSettings
from services.gateway.settings import GatewayServiceSettings
from services.ingest.app import IngestServiceSettings
from services.sync.app import SyncSettings

SERVICE_SETTINGS = [CatalogSettings, GatewayServiceSettings, IngestServiceSettings, SyncSettings]


@pytest.mark.parametrize("settings", SERVICE_SETTINGS, ids=lambda cls: cls.__name__)
def test_every_setting_is_documented(settings):
    undocumented = [name for name, field in settings.model_fields.items()
                    if not field.description]
    assert undocumented == []


def test_defaults_point_at_this_machine(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("CHHUB_"):
            monkeypatch.delenv(name)
    settings = GatewayServiceSettings()
    assert settings.database_url.endswith("@127.0.0.1:5432/chhub")
    assert settings.broker_url == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.s3_endpoint is None and settings.endpoint == "127.0.0.1:8333"
    assert (settings.gateway_host, settings.gateway_port) == ("127.0.0.1", 8000)
    assert str(SyncSettings().content_dir) == "data/content"


def test_settings_come_from_chhub_environment_variables(monkeypatch):
    monkeypatch.setenv("CHHUB_GATEWAY_PORT", "9999")
    monkeypatch.setenv("CHHUB_RETRY_DELAYS_SECONDS", "[1, 2]")
    settings = GatewayServiceSettings()
    assert settings.gateway_port == 9999
    assert settings.retry_delays_seconds == (1.0, 2.0)
