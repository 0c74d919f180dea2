"""`chhub gc`: collect the songs bucket's unreferenced blobs now, or (`--dry-run`) only list
what would be freed."""

from __future__ import annotations

import click


@click.command("gc")
@click.option("--dry-run", is_flag=True, help="Only list what would be freed; delete nothing.")
def gc(dry_run: bool) -> None:
    """Delete the blobs and manifests of the songs bucket that no song revision in the catalog,
    upload under way, kept original or custom content refers to, and that are older than the
    safety window (CHHUB_GC_WINDOW_HOURS); print each one and the totals."""
    from services.ingest.app import IngestServiceSettings, make_collector
    from shared.persistence.db import make_engine, make_sessions
    from shared.service import make_store

    settings = IngestServiceSettings()
    engine = make_engine(settings.database_url, pool_size=2)
    try:
        report = make_collector(settings, make_store(settings), make_sessions(engine)).run(
            dry_run=dry_run)
    finally:
        engine.dispose()
    for item in report.freed:
        click.echo(f"{item.key}\t{item.size}\t{_hours(item.age.total_seconds())}")
    verb = "would free" if dry_run else "freed"
    click.echo(f"{verb} {report.blobs} blob(s) and {report.manifests} manifest(s), "
               f"{report.bytes} bytes; {report.referenced} object(s) still referenced")


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f}h old"
