"""Every PromQL query of the dashboards and alert rules, and the metric names in each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"
# Served by the exporters and RabbitMQ in compose, not by our services.
EXPORTER_PREFIXES = ("rabbitmq_", "pg_", "redis_", "nginx_")
_FUNCTIONS_AND_WORDS = {
    "sum", "max", "min", "avg", "count", "rate", "increase", "histogram_quantile", "by",
    "without", "clamp_min", "and", "or", "unless", "on", "ignoring", "group_left", "le",
}


def queries() -> list[tuple[str, str]]:
    """(where, PromQL) of every dashboard panel target and every alert rule."""
    found = []
    for path in sorted((INFRA / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            found += [(f"{path.stem}: {panel['title']}", target["expr"])
                      for target in panel["targets"]]
    rules = yaml.safe_load((INFRA / "prometheus" / "rules.yml").read_text())
    found += [(f"alert {rule['alert']}", rule["expr"])
              for group in rules["groups"] for rule in group["rules"]]
    return found


def without_threshold(expr: str) -> str:
    """An alert expression without its final comparison (`... > 0.2` → `...`)."""
    return re.sub(r"\s*(>|<|==|!=|>=|<=)\s*[\d.e+-]+\s*$", "", expr.strip())


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads."""
    bare = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]', " ", expr)
    bare = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", bare)
    names = {name for name, call in re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", bare)
             if not call}
    return {name for name in names if name not in _FUNCTIONS_AND_WORDS
            and not re.fullmatch(r"\d.*|e", name)}


def served_name(name: str) -> str:
    """The family name Prometheus's text format groups a histogram's series under."""
    return re.sub(r"_(bucket|sum|count)$", "", name)
