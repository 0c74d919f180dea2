"""`chhub replay` and `chhub reindex`: run stages of the pipeline again over stored songs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import click

from services.catalog.reindex_watch import ReindexWatch
from shared.persistence.replay import (
    STAGES,
    Selection,
    outdated_song_ids,
    select_songs,
    stage_message,
)


@click.command("replay")
@click.option("--stage", type=click.Choice(STAGES), required=True,
              help="Stage to run again: parse (then catalog and publish follow), catalog, or "
                   "publish.")
@click.option("--all", "every", is_flag=True, help="Every song of the library.")
@click.option("--upload", "upload_id", type=click.UUID, help="The songs of one upload.")
@click.option("--since", type=click.DateTime(), help="Songs added at or after this time (UTC).")
@click.option("--until", type=click.DateTime(), help="Songs added before this time (UTC).")
@click.option("--parser-older-than", type=int, help="Songs read by an older parser version.")
@click.option("--song", "song_ids", type=click.UUID, multiple=True, help="One song (repeatable).")
@click.option("--dry-run", is_flag=True, help="List the songs chosen; send nothing.")
def replay(stage: str, every: bool, upload_id: uuid.UUID | None, since: datetime | None,
           until: datetime | None, parser_older_than: int | None,
           song_ids: tuple[uuid.UUID, ...], dry_run: bool) -> None:
    """Run STAGE again for the chosen songs, through the same consumers.

    Messages are rebuilt from the library as it is now: a deleted song is never brought back
    and a later edit is never undone; replaying twice changes nothing.
    """
    selection = Selection(upload_id=upload_id, since=since, until=until,
                          parser_older_than=parser_older_than, song_ids=song_ids)
    if not every and selection == Selection():
        raise click.UsageError("Choose songs: --all, --upload, --since/--until, "
                               "--parser-older-than or --song.")
    count = _send(stage, selection, dry_run)
    click.echo(f"{'Would replay' if dry_run else 'Replayed'} {stage} for {count} song(s).")


@click.command("reindex")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait until every song is read by the current parser, or has failed.")
def reindex(wait: bool) -> None:
    """Read again every song that an older parser read, from its stored files; the catalog and
    the content folder change only where the result changed.

    Waiting ends when each song is read again or its re-read gave up (its stored files are
    gone, say): those are listed with the reason, and the command exits with status 1.
    """
    from shared.songs.version import PARSER_VERSION

    selection = Selection(parser_older_than=PARSER_VERSION)
    with _sessions()() as session:
        messages = [stage_message(song, "parse") for song in select_songs(session, selection)]
    click.echo(f"Reindexing {len(messages)} song(s) with parser version {PARSER_VERSION}.")
    if not wait or not messages:
        asyncio.run(_publish(messages))
        return
    watch = ReindexWatch(frozenset(event.song_id for _, event in messages))
    asyncio.run(_publish_and_watch(messages, watch, PARSER_VERSION))
    if watch.failures:
        click.echo(f"{len(watch.failures)} song(s) could not be read again and keep their "
                   "older reading:", err=True)
        for song_id, reason in sorted(watch.failures.items()):
            click.echo(f"  {song_id}: {reason}", err=True)
        raise SystemExit(1)


def _sessions():
    from shared.persistence.db import make_engine, make_sessions
    from shared.settings import DatabaseSettings

    return make_sessions(make_engine(DatabaseSettings().database_url, 1))


def _send(stage: str, selection: Selection, dry_run: bool) -> int:
    with _sessions()() as session:
        messages = [stage_message(song, stage) for song in select_songs(session, selection)]
    if dry_run:
        for _, event in messages:
            click.echo(f"  {event.song_id}")
        return len(messages)
    asyncio.run(_publish(messages))
    return len(messages)


async def _publish(messages) -> None:
    from shared.messaging import EventBus
    from shared.service import declare_all, make_broker
    from shared.settings import BrokerSettings

    settings = BrokerSettings()
    broker = make_broker(settings)
    async with broker:
        await declare_all(broker, settings)
        bus = EventBus(broker)
        with click.progressbar(messages, label="Sending") as bar:
            for consumer, event in bar:
                await bus.send(consumer, event)


async def _publish_and_watch(messages, watch: ReindexWatch, parser_version: int) -> None:
    """Send the messages with a queue of this command's own already listening for failures,
    then follow the catalog until every song is read again or has failed."""
    import aio_pika

    from shared.events import SongFailed, load_event
    from shared.settings import BrokerSettings
    from shared.topology import EVENTS

    connection = await aio_pika.connect(BrokerSettings().broker_url)
    async with connection:
        channel = await connection.channel()
        failures = await channel.declare_queue(exclusive=True, auto_delete=True)
        await failures.bind(EVENTS.name, routing_key=SongFailed.routing_key)
        await _publish(messages)
        sessions = _sessions()
        with click.progressbar(length=len(watch.sent), label="Reindexing") as bar:
            done = 0
            while True:
                while (message := await failures.get(no_ack=True, fail=False)) is not None:
                    event = load_event(message.body)
                    if isinstance(event, SongFailed):
                        watch.saw(event)
                with sessions() as session:
                    now = watch.done(outdated_song_ids(session, parser_version))
                bar.update(now - done)
                done = now
                if done == len(watch.sent):
                    return
                await asyncio.sleep(0.5)
