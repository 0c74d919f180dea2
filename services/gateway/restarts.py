"""The supervisor's restarts as the gateway shows them: read from the supervisor's status file
for the home page, and served on `/metrics` as `chhub_supervisor_restarts_total{child}`."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily

from shared.supervision import ChildStatus, read_status, status_path

RESTARTS = "chhub_supervisor_restarts"
HELP = "Times `chhub run all` restarted a crashed child (service, S3 server, Syncthing)."


class SupervisorRestarts:
    """A Prometheus collector reading the status file at each scrape: the counts belong to the
    supervisor process, the gateway only serves them."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def describe(self):
        yield CounterMetricFamily(RESTARTS, HELP, labels=["child"])

    def collect(self):
        family = CounterMetricFamily(RESTARTS, HELP, labels=["child"])
        for child in supervised(self.data_dir):
            family.add_metric([child.name], child.restarts)
        yield family


def supervised(data_dir: Path) -> list[ChildStatus]:
    """Each child of the supervisor running from `data_dir`; [] when the gateway runs alone."""
    return read_status(status_path(data_dir.resolve()))


_served: list[SupervisorRestarts] = []


def serve_restarts(data_dir: Path) -> SupervisorRestarts:
    """The restarts of the supervisor sharing `data_dir`, also served on `/metrics` (once per
    process: the registry is global, so a later app's directory replaces the earlier one)."""
    if _served:
        _served[0].data_dir = data_dir
    else:
        _served.append(SupervisorRestarts(data_dir))
        REGISTRY.register(_served[0])
    return _served[0]
