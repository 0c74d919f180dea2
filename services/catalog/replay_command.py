"""`chhub replay` and `chhub reindex`: run stages of the pipeline again over stored songs."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import click

from services.catalog.replay import STAGES, Selection, select_songs, stage_message


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
              help="Wait until every song is read by the current parser.")
def reindex(wait: bool) -> None:
    """Read again every song that an older parser read, from its stored files; the catalog and
    the content folder change only where the result changed."""
    from shared.songs.version import PARSER_VERSION

    selection = Selection(parser_older_than=PARSER_VERSION)
    total = _send("parse", selection, dry_run=False)
    click.echo(f"Reindexing {total} song(s) with parser version {PARSER_VERSION}.")
    if wait and total:
        _wait_until_reindexed(selection, total)


def _sessions():
    from services.catalog.db import make_engine, make_sessions
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


def _wait_until_reindexed(selection: Selection, total: int) -> None:
    sessions = _sessions()
    with click.progressbar(length=total, label="Reindexing") as bar:
        done = 0
        while done < total:
            with sessions() as session:
                left = len(select_songs(session, selection))
            bar.update(total - left - done)
            done = total - left
            if done < total:
                time.sleep(0.5)
