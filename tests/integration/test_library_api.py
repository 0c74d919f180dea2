"""The library's JSON API over the real database: filters as query parameters, 400s, schema."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import TestClient

from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from shared.events import SongParsed
from shared.persistence import songs
from shared.persistence.db import make_engine, make_sessions, transaction
from shared.songs.scan import scan_song


@pytest.fixture(scope="module")
def client(database_url, broker_url, bury_the_rose):
    """A gateway started after the song was cataloged, so its search index holds it."""
    settings = GatewayServiceSettings(database_url=database_url, broker_url=broker_url)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def bury_the_rose(database_url, corpus) -> tuple[str, str]:
    """One real song cataloged under a charter unique to this module: (song id, charter)."""
    folder = corpus / "donnaken15-charts/Johnny Booth - Bury the Rose"
    scan = scan_song({p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}).as_dict()
    song_id, charter = uuid.uuid4(), f"donnaken15 #{uuid.uuid4().hex[:10]}"
    event = SongParsed(event_id=SongParsed.id_for(song_id, 1, 1), song_id=song_id,
                       manifest_key="m/1", md5=uuid.uuid4().hex, parser_version=1,
                       name=scan["name"], artist=scan["artist"], year=scan["year"],
                       charter=charter, scan={**scan, "chartHash": uuid.uuid4().hex})
    engine = make_engine(database_url)
    with transaction(make_sessions(engine)) as session:
        songs.record_parsed(session, event)
    engine.dispose()
    return str(song_id), charter


def test_a_typo_search_with_filters_answers_the_song_with_its_badges(client, bury_the_rose):
    song_id, charter = bury_the_rose
    response = client.get("/api/library", params={
        "q": "bury teh rose", "instrument": "drums", "difficulty": "expert",
        "has_solos": "true", "charter": charter})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1 and body["items"][0]["id"] == song_id
    assert body["params"]["q"] == "bury teh rose"
    assert [p["instrument"] for p in body["items"][0]["parts"]] == ["guitar", "bass", "drums"]


def test_a_filter_that_excludes_the_song_answers_none(client, bury_the_rose):
    response = client.get("/api/library", params={"has_lyrics": "true",
                                                  "charter": bury_the_rose[1]})
    assert response.json()["total"] == 0


@pytest.mark.parametrize("params", [
    {"instrument": "kazoo"}, {"per_page": "500"}, {"min_year": "2010", "max_year": "2000"},
    {"has_video": "maybe"}, {"sort": "random"},
])
def test_bad_parameters_answer_400(client, params):
    assert client.get("/api/library", params=params).status_code == 400


def test_totals_answer_counts(client, bury_the_rose):
    totals = client.get("/api/library/totals").json()
    assert totals["songs"] >= 1 and totals["instruments"]["drums"] >= 1


def test_the_openapi_schema_documents_every_filter(client):
    schema = client.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/library"]["get"]
    documented = {p["name"]: p.get("description") for p in operation["parameters"]}
    assert operation["summary"]
    assert {"q", "instrument", "difficulty", "duplicates", "sort", "page"} <= set(documented)
    assert all(documented.values())
