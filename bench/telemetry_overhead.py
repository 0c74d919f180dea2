"""Telemetry overhead for bench/ingest.py: the same uploads through the pipeline with tracing
and metrics on (spans exported over OTLP to a local receiver, /metrics served) and off,
interleaved on, off, on, off… so that drift in the machine's load hits both alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tests.support import stack as stacks
from tests.support.otlp import OtlpReceiver
from tests.support.songs import wait_for_upload


def restart_all(stack: stacks.Stack, env: dict[str, str]) -> None:
    for service in stacks.SERVICES:
        stack.restart(service, **env)


def timed_round(stack: stacks.Stack, upload: Callable[[Path], str],
                archives: list[Path]) -> float:
    started = time.perf_counter()
    uploads = [upload(archive) for archive in archives]
    for upload_id in uploads:
        assert wait_for_upload(stack, upload_id, timeout=600)["state"] == "completed"
    return time.perf_counter() - started


def compare(stack: stacks.Stack, upload: Callable[[Path], str],
            make_archives: Callable[[str], list[Path]], rounds: int) -> None:
    """Print each round's seconds and the median on/off ratio with its spread."""
    with OtlpReceiver() as receiver:
        modes = {
            "on": {"CHHUB_TELEMETRY_ENABLED": "true", "CHHUB_TRACE_EXPORTER": "otlp",
                   "CHHUB_OTLP_ENDPOINT": receiver.endpoint},
            "off": {"CHHUB_TELEMETRY_ENABLED": "false"},
        }
        seconds: dict[str, list[float]] = {"on": [], "off": []}
        for index in range(rounds):
            for mode, env in modes.items():
                restart_all(stack, env)
                archives = make_archives(f"{mode}-{index}")
                timed_round(stack, upload, archives[:1])  # warm up the fresh processes
                seconds[mode].append(timed_round(stack, upload, archives[1:]))
                print(f"round {index + 1} telemetry {mode}: {seconds[mode][-1]:.2f} s",
                      flush=True)
        print(f"spans received: {len(receiver.spans)}")
    ratios = [on / off for on, off in zip(seconds["on"], seconds["off"], strict=True)]
    print(f"median seconds: on {statistics.median(seconds['on']):.2f}, "
          f"off {statistics.median(seconds['off']):.2f}")
    print(f"on/off time ratio: median {statistics.median(ratios):.3f}, "
          f"spread {min(ratios):.3f} to {max(ratios):.3f} over {rounds} pairs")
