"""`chhub run all`: the embedded S3 server and Syncthing when none is configured, the setup,
then every service, all kept running by the supervisor until Ctrl-C."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import click

from services import embedded_s3, workers
from services.search.settings import SearchSettings
from services.supervisor import Child, Supervisor
from shared.metrics import DEFAULT_PORTS
from shared.settings import (
    GatewaySettings,
    StorageSettings,
    SyncthingSettings,
    TelemetrySettings,
    WorkerSettings,
)
from shared.supervision import status_path

SERVICES = ("gateway", "ingest", "catalog", "sync", "search")


def run_all(setup: Callable[[], str]) -> int:
    """Start everything, print where it is, and supervise it; the exit code of the tree."""
    storage = StorageSettings()
    data_dir = storage.data_dir.resolve()
    children: list[Child] = []
    if storage.s3_endpoint is None and not embedded_s3.is_listening(storage.embedded_s3_port):
        click.echo(f"Starting the embedded S3 server on 127.0.0.1:{storage.embedded_s3_port}…")

        def start_s3():
            return embedded_s3.start(data_dir / "s3", storage.embedded_s3_port,
                                     storage.s3_access_key, storage.s3_secret_key)

        s3 = Child("s3", start_s3, process=start_s3())
        children.append(s3)
        embedded_s3.wait_until_ready(storage.embedded_s3_port, process=s3.process)
    syncthing = _embedded_syncthing(data_dir / "syncthing")
    if syncthing is not None:
        children.append(syncthing)
    token = setup()
    gateway = GatewaySettings()
    click.echo(f"\nClone Hero Hub is starting at http://{gateway.gateway_host}:"
               f"{gateway.gateway_port}/")
    click.echo(f"Admin API token (also in {gateway.admin_token_file}): {token}")
    click.echo("Upload with:  curl -H \"Authorization: Bearer $TOKEN\" -F file=@song.zip "
               f"http://{gateway.gateway_host}:{gateway.gateway_port}/api/uploads/")
    if syncthing is not None:
        click.echo("Syncthing (shares the content folder with your rigs): "
                   f"{os.environ['CHHUB_SYNCTHING_URL']}")
    click.echo(f"Metrics for Prometheus at http://{TelemetrySettings().metrics_host}:PORT/metrics, "
               "PORT: " + ", ".join(f"{name} {port}" for name, port in DEFAULT_PORTS.items()))
    click.echo("Press Ctrl-C to stop. A service that crashes is restarted.\n")
    search = SearchSettings()  # the gateway asks the search service run beside it
    os.environ.setdefault("CHHUB_SEARCH_URL", f"http://{search.search_host}:{search.search_port}")
    me = [sys.executable, "-m", "services.cli", "run"]
    settings = WorkerSettings()
    per_stage = workers.workers_per_stage(settings.stage_workers, settings.default_ingest_workers)
    click.echo("Workers per stage: " + ", ".join(f"{s}: {n}" for s, n in per_stage.items()))
    children += [Child.command(name, command)
                 for name, command in workers.commands(me, SERVICES, per_stage).items()]
    return Supervisor(children, status_file=status_path(data_dir)).run()


def _embedded_syncthing(home: Path) -> Child | None:
    """A loopback-only Syncthing for the content folder, when none is configured and the
    `syncthing` program is installed; its URL and API key go to the services' environment."""
    from services.sync import syncthing_process

    if SyncthingSettings().syncthing_url is not None or shutil.which("syncthing") is None:
        return None
    key_file = home / "api-key"
    home.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(24))
        key_file.chmod(0o600)
    local = syncthing_process.start(home, name="Clone Hero Hub", gui_port=8384,
                                    listen_port=22000, api_key=key_file.read_text().strip())
    os.environ["CHHUB_SYNCTHING_URL"] = local.url
    os.environ["CHHUB_SYNCTHING_API_KEY"] = local.api_key
    return Child("syncthing", lambda: syncthing_process.launch(home), process=local.process)
