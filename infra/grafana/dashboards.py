"""Clone Hero Hub's Grafana dashboards, written with grafana-foundation-sdk; run it to write
infra/grafana/dashboards/*.json (tests/unit/test_dashboards.py checks they are up to date).

    python infra/grafana/dashboards.py
"""

from __future__ import annotations

import json
from pathlib import Path

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, GridPos

OUT = Path(__file__).with_name("dashboards")
SOURCE = DataSourceRef(type_val="prometheus", uid="prometheus")
RATE = "5m"


def query(expr: str, legend: str, ref: str = "A") -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref)


def graph(title: str, unit: str, *queries: prometheus.Dataquery, x: int = 0, y: int = 0,
          width: int = 12) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).datasource(SOURCE).unit(unit)
    for target in queries:
        panel = panel.with_target(target)
    return panel.grid_pos(GridPos(h=8, w=width, x=x, y=y))


def number(title: str, unit: str, expr: str, x: int, y: int = 0) -> stat.Panel:
    return (stat.Panel().title(title).datasource(SOURCE).unit(unit)
            .with_target(query(expr, title)).grid_pos(GridPos(h=4, w=6, x=x, y=y)))


def quantile(q: float, metric: str, by: str) -> str:
    return (f"histogram_quantile({q}, sum by ({by}, le) "
            f"(rate({metric}_bucket[{RATE}])))")


def board(uid: str, title: str, panels: list) -> dashboard.Dashboard:
    built = (dashboard.Dashboard(title).uid(uid).tags(["chhub"]).refresh("30s")
             .time("now-6h", "now").timezone("browser"))
    for panel in panels:
        built = built.with_panel(panel)
    return built


def pipeline() -> dashboard.Dashboard:
    stage = "chhub_stage_duration_seconds"
    return board("chhub-pipeline", "Clone Hero Hub: pipeline", [
        number("Uploads completed (1h)", "none",
               'sum(increase(chhub_uploads_total{outcome="completed"}[1h]))', 0),
        number("Uploads failed (1h)", "none",
               'sum(increase(chhub_uploads_total{outcome="failed"}[1h]))', 6),
        number("Unfinished uploads", "none", "max(chhub_uploads_unfinished)", 12),
        number("Dead letters waiting", "none",
               'sum(rabbitmq_detailed_queue_messages{queue=~".+\\\\.dead"})', 18),
        graph("Throughput per stage", "ops",
              query(f"sum by (stage) (rate(chhub_messages_consumed_total[{RATE}]))",
                    "{{stage}}"), y=4),
        graph("Errors per stage", "ops",
              query(f"sum by (stage, kind) (rate(chhub_messages_failed_total[{RATE}]))",
                    "{{stage}} {{kind}}"), x=12, y=4),
        graph("p50 processing time per stage", "s",
              query(quantile(0.5, stage, "stage"), "{{stage}}"), y=12),
        graph("p95 processing time per stage", "s",
              query(quantile(0.95, stage, "stage"), "{{stage}}"), x=12, y=12),
        graph("Queue depths", "none",
              query('sum by (queue) (rabbitmq_detailed_queue_messages{queue!~".+\\\\.dead|'
                    '.+\\\\.retry\\\\..+"})', "{{queue}}"), y=20),
        graph("Dead letters", "none",
              query('sum by (queue) (rabbitmq_detailed_queue_messages{queue=~".+\\\\.dead"})',
                    "{{queue}} waiting"),
              query("sum by (stage) (increase(chhub_messages_dead_lettered_total[1h]))",
                    "{{stage}} given up (1h)", "B"), x=12, y=20),
        graph("Upload to published, p50 and p95", "s",
              query(quantile(0.5, "chhub_upload_duration_seconds", "outcome"), "p50 {{outcome}}"),
              query(quantile(0.95, "chhub_upload_duration_seconds", "outcome"), "p95 {{outcome}}",
                    "B"), y=28),
        graph("Bytes received and extracted", "Bps",
              query(f"sum by (direction) (rate(chhub_bytes_total[{RATE}]))", "{{direction}}"),
              x=12, y=28),
        graph("Events published per stage", "ops",
              query(f"sum by (stage, event) (rate(chhub_messages_published_total[{RATE}]))",
                    "{{stage}} → {{event}}"), y=36, width=24),
        graph("Changes written per group commit, p50 and p95", "none",
              query(quantile(0.5, "chhub_group_commit_changes", "writer"), "p50 {{writer}}"),
              query(quantile(0.95, "chhub_group_commit_changes", "writer"), "p95 {{writer}}",
                    "B"), y=44),
        graph("Uploads waiting for room in the staging folder", "none",
              query("sum(chhub_staging_waiting_uploads)", "waiting"), x=12, y=44),
    ])


def library() -> dashboard.Dashboard:
    return board("chhub-library", "Clone Hero Hub: library", [
        number("Songs", "none", "max(chhub_library_songs)", 0),
        number("Songs added (24h)", "none",
               'sum(increase(chhub_messages_published_total{event="song.published"}[1d]))', 6),
        graph("Songs in the library", "none", query("max(chhub_library_songs)", "songs"), y=4),
        graph("Songs by instrument", "none",
              query("max by (instrument) (chhub_library_songs_by_instrument)",
                    "{{instrument}}"), x=12, y=4),
        graph("Failures by reason (1h)", "none",
              query("sum by (stage, reason) (increase(chhub_song_failures_total[1h]))",
                    "{{stage}}: {{reason}}"), y=12, width=24),
    ])


def gateway() -> dashboard.Dashboard:
    seconds = "chhub_http_request_duration_seconds"
    return board("chhub-gateway", "Clone Hero Hub: gateway", [
        graph("Requests per route", "reqps",
              query(f"sum by (method, path) (rate(chhub_http_requests_total[{RATE}]))",
                    "{{method}} {{path}}")),
        graph("p95 latency per route", "s",
              query(quantile(0.95, seconds, "path"), "{{path}}"), x=12),
        graph("Errors per route", "reqps",
              query('sum by (path, status_code) (rate(chhub_http_requests_total'
                    f'{{status_code=~"5.."}}[{RATE}]))', "{{path}} {{status_code}}"),
              query('sum by (path, status_code) (rate(chhub_http_requests_total'
                    f'{{status_code=~"4.."}}[{RATE}]))', "{{path}} {{status_code}}", "B"),
              y=8),
        graph("nginx requests", "reqps",
              query(f"sum(rate(nginx_http_requests_total[{RATE}]))", "requests"), x=12, y=8),
    ])


def write_all(folder: Path = OUT) -> dict[str, str]:
    """Write each dashboard's JSON; {file name: JSON text}."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for built in (pipeline(), library(), gateway()):
        model = json.loads(JSONEncoder(sort_keys=True, indent=2).encode(built.build()))
        text = json.dumps(model, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        name = f"{model['uid']}.json"
        (folder / name).write_text(text)
        written[name] = text
    return written


if __name__ == "__main__":
    for name in write_all():
        print(OUT / name)
