"""A process's open TCP connections to a port, read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path

ESTABLISHED = "01"


def connections_to(pid: int, port: int) -> set[int]:
    """The local ports of `pid`'s established connections to `port` (one per connection)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    local_ports = set()
    for table in ("tcp", "tcp6"):
        for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = row.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if inode in inodes and state == ESTABLISHED and _port(remote) == port:
                local_ports.add(_port(local))
    return local_ports


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)
