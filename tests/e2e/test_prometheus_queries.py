"""After a batch of uploads and requests that succeed and fail, Debian's Prometheus, scraping
every service process, RabbitMQ and nginx's exporter with the project's scrape config and alert
rules, answers every dashboard panel query and every alert expression (without its threshold)
with series."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.promql import INFRA, metric_names, queries, without_threshold
from tests.support.search_service import search_service
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes
from tests.support.stack import SERVICES, TEST_VHOST, Stack, free_port, stop

AMAZING = "donnaken15-charts/Amazing"
SCRAPE_CONFIG = INFRA / "prometheus" / "prometheus.yml"
RULES = INFRA / "prometheus" / "rules.yml"
# Jobs of the compose scrape config this test leaves out, with the metric prefix each serves:
# no dashboard panel or alert reads them (test_no_query_reads_an_exporter_left_out checks it),
# so running their exporters would show nothing more.
LEFT_OUT_JOBS = {"postgres": "pg_", "redis": "redis_"}
SCRAPES_WANTED = 3  # samples per target: rate() and increase() need two in their window


@dataclass
class Server:
    """A process of this test serving HTTP at `address` (host:port), its output in `log`."""

    address: str
    process: subprocess.Popen
    log: Path
    metrics: str = ""  # host:port of its metrics listener, when apart from `address`

    def wait_until_serving(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (
                f"{self.process.args[0]} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"http://{self.address}{path}", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"http://{self.address}{path} did not answer; see {self.log}")


def start_server(args: list[str], port: int, log: Path, **popen) -> Server:
    with log.open("ab") as output:
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, **popen)
    return Server(f"127.0.0.1:{port}", process, log)


def binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    assert path, f"{name} is not installed: .ci/run installs it"
    return path


def metrics_address(stack: Stack, service: str) -> str:
    """host:port of `service`'s `/metrics`: the port it logged last (the next free one when its
    default was taken)."""
    lines = [json.loads(line) for line in stack.log_of(service).splitlines()
             if line.startswith("{") and '"metrics.serving"' in line]
    assert lines, f"{service} logged no metrics port"
    return f"127.0.0.1:{lines[-1]['port']}"


# ---- RabbitMQ's built-in exporter -------------------------------------------------------------

def rabbitmqctl_eval(expression: str) -> str:
    result = subprocess.run(["rabbitmqctl", "-q", "eval", expression], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def rabbitmq_plugins(action: str) -> None:
    result = subprocess.run(["rabbitmq-plugins", "-q", action, "rabbitmq_prometheus"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def running_rabbitmq_metrics_port() -> int | None:
    """The port of RabbitMQ's running `rabbitmq_prometheus` listener, or None when the plugin
    is off; fails when it listens beyond loopback."""
    running = rabbitmqctl_eval(
        "lists:keymember(rabbitmq_prometheus, 1, application:which_applications()).")
    if running != "true":
        return None
    listener = rabbitmqctl_eval("application:get_env(rabbitmq_prometheus, tcp_config).")
    ip, port = re.search(r'\{ip,"([^"]*)"\}', listener), re.search(r"\{port,(\d+)\}", listener)
    assert ip and ip.group(1) == "127.0.0.1" and port, (
        f"rabbitmq_prometheus already runs, not on loopback only ({listener})")
    return int(port.group(1))


def enable_rabbitmq_metrics() -> tuple[str, bool]:
    """host:port of `rabbitmq_prometheus` on 127.0.0.1, and whether this test enabled it.
    The listener is set in the running node's environment before the plugin starts."""
    port = running_rabbitmq_metrics_port()
    if port is not None:
        return f"127.0.0.1:{port}", False
    port = free_port()
    rabbitmqctl_eval("application:set_env(rabbitmq_prometheus, tcp_config, "
                     f'[{{ip, "127.0.0.1"}}, {{port, {port}}}]).')
    rabbitmq_plugins("enable")
    try:
        assert running_rabbitmq_metrics_port() == port
    except BaseException:
        rabbitmq_plugins("disable")
        raise
    return f"127.0.0.1:{port}", True


