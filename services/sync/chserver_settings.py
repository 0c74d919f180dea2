"""Settings of the Clone Hero standalone server the sync service runs beside the content
folder (`chhub chserver`), read from `CHHUB_CHSERVER_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from shared.settings import Section


class ChServerSettings(Section):
    chserver_binary: Path = Path("Server")
    """The official Clone Hero standalone server executable."""

    chserver_dir: Path = Path("./data/chserver")
    """Working folder of the server, where its `settings.ini` is written."""

    chserver_address: str = "0.0.0.0"
    """Address the server listens on (UDP)."""

    chserver_port: int = Field(default=14242, ge=1, le=65535)
    """UDP port the server listens on."""

    chserver_name: str = "Clone Hero Hub"
    """Server name shown to players."""

    chserver_password: SecretStr | None = None
    """Password players must give; unset (and no password file) means `--nopass`."""

    chserver_password_file: Path | None = None
    """File holding the password (a container secret); wins over `chserver_password`."""

    chserver_max_players: int = Field(default=4, ge=1, le=4)
    """Players in one lobby (`maxplayers`, 1 to 4)."""

    chserver_min_required_players: int = Field(default=1, ge=1, le=4)
    """Players needed before a song starts (`minrequiredplayers`)."""

    chserver_only_host_chooses_songs: bool = False
    """Only the lobby's host picks songs (`onlyhostchoosesongs`)."""

    chserver_max_spectators: int = Field(default=4, ge=0)
    """Spectators allowed in one lobby (`maxspectators`)."""

    chserver_tick_rate: int = Field(default=60, ge=1)
    """Server updates per second (`servertickrate`)."""

    chserver_low_song_speed: int = Field(default=25, ge=1)
    """Slowest song speed allowed, in percent (`lowsongspeed`)."""

    chserver_max_song_speed: int = Field(default=500, ge=1)
    """Fastest song speed allowed, in percent (`maxsongspeed`)."""

    chserver_client_remove_songs: bool = False
    """Players may remove songs from the lobby's list (`clientremovesongs`)."""

    chserver_songs_per_client: int = Field(default=0, ge=0)
    """Songs each player may queue, 0 for no limit (`songsperclient`)."""

    def password(self) -> str | None:
        """The password from the secret file, else from the environment, else None."""
        if self.chserver_password_file is not None:
            return self.chserver_password_file.read_text().strip() or None
        return self.chserver_password.get_secret_value() if self.chserver_password else None
