"""`chhub import`: a rig's Songs folder into the library, sending only what is new."""

from __future__ import annotations

from pathlib import Path

import click

from services.gateway.importer.client import HubClient, ImportReport, import_items


@click.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--server", help="Gateway URL, e.g. http://hub.local:8000 (default: this machine).")
@click.option("--token", help="API token with the uploader role (default: the local admin token).")
@click.option("--dry-run", is_flag=True, help="Report what would be sent; send and change nothing.")
def import_library(path: Path, server: str | None, token: str | None, dry_run: bool) -> None:
    """Import every song under PATH (song folders, archives and .sng files, nested any depth).

    Asks the server which songs it already has (by content hash) before sending any bytes, so
    it can be interrupted and run again. Ends with a summary naming each failure and why.
    """
    from services.gateway.importer.library_walk import walk_library

    server, token = _defaults(server, token)
    client = HubClient(server, token)
    click.echo(f"Reading {path}…")
    items = list(walk_library(path))
    with click.progressbar(length=len(items), label="Importing",
                           item_show_func=lambda line: line) as bar:
        def progress(item, report: ImportReport) -> None:
            bar.update(1, f"{len(report.known)} already in library, {len(report.failed)} failed")

        report = import_items(client, items, dry_run=dry_run, progress=progress)
    _summarize(report, dry_run)
    if report.failed:
        raise SystemExit(1)


def _defaults(server: str | None, token: str | None) -> tuple[str, str]:
    from shared.settings import GatewaySettings

    settings = GatewaySettings()
    server = server or f"http://{settings.gateway_host}:{settings.gateway_port}"
    if token is None:
        if not settings.admin_token_file.exists():
            raise click.UsageError("Give --token (no local admin token was found).")
        token = settings.admin_token_file.read_text().strip()
    return server, token


def _summarize(report: ImportReport, dry_run: bool) -> None:
    if dry_run:
        click.echo(f"Dry run: {len(report.would_send)} to send, {len(report.known)} already in "
                   f"the library, {len(report.failed)} unreadable. Nothing was sent.")
        for path in report.would_send:
            click.echo(f"  would send {path}")
    else:
        click.echo(f"Done: {len(report.new)} new, {len(report.known)} already in the library, "
                   f"{len(report.failed)} failed ({report.bytes_sent / 2**20:.1f} MiB sent).")
    for path, reason in report.failed:
        click.echo(f"  FAILED {path}: {reason}")
