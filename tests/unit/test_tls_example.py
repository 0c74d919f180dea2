"""compose.tls.yaml, the hub behind TLS: compose accepts it over compose.yaml, nginx accepts its
config with a certificate, port 443 serves what port 80 serves without TLS, and the gateway
sends Secure cookies while believing nginx's forwarded headers only.

Needs `docker-compose`, `nginx` and `openssl` (tests/support/deployment_files.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.gateway.settings import GatewayServiceSettings
from tests.support.deployment_files import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    NGINX_DIR,
    ROOT,
    environment_of,
    find_tool,
    free_loopback_port,
    run,
)

pytestmark = pytest.mark.unit

TLS_COMPOSE = ROOT / "compose.tls.yaml"
TLS_NGINX = NGINX_DIR / "nginx-tls.conf"
# What a server block does with a request: limits, proxying, and where each path goes.
PROXYING = re.compile(r"^[ \t]*(?:client_\w+|proxy_\w+|location)\b.*$", flags=re.MULTILINE)


def server_on(config: str, port: int) -> str:
    """The text of the server block listening on `port` (up to the next server block)."""
    start = re.search(rf"^\s*listen\s+{port}\b", config, flags=re.MULTILINE).start()
    end = config.find("\n    server {", start)
    return config[start:end if end != -1 else None]


def merged() -> dict:
    result = run([find_tool("docker-compose"), "--file", str(COMPOSE_FILE), "--file",
                  str(TLS_COMPOSE), "--env-file", str(ENV_EXAMPLE), "config"])
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_compose_accepts_the_tls_example_over_the_plain_file() -> None:
    services = merged()
    nginx = services["nginx"]
    assert {"target": 443, "published": 443} in [
        {key: port[key] for key in ("target", "published")} for port in nginx["ports"]]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in nginx["volumes"]}
    assert mounts["/etc/nginx/nginx.conf"] == str(TLS_NGINX)


def test_the_gateway_sends_secure_cookies_and_believes_only_nginx() -> None:
    services = merged()
    environment = environment_of(services["gateway"])
    settings = GatewayServiceSettings(
        secure_cookies=environment["CHHUB_SECURE_COOKIES"],
        trusted_proxies=environment["CHHUB_TRUSTED_PROXIES"])
    assert settings.secure_cookies is True
    assert settings.trusted_proxies == services["nginx"]["networks"]["default"]["ipv4_address"]


def test_nginx_accepts_the_tls_config_with_a_certificate(tmp_path: Path) -> None:
    openssl = find_tool("openssl")
    made = run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-keyout", str(tmp_path / "privkey.pem"),
                "-out", str(tmp_path / "fullchain.pem")])
    assert made.returncode == 0, made.stderr
    config, listens = re.subn(r"^(\s*listen\s+)\d+\b",
                              lambda match: f"{match[1]}127.0.0.1:{free_loopback_port()}",
                              TLS_NGINX.read_text(), flags=re.MULTILINE)
    assert listens == 3
    (tmp_path / "nginx.conf").write_text(config.replace("/etc/nginx/tls/", f"{tmp_path}/"))
    (tmp_path / "upstream.conf").write_text("upstream gateway { server 127.0.0.1:8000; }\n")
    nginx = find_tool("nginx", Path("/usr/sbin"), Path("/usr/local/sbin"))
    result = run([nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/",
                  "-e", str(tmp_path / "error.log"), "-g", f"pid {tmp_path}/nginx.pid;"],
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_port_443_serves_what_the_plain_config_serves_on_port_80() -> None:
    plain = PROXYING.findall(server_on((NGINX_DIR / "nginx.conf").read_text(), 80))
    tls = TLS_NGINX.read_text()
    assert plain and PROXYING.findall(server_on(tls, 443)) == plain
    assert "return 301 https://" in server_on(tls, 80) and not PROXYING.findall(
        server_on(tls, 80))
