"""`chhub import`: a rig's Songs folder into the library, sending only what is new, with its
progress as it goes and a summary at the end."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from services.importer.client import (
    DEFAULT_PARALLEL,
    HubClient,
    ImportReport,
    import_items,
)
from services.importer.display import ProgressLine
from services.importer.progress import MIB, Pace, ProgressMeter, describe, duration


@click.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--server", help="Gateway URL, e.g. http://hub.local:8000 (default: this machine).")
@click.option("--token", help="API token with the uploader role (default: the local admin token).")
@click.option("--dry-run", is_flag=True, help="Report what would be sent; send and change nothing.")
@click.option("--progress-every", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Seconds between progress lines when the output is not a terminal.")
@click.option("--parallel", type=click.IntRange(min=1, max=32), default=DEFAULT_PARALLEL,
              show_default=True, help="Uploads in flight at once.")
def import_library(path: Path, server: str | None, token: str | None, dry_run: bool,
                   progress_every: float, parallel: int) -> None:
    """Import every song under PATH (song folders, archives and .sng files, nested any depth).

    Asks the server which songs it already has (by content hash) before sending any bytes, so
    it can be interrupted and run again. Shows songs done, rates, time left and failures as it
    goes; ends with a summary naming each failure and why.
    """
    from services.importer.library_walk import walk_library

    started = time.monotonic()
    server, token = _defaults(server, token)
    client = HubClient(server, token)
    line = ProgressLine(sys.stdout, tty=sys.stdout.isatty(), every_seconds=progress_every)
    click.echo(f"Reading {path}…")
    reading = ProgressMeter(0, 0, time.monotonic())
    items = []
    for item in walk_library(path):
        items.append(item)
        reading.record(time.monotonic(), songs=item.songs, failed=int(bool(item.problem)))
        line.show(describe("Reading", reading.reading(time.monotonic())))
    line.show(describe("Read", reading.reading(time.monotonic())), last=True)

    def progress(label: str, pace: Pace, last: bool) -> None:
        line.show(describe(label, pace), last=last)

    try:
        report = import_items(client, items, dry_run=dry_run, progress=progress,
                              parallel=parallel)
    finally:
        line.end()
    _summarize(report, dry_run, time.monotonic() - started)
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


def _summarize(report: ImportReport, dry_run: bool, elapsed: float) -> None:
    if dry_run:
        click.echo(f"Dry run: {len(report.would_send)} to send, {len(report.known)} already in "
                   f"the library, {len(report.failed)} unreadable. Nothing was sent.")
        for path in report.would_send:
            click.echo(f"  would send {path}")
    else:
        click.echo(f"Done: {len(report.new)} new, {len(report.known)} already in the library, "
                   f"{len(report.failed)} failed. Sent {report.songs_sent} songs, "
                   f"{report.bytes_sent} bytes ({report.bytes_sent / MIB:.1f} MiB) in "
                   f"{elapsed:.1f} s ({duration(elapsed)}): "
                   f"{report.songs_sent / elapsed:.2f} songs/s, "
                   f"{report.bytes_sent / MIB / elapsed:.2f} MiB/s. Import run {report.run}.")
    for path, reason in report.failed:
        click.echo(f"  FAILED {path}: {reason}")
