"""`chhub`: run Clone Hero Hub's services, prepare their database, buckets and queues, and
inspect songs."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import click

from services.lazy_commands import LazyCommands, command_in
from services.run_all import SERVICES
from services.sync.chserver_command import chserver


@click.group(cls=LazyCommands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Clone Hero Hub: a self-hosted library for Clone Hero songs.

    Settings come from CHHUB_* environment variables (or a .env file); see the README.
    """


@main.command()
@click.argument("service", type=click.Choice(("all", *SERVICES)))
def run(service: str) -> None:
    """Run SERVICE in the foreground; `all` runs every service (and, when no S3 endpoint is
    configured, the embedded S3 server) as one process tree that Ctrl-C stops cleanly.

    Several copies of ingest, catalog or sync may run side by side.
    """
    from shared.logs import configure_logging
    from shared.native_heap import bound_native_heap
    from shared.settings import LoggingSettings

    bound_native_heap()
    logging_settings = LoggingSettings()
    configure_logging(service=service, fmt=logging_settings.log_format,
                      level=logging_settings.log_level)
    if service == "all":
        from services.run_all import run_all

        sys.exit(run_all(_setup))
    from shared.observability import start_observability
    from shared.settings import TelemetrySettings

    start_observability(TelemetrySettings(), service)
    if service in ("gateway", "search"):  # HTTP services: each root serves itself
        __import__(f"services.{service}.app", fromlist=["serve"]).serve()
        return
    module = {"ingest": "services.ingest.app", "catalog": "services.catalog.app",
              "sync": "services.sync.app"}[service]
    app = __import__(module, fromlist=["create_app"]).create_app()
    asyncio.run(app.run())


@main.command()
def setup() -> None:
    """Create the database and apply migrations, create the buckets, declare the queues and
    the first admin API token. Safe to run again."""
    token = _setup()
    click.echo(f"Ready. Admin API token: {token}")


def _setup() -> str:
    from shared.persistence import db
    from shared.service import declare_all, make_broker, make_store
    from shared.settings import BrokerSettings, DatabaseSettings, GatewaySettings, StorageSettings

    database, storage = DatabaseSettings(), StorageSettings()
    db.create_database(database.database_url)
    db.upgrade(database.database_url)
    store = make_store(storage)
    for bucket in (storage.uploads_bucket, storage.songs_bucket):
        store.ensure_bucket(bucket)
    broker_settings = BrokerSettings()

    async def declare() -> None:
        broker = make_broker(broker_settings)
        await declare_all(broker, broker_settings)
        await broker.stop()

    asyncio.run(declare())
    return _admin_token(GatewaySettings().admin_token_file, database.database_url)


def _admin_token(path: Path, database_url: str) -> str:
    """The first admin token, created on first run and kept (readable by its owner only)."""
    from services.gateway.tokens import create_token, principal_for
    from shared.persistence.db import make_engine, make_sessions, transaction

    sessions = make_sessions(make_engine(database_url, 1))
    if path.exists():
        token = path.read_text().strip()
        with sessions() as session:
            if principal_for(session, token) is not None:
                return token
    with transaction(sessions) as session:
        token = create_token(session, "admin (first run)", "admin")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token + "\n")
    os.chmod(path, 0o600)
    return token


@main.group()
def db() -> None:
    """The catalog database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the database if missing and apply every migration."""
    from shared.persistence import db as catalog_db
    from shared.settings import DatabaseSettings

    url = DatabaseSettings().database_url
    catalog_db.create_database(url)
    catalog_db.upgrade(url)
    click.echo("The catalog database is up to date.")


@main.group()
def token() -> None:
    """API tokens for uploads and administration."""


@token.command("create")
@click.option("--name", required=True, help="Who or what the token is for.")
@click.option("--role", type=click.Choice(("viewer", "uploader", "admin")), default="uploader",
              show_default=True, help="What the token may do.")
def token_create(name: str, role: str) -> None:
    """Create an API token and print it (it is shown only once)."""
    from services.gateway.tokens import create_token
    from shared.persistence.db import make_engine, make_sessions, transaction
    from shared.settings import DatabaseSettings

    sessions = make_sessions(make_engine(DatabaseSettings().database_url, 1))
    with transaction(sessions) as session:
        click.echo(create_token(session, name, role))


@main.group()
def admin() -> None:
    """People who sign in to the web pages."""


@admin.command("create")
@click.option("--username", required=True, help="The name to sign in with.")
@click.option("--role", type=click.Choice(("viewer", "uploader", "admin")), default="admin",
              show_default=True, help="What the user may do.")
