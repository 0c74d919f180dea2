"""MinIO bucket notifications for tests, made from the record MinIO's own guide shows."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote_plus

RECORD = Path(__file__).resolve().parents[1] / "fixtures" / "minio" / "rabbitmq-readme-event.json"


def minio_event(bucket: str, key: str, *, size: int = 1, etag: str | None = None,
                event_name: str = "s3:ObjectCreated:Put") -> bytes:
    """The guide's event with our bucket and key, the key escaped as MinIO escapes it (Go's
    url.QueryEscape, which `quote_plus` matches), as newer MinIO sends it (EventName, Key)."""
    event = json.loads(RECORD.read_text())
    record = event["Records"][0]
    record["eventName"] = event_name
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["object"].update({"key": quote_plus(key, safe=""), "size": size})
    if etag is not None:
        record["s3"]["object"]["eTag"] = etag
    event.update({"EventName": event_name, "Key": f"{bucket}/{quote_plus(key, safe='')}"})
    return json.dumps(event).encode()
