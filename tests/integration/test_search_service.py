"""The gateway asking the search service (`chhub run search`), a process of its own: searches
answer while it runs, a clear 503 while it is away, and again as soon as it is back, with
no restart of the gateway."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine

from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from tests.support.catalog_rows import insert_song
from tests.support.search_service import search_service
from tests.support.stack import free_port

pytestmark = pytest.mark.integration


def test_searches_answer_503_while_the_search_service_is_away_and_again_once_it_is_back(
        database_url, broker_url):
    word = f"w{uuid.uuid4().hex[:10]}"
    engine = create_engine(database_url)
    insert_song(engine, f"Far Away {word}")
    engine.dispose()
    port = free_port()
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                      search_url=f"http://127.0.0.1:{port}")
    with TestClient(create_app(settings)) as client:
        metrics_port = free_port()
        with search_service(database_url, port=port, CHHUB_TELEMETRY_ENABLED="true",
                            CHHUB_METRICS_PORT=str(metrics_port)):
            found = client.get("/api/library", params={"q": word}).json()
            assert [item["name"] for item in found["items"]] == [f"Far Away {word}"]
            metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
            assert re.search(r"^chhub_search_duration_seconds_count [1-9]", metrics, re.M)
            assert re.search(r"^chhub_search_index_songs [1-9]", metrics, re.M)

        away = client.get("/api/library", params={"q": word})
        assert away.status_code == 503 and away.headers["retry-after"] == "5"
        assert "search service is not answering" in away.json()["detail"]
        page = client.get("/library", params={"q": word})
        assert page.status_code == 503 and "search service" in page.text

        with search_service(database_url, port=port):
            back = client.get("/api/library", params={"q": word})
            assert back.status_code == 200 and back.json()["total"] == 1


def test_the_search_service_answers_a_request_it_cannot_read_with_what_is_wrong(database_url):
    with search_service(database_url) as service:
        asked = httpx.post(f"{service.url}/matches", json={"params": {"q": "far"}})
        assert asked.status_code == 200 and isinstance(asked.json()["total"], int)
        garbled = httpx.post(f"{service.url}/matches", content=b"{not json")
        assert garbled.status_code == 400
        assert garbled.json()["detail"].startswith("Not a search request")
        wrong_shape = httpx.post(f"{service.url}/matches", json={"params": ["q"]})
        assert wrong_shape.status_code == 400
        bad_syntax = httpx.post(f"{service.url}/matches",
                                json={"params": {"q": "nps>fast"}})
        assert bad_syntax.status_code == 400 and "nps" in bad_syntax.json()["detail"]
        assert httpx.get(f"{service.url}/matches").status_code == 405
