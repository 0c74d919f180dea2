"""MinIO's bucket notifications become drops, whatever the key looks like."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.ingest.bucket_drops import DroppedObject, parse_notification
from tests.support.minio_events import RECORD, minio_event


def test_the_record_from_minios_guide_is_read():
    [dropped] = parse_notification(RECORD.read_bytes()).created_objects(prefix="")
    assert dropped == DroppedObject("images", "myphoto.jpg", None, 200436)


@pytest.mark.parametrize("key", ["drop/My Song.zip", "drop/AC+DC.zip", "drop/a%2Fb.zip",
                                 "drop/sub/folder/pack.7z", "drop/Beyonc\u00e9 \u2013 Halo.sng"])
def test_escaped_keys_are_decoded(key):
    body = minio_event("chhub-uploads", key, etag="abc")
    [dropped] = parse_notification(body).created_objects(prefix="drop/")
    assert dropped.key == key
    assert dropped.etag == "abc"


def test_a_multipart_upload_event_counts_as_created():
    body = minio_event("chhub-uploads", "drop/big.zip",
                       event_name="s3:ObjectCreated:CompleteMultipartUpload")
    assert len(parse_notification(body).created_objects(prefix="drop/")) == 1


def test_removals_and_keys_outside_the_drop_area_are_ignored():
    removed = minio_event("chhub-uploads", "drop/x.zip", event_name="s3:ObjectRemoved:Delete")
    elsewhere = minio_event("chhub-uploads", "gateway/1/x.zip")
    assert parse_notification(removed).created_objects(prefix="drop/") == []
    assert parse_notification(elsewhere).created_objects(prefix="drop/") == []


def test_the_same_object_and_etag_is_always_the_same_upload():
    first = DroppedObject("b", "drop/x.zip", "e1", 1)
    assert first.upload_id == DroppedObject("b", "drop/x.zip", "e1", 5).upload_id
    assert first.upload_id != DroppedObject("b", "drop/x.zip", "e2", 1).upload_id


def test_a_message_that_is_not_a_notification_is_refused():
    with pytest.raises(ValidationError):
        parse_notification(b'{"hello": "world"}')
