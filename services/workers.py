"""The service processes `chhub run all` starts: one per service with all of its consumers and
periodic jobs, plus extra workers for the pipeline stages that run several at once.

Extra workers are plain service processes told which queues to consume (`only_consumers`);
they compete with the first process for the stage's messages, so no message is handled twice
and any worker may stop at any moment (at-least-once delivery covers it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence

INGEST_STAGES = ("ingest.unpack", "ingest.extract", "ingest.parse")
SCALABLE_STAGES = (*INGEST_STAGES, "catalog.catalog", "sync.publish")
MAX_DEFAULT_WORKERS = 4


class UnknownStage(ValueError):
    """A stage name that no pipeline stage has."""


def workers_per_stage(requested: Mapping[str, int], default_ingest: int | None = None,
                      cpus: int | None = None) -> dict[str, int]:
    """Processes per scalable stage: what was requested, else one per CPU core (at most 4)
    for the ingest stages and one for the others."""
    unknown = sorted(set(requested) - set(SCALABLE_STAGES))
    if unknown:
        raise UnknownStage(f"No pipeline stage is called {', '.join(unknown)}; stages that "
                           f"take workers: {', '.join(SCALABLE_STAGES)}.")
    ingest = default_ingest or max(1, min(MAX_DEFAULT_WORKERS, cpus or os.cpu_count() or 1))
    defaults = {stage: ingest if stage in INGEST_STAGES else 1 for stage in SCALABLE_STAGES}
    return {stage: max(1, requested.get(stage, defaults[stage])) for stage in SCALABLE_STAGES}


def service_processes(services: Sequence[str],
                      workers: Mapping[str, int]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Process name → (service, queues it alone consumes; empty for a service's first process,
    which consumes all). A service's n-th extra worker takes every stage of that service that
    wants more than n processes, so stages asking for the same count share processes."""
    processes: dict[str, tuple[str, tuple[str, ...]]] = {name: (name, ()) for name in services}
    for service in services:
        stages = {stage: count for stage, count in workers.items()
                  if stage.split(".", 1)[0] == service}
        for extra in range(1, max(stages.values(), default=1)):
            queues = tuple(sorted(stage for stage, count in stages.items() if count > extra))
            processes[f"{service}-{extra + 1}"] = (service, queues)
    return processes


def commands(run_service: Sequence[str], services: Sequence[str],
             workers: Mapping[str, int]) -> dict[str, list[str]]:
    """The command line of every process; `run_service` + a service name runs that service."""
    result = {}
    for name, (service, queues) in service_processes(services, workers).items():
        prefix = ["env", f"CHHUB_ONLY_CONSUMERS={json.dumps(list(queues))}"] if queues else []
        result[name] = [*prefix, *run_service, service]
    return result
