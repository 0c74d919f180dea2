"""The uploads bucket as any S3 client sees it, and the uploads its drops become."""

from __future__ import annotations

import time

import boto3
from botocore.config import Config
from sqlalchemy import text

BUCKET = "chhub-uploads"


def s3_client(stack):
    """boto3, a client of ours in nothing, pointed at the stack's S3 server."""
    return boto3.client(
        "s3", endpoint_url=f"http://{stack.env['CHHUB_S3_ENDPOINT']}",
        aws_access_key_id=stack.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=stack.env["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}))


def uploads_of(catalog, key: str) -> list:
    with catalog.connect() as connection:
        return connection.execute(text("SELECT id, state FROM uploads WHERE key = :key"),
                                  {"key": key}).all()


def wait_for_uploads(catalog, key: str, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = uploads_of(catalog, key)
        if rows:
            return rows
        time.sleep(0.2)
    raise TimeoutError(f"{key} was never ingested")
