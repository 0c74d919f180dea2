"""`chhub chserver run`: the Clone Hero multiplayer server in the foreground."""

from __future__ import annotations

import signal
import sys

import click


@click.group()
def chserver() -> None:
    """The official Clone Hero standalone (multiplayer) server."""


@chserver.command("run")
@click.option("--ready-timeout", default=60.0, show_default=True,
              help="Seconds to wait for the server to report it is running.")
def chserver_run(ready_timeout: float) -> None:
    """Write the server's settings.ini from CHHUB_CHSERVER_* settings, start it, forward its
    log and stop it on Ctrl-C or SIGTERM. The password comes from CHHUB_CHSERVER_PASSWORD or
    the file named by CHHUB_CHSERVER_PASSWORD_FILE and is never logged."""
    from services.sync.chserver import ChServer
    from services.sync.chserver_settings import ChServerSettings
    from shared.logs import configure_logging
    from shared.settings import LoggingSettings

    logging_settings = LoggingSettings()
    configure_logging(service="chserver", fmt=logging_settings.log_format,
                      level=logging_settings.log_level)
    settings = ChServerSettings()
    status_file = settings.chserver_dir / "status"
    settings.chserver_dir.mkdir(parents=True, exist_ok=True)
    server = ChServer(settings, on_status=status_file.write_text)
    try:
        server.start()
    except OSError as error:
        raise click.ClickException(f"cannot start the server: {error}") from error
    # SIGTERM (as from a supervisor or container runtime) stops the server like Ctrl-C does;
    # the handler only signals, since it interrupts a wait on the same process.
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        if not server.wait_until_healthy(ready_timeout) and server.status != "stopped":
            click.echo(f"chserver: not running after {ready_timeout} s; still waiting",
                       err=True)
        sys.exit(server.wait())
    except KeyboardInterrupt:
        sys.exit(server.stop() or 0)


@chserver.command("status")
def chserver_status() -> None:
    """Print the server's status (starting, healthy, stopped); exit 0 only when healthy — the
    container's health check."""
    from services.sync.chserver_settings import ChServerSettings

    status_file = ChServerSettings().chserver_dir / "status"
    status = status_file.read_text().strip() if status_file.exists() else "stopped"
    click.echo(status)
    sys.exit(0 if status == "healthy" else 1)
