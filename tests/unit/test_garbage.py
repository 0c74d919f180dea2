"""Which objects of the songs bucket are garbage: the pure decision of the blob collector."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.ingest.garbage import AgedObject, choose_garbage, manifest_of, referenced_manifests
from shared.manifest import blob_key, manifest_key
from shared.persistence.stored_references import CatalogReferences

WINDOW = timedelta(hours=1)
OLD, YOUNG = timedelta(hours=3), timedelta(minutes=10)


def blob(letter: str) -> str:
    return blob_key(letter * 64)


def aged(key: str, age: timedelta, size: int = 10) -> AgedObject:
    return AgedObject(key=key, size=size, age=age)


def test_an_unreferenced_blob_older_than_the_window_is_garbage():
    assert choose_garbage(set(), [aged(blob("a"), OLD)], WINDOW) == [aged(blob("a"), OLD)]


def test_a_blob_younger_than_the_window_is_kept_though_nothing_refers_to_it():
    assert choose_garbage(set(), [aged(blob("a"), YOUNG), aged(blob("b"), WINDOW)], WINDOW) == []


def test_a_referenced_blob_is_kept_however_old():
    listed = [aged(blob("a"), timedelta(days=400)), aged(blob("b"), OLD)]
    assert choose_garbage({blob("a")}, listed, WINDOW) == [aged(blob("b"), OLD)]


def test_an_unreferenced_manifest_is_garbage_like_a_blob():
    key = manifest_key(uuid.uuid4(), 1)
    assert choose_garbage(set(), [aged(key, OLD)], WINDOW) == [aged(key, OLD)]


def test_keys_that_are_neither_blobs_nor_manifests_are_never_chosen():
    listed = [aged(key, OLD) for key in ("gc/last-run.json", "blobs/ab/not-a-digest",
                                         f"blobs/zz/{'a' * 64}", "manifests/x/000001.json")]
    assert choose_garbage(set(), listed, WINDOW) == []


def test_a_manifest_key_names_its_song_and_revision():
    song = uuid.uuid4()
    assert manifest_of(manifest_key(song, 12)) == (song, 12)
    assert manifest_of(blob("a")) is None


def keys(song: uuid.UUID, *revisions: int) -> set[str]:
    return {manifest_key(song, revision) for revision in revisions}


def test_the_cataloged_revision_and_later_ones_are_referenced_but_not_replaced_ones():
    song = uuid.uuid4()
    catalog = CatalogReferences(live={song: (2, manifest_key(song, 2))})
    assert referenced_manifests(catalog, keys(song, 1, 2, 3)) == keys(song, 2, 3)


def test_every_manifest_of_a_song_of_an_upload_under_way_is_referenced():
    song = uuid.uuid4()
    catalog = CatalogReferences(in_flight=frozenset({song}))
    assert referenced_manifests(catalog, keys(song, 1, 2)) == keys(song, 1, 2)


def test_a_kept_original_holds_its_failed_songs_but_not_the_old_revisions_of_cataloged_ones():
    failed, cataloged = uuid.uuid4(), uuid.uuid4()
    catalog = CatalogReferences(live={cataloged: (2, manifest_key(cataloged, 2))},
                                retained=frozenset({failed, cataloged}))
    stored = keys(failed, 1) | keys(cataloged, 1, 2)
    assert referenced_manifests(catalog, stored) == keys(failed, 1) | keys(cataloged, 2)


def test_a_deleted_song_holds_nothing_even_while_its_upload_is_under_way():
    song = uuid.uuid4()
    catalog = CatalogReferences(tombstoned=frozenset({song}), in_flight=frozenset({song}),
                                retained=frozenset({song}))
    assert referenced_manifests(catalog, keys(song, 1, 2)) == set()


def test_a_song_nothing_refers_to_holds_nothing():
    assert referenced_manifests(CatalogReferences(), keys(uuid.uuid4(), 1)) == set()
