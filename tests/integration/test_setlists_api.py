"""Setlists through the gateway over the real database and object store: made, filled,
reordered and renamed by their owner only, announced on every change, downloaded as the
`.setlist` Clone Hero reads (each song named by the md5 of its raw chart) and as a zip, and
shared by a read-only link that follows the browsing rule."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from services.gateway.tokens import create_token
from shared.events import SongParsed
from shared.persistence import songs
from shared.persistence.db import transaction
from shared.song_store import SongStore
from shared.storage import S3ObjectStore
from tests.support.stack import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def module_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def settings(database_url, broker_url, s3_server, module_id) -> GatewayServiceSettings:
    bucket = f"setlist-songs-{module_id}"
    S3ObjectStore(endpoint=s3_server, access_key=ACCESS_KEY,
                  secret_key=SECRET_KEY).ensure_bucket(bucket)
    return GatewayServiceSettings(database_url=database_url, broker_url=broker_url,
                                  redis_url=None, s3_endpoint=s3_server, songs_bucket=bucket,
                                  public_browsing=True)


def s3_store(settings: GatewayServiceSettings) -> S3ObjectStore:
    return S3ObjectStore(endpoint=settings.s3_endpoint, access_key=ACCESS_KEY,
                         secret_key=SECRET_KEY)


@pytest.fixture(scope="module")
def charts(settings, sessions, module_id) -> dict[uuid.UUID, bytes]:
    """Three songs in the catalog and the store: song id → its raw chart's bytes (one .mid)."""
    store = SongStore(s3_store(settings), settings.songs_bucket)
    made = {}
    for n, chart_name in enumerate(("notes.chart", "notes.mid", "notes.chart")):
        song_id = uuid.uuid4()
        chart = f"[Song]\n{{\n  Name = \"Setlist {module_id} {n}\"\n}}\n".encode()
        files = {chart_name: chart, "song.ini": f"[song]\nname = Song {n}\n".encode(),
                 "song.ogg": b"OggS" + bytes(n)}
        key, _ = store.save_revision(song_id, 1, uuid.uuid4().hex, files)
        event = SongParsed(event_id=SongParsed.id_for(song_id, 1, 1), song_id=song_id,
                           manifest_key=key, md5=uuid.uuid4().hex, parser_version=1,
                           name=f"Song {n} {module_id}", artist="Setlist Band",
                           chart_file=chart_name, scan={})
        with transaction(sessions) as session:
            songs.record_parsed(session, event)
        made[song_id] = chart
    return made


@pytest.fixture(scope="module")
def tokens(sessions, module_id) -> dict[str, str]:
    with transaction(sessions) as session:
        return {who: create_token(session, f"{who}-{module_id}", role)
                for who, role in (("ann", "viewer"), ("bob", "viewer"), ("root", "admin"))}


@pytest.fixture(scope="module")
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=s3_store(settings))) as test_client:
        yield test_client