@pytest.fixture(scope="module")
def rabbitmq_metrics() -> Iterator[Future[tuple[str, bool]]]:
    """RabbitMQ's Prometheus endpoint, being enabled in the background while the batch runs.
    Disabled again afterwards: the node's config file does not pin the plugin's listener to
    loopback, so the plugin must not stay enabled for the node's next boot."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        enabling = pool.submit(enable_rabbitmq_metrics)
        try:
            yield enabling
        finally:
            if enabling.exception() is None and enabling.result()[1]:
                rabbitmq_plugins("disable")


# ---- nginx and its exporter -------------------------------------------------------------------

NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /stub_status {{ stub_status; }}
    }}
}}
"""


@pytest.fixture(scope="module")
def nginx_metrics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """host:port of Debian's nginx exporter, reading the stub_status of an nginx on loopback."""
    folder = tmp_path_factory.mktemp("nginx")
    port, exporter_port = free_port(), free_port()
    (folder / "nginx.conf").write_text(NGINX_CONF.format(folder=folder, port=port))
    nginx = start_server([binary("nginx"), "-p", str(folder), "-c", str(folder / "nginx.conf"),
                          "-e", "stderr"], port, folder / "nginx.log", start_new_session=True)
    exporter = None
    try:
        nginx.wait_until_serving("/stub_status")
        exporter = start_server([binary("prometheus-nginx-exporter"),
                                 f"-nginx.scrape-uri=http://{nginx.address}/stub_status",
                                 f"-web.listen-address=127.0.0.1:{exporter_port}"],
                                exporter_port, folder / "exporter.log")
        exporter.wait_until_serving("/metrics")
        yield exporter.address
    finally:
        if exporter is not None:
            stop(exporter.process)
        stop(nginx.process)


# ---- the batch --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gateway_without_store(stack: Stack, tmp_path_factory: pytest.TempPathFactory
                          ) -> Iterator[Server]:
    """A second gateway, starting, whose object store is away (nothing listens on its S3
    port): one copy of a scaled gateway that lost its store, where the batch's server errors
    come from."""
    port, metrics_port = free_port(), free_port()
    env = {**stack.env, "CHHUB_GATEWAY_PORT": str(port), "CHHUB_METRICS_PORT": str(metrics_port),
           "CHHUB_S3_ENDPOINT": f"127.0.0.1:{free_port()}"}
    gateway = start_server([sys.executable, "-m", "services.cli", "run", "gateway"], port,
                           tmp_path_factory.mktemp("gateway-without-store") / "gateway.log",
                           env=env, cwd=stack.workdir)
    gateway.metrics = f"127.0.0.1:{metrics_port}"
    try:
        yield gateway
    finally:
        stop(gateway.process)


@pytest.fixture(scope="module")
def finished_batch(stack: Stack, admin_token: str, corpus: Path,
                   gateway_without_store: Server) -> None:
    """Uploads and requests that succeed and fail, all ended: a good chart, a file that is no
    archive, an upload without a token, and a health check of the gateway without its store."""
    good = upload(stack, admin_token,
                  zip_bytes(song_files(corpus / AMAZING, f"prom-{uuid.uuid4().hex[:8]}")),
                  "amazing.zip")
    bad = upload(stack, admin_token, b"not an archive at all", "broken.zip")
    refused = httpx.post(f"{stack.gateway_url}/api/uploads/",
                         files={"file": ("anonymous.zip", b"x")}, timeout=30)
    assert refused.status_code == 401
    gateway_without_store.wait_until_serving("/login")
    unhealthy = httpx.get(f"http://{gateway_without_store.address}/health", timeout=30)
    assert unhealthy.status_code == 503, unhealthy.text
    assert wait_for_upload(stack, good)["state"] == "completed"
    assert wait_for_upload(stack, bad)["state"] == "failed"


# ---- Prometheus -------------------------------------------------------------------------------