@click.password_option(help="Asked for when not given (never a default).")
def admin_create(username: str, role: str, password: str) -> None:
    """Create a user who signs in with a password (the first admin, typically)."""
    from services.gateway.users import UserError, create_user
    from shared.persistence.db import make_engine, make_sessions, transaction
    from shared.settings import DatabaseSettings

    sessions = make_sessions(make_engine(DatabaseSettings().database_url, 1))
    try:
        with transaction(sessions) as session:
            user = create_user(session, username, password, role)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.username} ({user.role}) can sign in now.")


@main.group()
def dlq() -> None:
    """Dead-lettered messages: see why they failed, retry them after fixing the cause, or
    discard them."""


def _dead_letters_url() -> str:
    from shared.settings import BrokerSettings

    return BrokerSettings().broker_url


@dlq.command("list")
def dlq_list() -> None:
    """List every dead letter with its stage, reason and attempts."""
    from shared.dead_letters import list_dead_letters

    letters = asyncio.run(list_dead_letters(_dead_letters_url()))
    if not letters:
        click.echo("No dead letters: every message was handled.")
    for letter in letters:
        click.echo(f"{letter.queue:<18} {letter.message_id}  {letter.event_type or '?':<20} "
                   f"attempts={letter.attempts}  {letter.reason}")


@dlq.command("show")
@click.argument("message_id")
def dlq_show(message_id: str) -> None:
    """Print one dead letter in full (headers and body) as JSON."""
    from dataclasses import asdict

    from shared.dead_letters import list_dead_letters

    for letter in asyncio.run(list_dead_letters(_dead_letters_url())):
        if letter.message_id == message_id:
            click.echo(json.dumps(asdict(letter), indent=2, default=str))
            return
    raise click.ClickException(f"No dead letter has the id {message_id}.")


def _settle(queue: str, message_id: str | None, every: bool, retry: bool) -> None:
    from shared.dead_letters import settle

    if (message_id is None) != every:
        raise click.UsageError("Give a MESSAGE_ID or --all.")
    count = asyncio.run(settle(_dead_letters_url(), queue, message_id, retry=retry))
    click.echo(f"{'Retried' if retry else 'Discarded'} {count} message(s) of {queue}.")


@dlq.command("retry")
@click.argument("queue")
@click.argument("message_id", required=False)
@click.option("--all", "every", is_flag=True, help="Every dead letter of QUEUE.")
def dlq_retry(queue: str, message_id: str | None, every: bool) -> None:
    """Send dead letters of QUEUE (e.g. ingest.extract) back to their consumer."""
    _settle(queue, message_id, every, retry=True)


@dlq.command("discard")
@click.argument("queue")
@click.argument("message_id", required=False)
@click.option("--all", "every", is_flag=True, help="Every dead letter of QUEUE.")
def dlq_discard(queue: str, message_id: str | None, every: bool) -> None:
    """Drop dead letters of QUEUE for good."""
    _settle(queue, message_id, every, retry=False)


@main.group()
def s3() -> None:
    """The embedded S3 server (SeaweedFS), for machines without MinIO or another S3 server."""


@s3.command("serve")
def s3_serve() -> None:
    """Run the embedded S3 server in the foreground on loopback."""
    from services import embedded_s3
    from shared.settings import StorageSettings

    storage = StorageSettings()
    process = embedded_s3.start(storage.data_dir.resolve() / "s3", storage.embedded_s3_port,
                                storage.s3_access_key, storage.s3_secret_key)
    try:
        sys.exit(process.wait())
    except KeyboardInterrupt:
        process.terminate()
        sys.exit(process.wait())


main.add_command(chserver)


def _backup_command(name: str) -> click.Command:
    from services.backup.command import Services, backup_commands
    from services.sync.rebuild import rebuild_content_folder
    from shared.persistence import db as catalog_db
    from shared.persistence.backup_rows import referenced
    from shared.persistence.uploads import end_unfinished_uploads

    commands = backup_commands(Services(referenced, catalog_db.create_database, _setup,
                                        end_unfinished_uploads, rebuild_content_folder))
    return next(command for command in commands if command.name == name)


main.lazy.update({
    "import": command_in("services.importer.command", "import_library"),
    "scan": command_in("services.ingest.scan_command", "scan"),
    "gc": command_in("services.ingest.gc_command", "gc"),
    "replay": command_in("services.catalog.replay_command", "replay"),
    "reindex": command_in("services.catalog.replay_command", "reindex"),
    "generate": command_in("services.ingest.generator.command", "generate"),
    "backup": lambda: _backup_command("backup"),
    "restore": lambda: _backup_command("restore"),
})

if __name__ == "__main__":
    main()