def as_(tokens, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def expected_setlist(chart_bytes: list[bytes]) -> bytes:
    """The layout written out by hand: header, count, then 0x20, md5, 0x64, 0x00 per song."""
    body = b"".join(b"\x20" + hashlib.md5(c).hexdigest().upper().encode() + b"\x64\x00"
                    for c in chart_bytes)
    return b"\xea\xec\x33\x01" + len(chart_bytes).to_bytes(4, "little") + body


def make(client, tokens, who: str, name: str, song_ids=()) -> dict:
    response = client.post("/api/setlists", headers=as_(tokens, who),
                           json={"name": name, "song_ids": [str(i) for i in song_ids]})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_owner_fills_reorders_renames_and_downloads_the_setlist_file(client, tokens,
                                                                          charts):
    a, b, c = charts
    made = make(client, tokens, "ann", "Friday", [b])
    url = f"/api/setlists/{made['id']}"

    assert client.post(f"{url}/songs", headers=as_(tokens, "ann"),
                       json={"song_ids": [str(a), str(c), str(b)]}).status_code == 200
    reordered = client.put(f"{url}/order", headers=as_(tokens, "ann"),
                           json={"song_ids": [str(c), str(a), str(b)]})
    renamed = client.patch(url, headers=as_(tokens, "ann"), json={"name": "Saturday"})

    assert [s["id"] for s in reordered.json()["songs"]] == [str(c), str(a), str(b)]
    assert renamed.json()["name"] == "Saturday"
    download = client.get(f"{url}/download.setlist", headers=as_(tokens, "ann"))
    assert download.status_code == 200
    assert download.content == expected_setlist([charts[c], charts[a], charts[b]])
    assert "Saturday.setlist" in download.headers["content-disposition"]


def test_an_order_that_is_not_a_permutation_is_refused_and_changes_nothing(client, tokens,
                                                                           charts):
    a, b, _ = charts
    made = make(client, tokens, "ann", "Two", [a, b])
    url = f"/api/setlists/{made['id']}"

    answer = client.put(f"{url}/order", headers=as_(tokens, "ann"), json={"song_ids": [str(b)]})

    assert answer.status_code == 409
    assert [s["id"] for s in client.get(url, headers=as_(tokens, "ann")).json()["songs"]] == [
        str(a), str(b)]


def test_another_viewer_neither_sees_nor_changes_it_and_an_admin_does(client, tokens, charts):
    made = make(client, tokens, "ann", "Private", list(charts)[:1])
    url = f"/api/setlists/{made['id']}"

    assert client.get(url, headers=as_(tokens, "bob")).status_code == 404
    assert client.patch(url, headers=as_(tokens, "bob"), json={"name": "x"}).status_code == 404
    assert client.delete(url, headers=as_(tokens, "bob")).status_code == 404
    assert made["id"] not in {s["id"] for s in
                              client.get("/api/setlists", headers=as_(tokens, "bob")).json()[
                                  "items"]}
    assert client.get(url, headers=as_(tokens, "root")).json()["name"] == "Private"
    assert client.delete(url, headers=as_(tokens, "ann")).status_code == 200
    assert client.get(url, headers=as_(tokens, "ann")).status_code == 404


def test_setlists_need_a_caller_even_when_browsing_is_public(client):
    assert client.get("/api/setlists").status_code == 401
    assert client.post("/api/setlists", json={"name": "anon"}).status_code == 401


def test_a_shared_link_is_read_only_for_anyone_who_may_browse_until_withdrawn(client, tokens,
                                                                              charts):
    a, b, _ = charts
    made = make(client, tokens, "ann", "Shared set", [b, a])
    url = f"/api/setlists/{made['id']}"
    link = client.post(f"{url}/share", headers=as_(tokens, "ann")).json()["share_url"]

    page = client.get(link)  # no credential at all: browsing is public
    assert page.status_code == 200
    assert "Shared set" in page.text and "read-only" in page.text
    assert "Move up" not in page.text
    assert client.get(f"{link}/download.setlist").content == expected_setlist(
        [charts[b], charts[a]])
    names = zipfile.ZipFile(io.BytesIO(client.get(f"{link}/download.zip").content)).namelist()
    assert {name.split("/")[1] for name in names} >= {"notes.chart", "notes.mid"}

    client.delete(f"{url}/share", headers=as_(tokens, "ann"))
    assert client.get(link).status_code == 404


def test_with_private_browsing_a_shared_link_needs_a_signed_in_caller(settings, client, tokens,
                                                                      charts):
    made = make(client, tokens, "ann", "Members only", list(charts)[:1])
    link = client.post(f"/api/setlists/{made['id']}/share",
                       headers=as_(tokens, "ann")).json()["share_url"]
    private = settings.model_copy(update={"public_browsing": False})

    with TestClient(create_app(private, store=s3_store(settings))) as other:
        assert other.get(link).status_code == 401
        assert other.get(link, headers=as_(tokens, "bob")).status_code == 200


def test_every_change_is_announced_once_under_its_version(client, tokens, charts, sessions):
    a, b, _ = charts
    made = make(client, tokens, "ann", "Announced", [a])
    url = f"/api/setlists/{made['id']}"
    client.post(f"{url}/songs", headers=as_(tokens, "ann"), json={"song_ids": [str(b)]})
    client.delete(f"{url}/songs/{a}", headers=as_(tokens, "ann"))
    client.delete(url, headers=as_(tokens, "ann"))

    with sessions() as session:
        rows = session.execute(text(
            "SELECT payload->>'version', payload->>'deleted' FROM outbox "
            "WHERE routing_key = 'setlist.changed' AND payload->>'setlist_id' = :id "
            "ORDER BY id"), {"id": made["id"]}).all()
    assert [tuple(row) for row in rows] == [("2", "false"), ("3", "false"), ("4", "false"),
                                            ("4", "true")]