def scrape_config(targets: dict[str, list[str]], port: int) -> dict:
    """The compose scrape config with each job's targets on this machine, 1 s intervals and
    the project's alert rules."""
    project = yaml.safe_load(SCRAPE_CONFIG.read_text())
    jobs = []
    for job in project["scrape_configs"]:
        name = job["job_name"]
        if name in LEFT_OUT_JOBS:
            continue
        addresses = [f"127.0.0.1:{port}"] if name == "prometheus" else targets.get(name)
        assert addresses, f"this test runs nothing for the scrape job {name}"
        local = {key: value for key, value in job.items()
                 if key != "static_configs" and not key.endswith("_sd_configs")}
        local["static_configs"] = [{"targets": addresses}]
        if name == "rabbitmq-queues":  # only the queues of this session's virtual host
            local["params"] = {**local.get("params", {}), "vhost": [TEST_VHOST]}
        jobs.append(local)
    return {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)], "scrape_configs": jobs}


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, expr: str) -> dict:
        return httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10).json()

    def api(self, path: str) -> dict:
        return httpx.get(f"{self.url}/api/v1/{path}", timeout=10).json()["data"]

    def wait_for_scrapes(self, targets: int, timeout: float = 30) -> None:
        """Until every target is up with SCRAPES_WANTED samples."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.query("count_over_time(up[1m]) and on (job, instance) up == 1")
            counts = answer["data"]["result"]
            if len(counts) == targets and all(int(series["value"][1]) >= SCRAPES_WANTED
                                              for series in counts):
                return
            time.sleep(0.5)
        raise AssertionError("not every target was scraped: " + json.dumps(
            [{key: target[key] for key in ("labels", "health", "lastError")}
             for target in self.api("targets")["activeTargets"]], indent=1))


@pytest.fixture(scope="module")
def prometheus(stack: Stack, rabbitmq_metrics: Future[tuple[str, bool]],
               gateway_without_store: Server, finished_batch: None, nginx_metrics: str,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    """Debian's Prometheus on loopback, scraping everything once a second, after the batch."""
    folder = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    rabbitmq, _ = rabbitmq_metrics.result(timeout=180)
    targets = {f"chhub-{service}": [metrics_address(stack, service)] for service in SERVICES}
    targets["chhub-gateway"].append(gateway_without_store.metrics)
    targets |= {"rabbitmq": [rabbitmq], "rabbitmq-queues": [rabbitmq], "nginx": [nginx_metrics]}
    search_metrics = free_port()
    targets["chhub-search"] = [f"127.0.0.1:{search_metrics}"]
    config = scrape_config(targets, port)
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
    with search_service(stack.env["CHHUB_DATABASE_URL"], CHHUB_TELEMETRY_ENABLED="true",
                        CHHUB_METRICS_PORT=str(search_metrics)):
        server = start_server([binary("prometheus"),
                               f"--config.file={folder / 'prometheus.yml'}",
                               f"--storage.tsdb.path={folder / 'data'}",
                               f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                              port, folder / "prometheus.log")
        try:
            server.wait_until_serving("/-/ready")
            running = Prometheus(f"http://{server.address}")
            running.wait_for_scrapes(sum(len(job["static_configs"][0]["targets"])
                                         for job in config["scrape_configs"]))
            yield running
        finally:
            stop(server.process)


# ---- the tests --------------------------------------------------------------------------------

def test_every_dashboard_and_alert_query_returns_series(prometheus: Prometheus) -> None:
    empty = []
    for where, expr in queries():
        query = without_threshold(expr)
        answer = prometheus.query(query)
        if answer.get("status") != "success":
            empty.append(f"{where}: {query}: {answer.get('error')}")
        elif not answer["data"]["result"]:
            empty.append(f"{where}: {query}: no series")
    assert not empty, "queries without an answer:\n" + "\n".join(empty)


def test_the_alert_rules_load_and_evaluate(prometheus: Prometheus) -> None:
    rules = [rule for group in prometheus.api("rules")["groups"] for rule in group["rules"]]
    project = yaml.safe_load(RULES.read_text())
    assert sorted(rule["name"] for rule in rules) == sorted(
        rule["alert"] for group in project["groups"] for rule in group["rules"])
    assert [(rule["name"], rule["health"], rule.get("lastError")) for rule in rules
            if rule["health"] != "ok"] == []


def test_no_query_reads_an_exporter_left_out() -> None:
    read = {(where, name) for where, expr in queries() for name in metric_names(expr)}
    assert sorted((where, name) for where, name in read
                  if name.startswith(tuple(LEFT_OUT_JOBS.values()))) == []
