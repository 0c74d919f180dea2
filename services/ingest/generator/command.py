"""`chhub generate AUDIO`: a song generated from an audio file, through the services or, with
--out, locally into a folder."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import click

WAIT_SECONDS = 600.0


@click.command()
@click.argument("audio", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Song title (default: the audio's tags, else its file name).")
@click.option("--artist", help="Artist (default: the audio's tags).")
@click.option("--album", help="Album (default: the audio's tags).")
@click.option("--genre", help="Genre (default: the audio's tags).")
@click.option("--year", help="Year (default: the audio's tags).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Generate here, into a new song folder, without the services.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait until the ingest service has generated the song.")
def generate(audio: Path, out_dir: Path | None, wait: bool, **metadata: str | None) -> None:
    """Generate a playable, clearly auto-generated Clone Hero song from AUDIO (ogg, opus, mp3,
    wav or flac) and add it to the library, or with --out write it into a folder."""
    if out_dir is not None:
        click.echo(_generate_locally(audio, out_dir, metadata))
        return
    upload_id = _request(audio, metadata, wait)
    click.echo(str(upload_id))


def _generate_locally(audio: Path, out_dir: Path, metadata: dict) -> Path:
    from services.ingest.generator.errors import GenerationError
    from services.ingest.generator.folder import folder_name, generate_folder
    from shared.settings import IngestSettings

    try:
        files = generate_folder(audio.read_bytes(), audio.name, metadata,
                                IngestSettings().generator_max_seconds)
    except GenerationError as error:
        raise click.ClickException(error.reason) from error
    folder = out_dir / folder_name(files)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def _request(audio: Path, metadata: dict, wait: bool) -> uuid.UUID:
    """Put the audio into the uploads bucket and ask the ingest service for a song."""
    from shared.events import SongGenerationRequested
    from shared.messaging import EventBus
    from shared.service import make_broker, make_store
    from shared.settings import BrokerSettings, StorageSettings

    storage = StorageSettings()
    store = make_store(storage)
    upload_id = uuid.uuid4()
    key = f"generate/{upload_id}/{audio.name}"
    store.ensure_bucket(storage.uploads_bucket)
    store.put_file(storage.uploads_bucket, key, audio)
    request = SongGenerationRequested.about(
        upload_id, bucket=storage.uploads_bucket, key=key, filename=audio.name, **metadata)

    async def publish() -> None:
        broker = make_broker(BrokerSettings())
        await broker.connect()
        try:
            await EventBus(broker).publish(request)
        finally:
            await broker.stop()

    asyncio.run(publish())
    if wait:
        _wait_for_song(store, storage.uploads_bucket, upload_id)
    return upload_id


def _wait_for_song(store, bucket: str, upload_id: uuid.UUID) -> None:
    click.echo(f"Generating (upload {upload_id})…", err=True)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if any(True for _ in store.list(bucket, f"generated/{upload_id}/")):
            click.echo("Generated; the song now goes through the library's pipeline.", err=True)
            return
        time.sleep(2.0)
    raise click.ClickException(f"No song was generated within {WAIT_SECONDS:.0f} s; see the "
                               f"upload's status for upload {upload_id}.")
