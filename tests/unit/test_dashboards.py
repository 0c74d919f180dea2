"""infra/grafana: the dashboards' JSON is what infra/grafana/dashboards.py writes, and each
has the fields Grafana's dashboard schema requires of a file-provisioned dashboard."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

GRAFANA = Path(__file__).resolve().parents[2] / "infra" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
PANEL_TYPES = {"timeseries", "stat"}


def test_the_dashboard_files_are_what_the_builder_writes(tmp_path: Path) -> None:
    import grafana_foundation_sdk  # noqa: F401
    spec = importlib.util.spec_from_file_location("dashboards", GRAFANA / "dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write_all(tmp_path)
    assert sorted(written) == [path.name for path in DASHBOARDS]
    for path in DASHBOARDS:
        assert path.read_text() == written[path.name], "run infra/grafana/dashboards.py"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.stem)
def test_each_dashboard_has_the_fields_grafana_requires(path: Path) -> None:
    model = json.loads(path.read_text())
    assert isinstance(model["title"], str) and model["title"]
    assert isinstance(model["uid"], str) and len(model["uid"]) <= 40
    assert isinstance(model["schemaVersion"], int)
    assert model["time"].keys() == {"from", "to"}
    assert model["panels"]
    for panel in model["panels"]:
        assert panel["type"] in PANEL_TYPES and panel["title"]
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
        assert panel["gridPos"]["x"] >= 0 and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
        refs = [target["refId"] for target in panel["targets"]]
        assert refs and len(set(refs)) == len(refs) and all(target["expr"]
                                                              for target in panel["targets"])


def test_the_provisioned_datasource_is_the_one_the_panels_name() -> None:
    sources = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    assert [source["uid"] for source in sources["datasources"]] == ["prometheus"]
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/chhub.yml").read_text())
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
