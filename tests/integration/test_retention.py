"""Originals are kept while processing and on failure, and removed once a successful upload's
retention period has passed: song uploads and custom content alike."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from services.ingest.retention import remove_expired_custom_originals, remove_expired_originals
from shared.persistence.db import transaction
from shared.persistence.tables import CustomContent, Upload
from shared.storage import S3ObjectStore
from tests.support.stack import ACCESS_KEY, SECRET_KEY

BUCKET = "chhub-retention-test"


@pytest.fixture(scope="module")
def store(s3_server):
    objects = S3ObjectStore(endpoint=s3_server, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    objects.ensure_bucket(BUCKET)
    return objects


def an_upload(sessions, store, *, state: str, hours_ago: float) -> uuid.UUID:
    upload_id = uuid.uuid4()
    key = f"gateway/{upload_id}/song.zip"
    store.put_bytes(BUCKET, key, b"original")
    with transaction(sessions) as session:
        session.add(Upload(id=upload_id, filename="song.zip", bucket=BUCKET, key=key,
                           state=state))
        session.flush()
        session.execute(text("UPDATE uploads SET completed_at = now() - make_interval("
                             "secs => :seconds) WHERE id = :id"),
                        {"seconds": hours_ago * 3600, "id": upload_id})
    return upload_id


def original_exists(store, upload_id) -> bool:
    return store.stat(BUCKET, f"gateway/{upload_id}/song.zip") is not None


def test_only_successful_originals_past_retention_are_removed(sessions, store):
    expired = an_upload(sessions, store, state="completed", hours_ago=5)
    recent = an_upload(sessions, store, state="completed", hours_ago=0.5)
    failed = an_upload(sessions, store, state="failed", hours_ago=50)
    remove_expired_originals(store, sessions, retention_hours=2)
    assert not original_exists(store, expired)
    assert original_exists(store, recent)
    assert original_exists(store, failed)
    with sessions() as session:
        assert session.get(Upload, expired).original_deleted_at is not None
        assert session.get(Upload, recent).original_deleted_at is None


def test_removing_again_changes_nothing(sessions, store):
    an_upload(sessions, store, state="completed", hours_ago=5)
    remove_expired_originals(store, sessions, retention_hours=2)
    assert remove_expired_originals(store, sessions, retention_hours=2) == 0


def a_custom_item(sessions, store, *, state: str, hours_ago: float,
                  published: bool = True) -> uuid.UUID:
    content_id = uuid.uuid4()
    key = f"custom/{content_id}/stage.png"
    store.put_bytes(BUCKET, key, b"original")
    with transaction(sessions) as session:
        session.add(CustomContent(
            id=content_id, kind="background", filename="stage.png", state=state,
            original_bucket=BUCKET, original_key=key,
            content_path="custom/Image Backgrounds/stage.png" if published else None))
        session.flush()
        session.execute(text("UPDATE custom_content SET updated_at = now() - make_interval("
                             "secs => :seconds) WHERE id = :id"),
                        {"seconds": hours_ago * 3600, "id": content_id})
    return content_id


def custom_original_exists(store, content_id) -> bool:
    return store.stat(BUCKET, f"custom/{content_id}/stage.png") is not None


def test_custom_originals_follow_the_same_retention_and_failed_ones_stay(sessions, store):
    expired = a_custom_item(sessions, store, state="published", hours_ago=5)
    deleted = a_custom_item(sessions, store, state="deleted", hours_ago=5)
    recent = a_custom_item(sessions, store, state="published", hours_ago=0.5)
    rejected = a_custom_item(sessions, store, state="rejected", hours_ago=50, published=False)
    checking = a_custom_item(sessions, store, state="validated", hours_ago=50, published=False)
    remove_expired_custom_originals(store, sessions, retention_hours=2)
    assert not custom_original_exists(store, expired)
    assert not custom_original_exists(store, deleted)
    assert custom_original_exists(store, recent)
    assert custom_original_exists(store, rejected)
    assert custom_original_exists(store, checking)
    with sessions() as session:
        assert session.get(CustomContent, expired).original_deleted_at is not None
        assert session.get(CustomContent, recent).original_deleted_at is None
    assert remove_expired_custom_originals(store, sessions, retention_hours=2) == 0
