"""`chhub backup` and `chhub restore`; what they need from the catalog and sync services is
handed in by the CLI's composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.backup.database import DatabaseError
from services.backup.layout import ADMIN_TOKEN, BackupFolder
from services.backup.objects import Copied, DamagedBlob, MissingObjects
from services.backup.restore import Hub, NotEmpty, restore_backup
from services.backup.take import Referenced, take_backup
from shared.storage import ObjectStore


@dataclass(frozen=True)
class Services:
    """What the commands borrow from the services that own the catalog and the content
    folder."""

    referenced: Referenced
    create_database: Callable[[str], Any]
    prepare: Callable[[], Any]
    end_unfinished: Callable[[Session], int]
    rebuild: Callable[..., Any]
    """(store, bucket, content dir, [(manifest key, folder)], [(id, sha256, path)])"""


FAILURES = (DatabaseError, MissingObjects, DamagedBlob, NotEmpty, FileNotFoundError)


def backup_commands(services: Services) -> list[click.Command]:
    @click.command("backup")
    @click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
    def backup(dest: Path) -> None:
        """Back the hub up into DEST while it runs: the catalog database, every song file,
        manifest and custom item, and the admin token file. DEST keeps each file once, so a
        later backup into it copies only what is new."""
        url, store, bucket, gateway = _hub()
        try:
            taken = take_backup(url, store, bucket, BackupFolder(dest), services.referenced,
                                {ADMIN_TOKEN: gateway.admin_token_file}, _on_record(url))
        except FAILURES as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Snapshot {taken.snapshot.name} in {taken.snapshot}")
        click.echo(f"  database: {taken.songs} song(s), {taken.custom} custom item(s); "
                   f"dump {_size(taken.dump_bytes)}")
        click.echo(f"  manifests: {_copied(taken.manifests)}")
        click.echo(f"  blobs: {_copied(taken.blobs)}")

    @click.command("restore")
    @click.argument("src", type=click.Path(file_okay=False, exists=True, path_type=Path))
    @click.option("--snapshot", "name", help="A snapshot's name (default: the newest).")
    def restore(src: Path, name: str | None) -> None:
        """Restore a backup from SRC onto a hub with an empty database: songs, revisions,
        users, tokens, custom content and rig selections; then rebuild the content folder.
        Start the services afterwards."""
        from shared.settings import ContentSettings

        url, store, bucket, gateway = _hub()

        def in_catalog(work: Callable[[Session], Any]) -> Any:
            engine = create_engine(url, poolclass=NullPool)
            try:
                with Session(engine) as session, session.begin():
                    return work(session)
            finally:
                engine.dispose()

        def rebuild() -> Any:
            songs, custom = in_catalog(services.referenced)
            return services.rebuild(
                store, bucket, ContentSettings().content_dir,
                [(s.manifest_key, s.file_path) for s in songs],
                [(c.content_id, c.sha256, c.content_path) for c in custom if c.content_path])

        hub = Hub(url, store, bucket, services.create_database, services.prepare,
                  lambda: in_catalog(services.end_unfinished), rebuild)
        try:
            done = restore_backup(BackupFolder(src), hub,
                                  {ADMIN_TOKEN: gateway.admin_token_file}, name)
        except FAILURES as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Restored snapshot {done.snapshot.name}")
        click.echo(f"  manifests: {_copied(done.manifests, 'in the bucket')}")
        click.echo(f"  blobs: {_copied(done.blobs, 'in the bucket')}")
        for setting in done.settings_restored:
            click.echo(f"  {setting}: restored")
        for setting in done.settings_kept:
            click.echo(f"  {setting}: this hub's own file kept")
        if done.uploads_ended:
            click.echo(f"  {done.uploads_ended} upload(s) caught in progress: marked failed")
        click.echo(f"  content folder: {done.rebuilt}")

    return [backup, restore]


def _hub() -> tuple[str, ObjectStore, str, Any]:
    from shared.service import make_store
    from shared.settings import DatabaseSettings, GatewaySettings, StorageSettings

    storage = StorageSettings()
    return (DatabaseSettings().database_url, make_store(storage), storage.songs_bucket,
            GatewaySettings())


def _on_record(url: str) -> dict:
    """Settings a restore does not apply but an operator rebuilding a hub wants to know;
    no secret (keys, passwords) among them."""
    from shared.settings import ContentSettings, GatewaySettings, StorageSettings

    storage, gateway = StorageSettings(), GatewaySettings()
    return {"database": make_url(url).set(password=None).render_as_string(),
            "s3_endpoint": storage.s3_endpoint, "songs_bucket": storage.songs_bucket,
            "uploads_bucket": storage.uploads_bucket, "data_dir": str(storage.data_dir),
            "content_dir": str(ContentSettings().content_dir),
            "admin_token_file": str(gateway.admin_token_file),
            "gateway": f"{gateway.gateway_host}:{gateway.gateway_port}",
            "public_browsing": gateway.public_browsing}


def _copied(copied: Copied, where: str = "in the backup") -> str:
    return (f"copied {copied.copied} ({_size(copied.copied_bytes)}), {copied.skipped} already "
            f"{where} ({_size(copied.skipped_bytes)})")


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError
