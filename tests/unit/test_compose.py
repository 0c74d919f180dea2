"""compose.yaml, checked by docker-compose itself and against the settings each service reads
(tests/support/deployment_files.py says which tools are needed)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

import shared.settings
from services.catalog.app import CatalogSettings
from services.gateway.settings import GatewayServiceSettings
from services.ingest.app import IngestServiceSettings
from services.search.settings import SearchSettings
from services.sync.app import SyncSettings
from services.sync.chserver_settings import ChServerSettings
from tests.support.deployment_files import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    OUR_IMAGE,
    ROOT,
    compose_file,
    dockerfile_instructions,
    environment_of,
    find_tool,
    run,
)

pytestmark = pytest.mark.unit

SCALABLE_SERVICES = ("gateway", "ingest", "catalog", "sync")
# What each service reads: its own settings class, and what `chhub run` reads for every one.
SETTINGS_OF = {"gateway": GatewayServiceSettings, "ingest": IngestServiceSettings,
               "catalog": CatalogSettings, "sync": SyncSettings}
READ_BY_EVERY_RUN = (shared.settings.LoggingSettings, shared.settings.TelemetrySettings)


# ---- reading the files ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return compose_file()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def our_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ours = {name: service for name, service in services.items()
            if service.get("image") == OUR_IMAGE}
    assert set(SCALABLE_SERVICES) | {"setup"} <= set(ours)
    return ours


def dockerfile_environment() -> dict[str, str]:
    environment: dict[str, str] = {}
    for instruction, arguments in dockerfile_instructions():
        if instruction == "ENV":
            environment.update(word.split("=", 1) for word in shlex.split(arguments))
    return environment


def settings_classes() -> list[type[BaseSettings]]:
    """The sections every service composes its settings from, the Clone Hero server's and the
    search service's."""
    return [*(value for value in vars(shared.settings).values()
              if isinstance(value, type) and issubclass(value, BaseSettings)
              and value.__module__ == shared.settings.__name__ and value.model_fields),
            ChServerSettings, SearchSettings]


def environment_names() -> dict[str, str]:
    """Every environment variable a settings field reads → the field's name."""
    names = {}
    for settings_class in settings_classes():
        prefix = settings_class.model_config.get("env_prefix", "")
        for field_name, field in settings_class.model_fields.items():
            alias = field.validation_alias
            names[(alias if isinstance(alias, str) else prefix + field_name).upper()] = field_name
    return names


def names_read_by(*settings_classes: type[BaseSettings]) -> set[str]:
    """The environment variables these settings classes read."""
    names = set()
    for settings_class in settings_classes:
        prefix = settings_class.model_config.get("env_prefix", "")
        for field_name, field in settings_class.model_fields.items():
            alias = field.validation_alias
            names.add((alias if isinstance(alias, str) else prefix + field_name).upper())
    return names


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


# ---- compose.yaml -----------------------------------------------------------------------------

def test_docker_compose_accepts_the_file_with_the_example_environment() -> None:
    docker_compose = find_tool("docker-compose")
    result = run([docker_compose, "--file", str(COMPOSE_FILE), "--env-file", str(ENV_EXAMPLE),
                  "config", "--quiet"])
    assert result.returncode == 0, result.stderr


def test_every_chhub_variable_compose_and_the_image_set_is_a_settings_field(
        our_services: dict[str, dict[str, Any]]) -> None:
    known = environment_names()
    set_by = {(name, key) for name, service in our_services.items()
              for key in environment_of(service)}
    set_by |= {("infra/Dockerfile", key) for key in dockerfile_environment()}
    unknown = sorted(f"{where}: {key}" for where, key in set_by
                     if key.startswith("CHHUB_") and key not in known)
    assert not unknown, f"not read by any settings class: {unknown}"


def test_our_services_receive_only_variables_the_settings_read(
        our_services: dict[str, dict[str, Any]]) -> None:
    known = environment_names()
    unread = sorted(f"{name}: {key}" for name, service in our_services.items()
                    for key in environment_of(service) if key not in known)
    assert not unread


def test_what_compose_adds_for_one_service_is_read_by_that_service(
        compose: dict[str, Any], our_services: dict[str, dict[str, Any]]) -> None:
    """Beyond the block every service shares, a variable set for one service is one its own
    settings read: not, say, Syncthing's URL given to a service that never talks to it."""
    shared_block = set(compose["x-chhub-environment"])
    unread = []
    for name, settings_class in SETTINGS_OF.items():
        reads = names_read_by(settings_class, *READ_BY_EVERY_RUN)
        unread += [f"{name}: {key}" for key in environment_of(our_services[name])
                   if key not in shared_block and key not in reads]
    assert not unread


def test_a_connection_compose_gives_one_service_is_given_alike_to_all_that_read_it(
        our_services: dict[str, dict[str, Any]]) -> None:
    """A URL or API key (the database, the broker, Syncthing) set for one service is set, the
    same, for every service whose settings read it: left unset, a service would talk to the
    localhost default or turn the feature off, as the gateway's sync page did without
    Syncthing's URL."""
    given: dict[str, set[str]] = {}
    for service in our_services.values():
        for key, value in environment_of(service).items():
            if key.startswith("CHHUB_") and key.endswith(("_URL", "_API_KEY")):
                given.setdefault(key, set()).add(value)
    assert all(len(values) == 1 for values in given.values()), given
    missing = [f"{name}: {key}" for name, settings_class in SETTINGS_OF.items()
               for key in sorted(set(given) & names_read_by(settings_class))
               if key not in environment_of(our_services[name])]
    assert not missing


def test_the_sync_page_and_the_sync_service_reach_compose_s_syncthing_with_its_key(
        services: dict[str, dict[str, Any]]) -> None:
    syncthing_key = environment_of(services["syncthing"])["STGUIAPIKEY"]
    for name in ("gateway", "sync"):
        environment = environment_of(services[name])
        assert environment["CHHUB_SYNCTHING_URL"] == "http://syncthing:8384", name
        assert environment["CHHUB_SYNCTHING_API_KEY"] == syncthing_key, name


def test_the_gateway_asks_the_search_service_compose_runs_on_its_port(
        services: dict[str, dict[str, Any]]) -> None:
    search = services["search"]
    assert search["command"] == ["run", "search"]
    port = SearchSettings(**{"search_port": environment_of(search).get("CHHUB_SEARCH_PORT",
                                                                        8010)}).search_port
    assert environment_of(search)["CHHUB_SEARCH_HOST"] == "0.0.0.0"
    assert environment_of(services["gateway"])["CHHUB_SEARCH_URL"] == f"http://search:{port}"
    assert str(port) in search["expose"] and f":{port}/health" in " ".join(
        search["healthcheck"]["test"])


def test_the_settings_accept_every_value_compose_gives_our_services(
        our_services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    for key in list(os.environ):
        if key.startswith("CHHUB_") or key in environment_names():
            monkeypatch.delenv(key)
    for service in our_services.values():
        with monkeypatch.context() as patch:
            for key, value in environment_of(service).items():
                patch.setenv(key, value)
            for settings_class in settings_classes():
                settings_class()


def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    one_shot = {"setup"}
    missing = [name for name, service in services.items()
               if name not in one_shot and not service.get("healthcheck", {}).get("test")]
    assert not missing


def test_services_wait_for_healthy_dependencies_and_a_completed_setup(
        services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for dependency, condition in depends_on.items():
            expected = ("service_completed_successfully" if dependency == "setup"
                        else "service_healthy")
            assert condition == {"condition": expected}, f"{name} → {dependency}"
    for name in SCALABLE_SERVICES:
        assert "setup" in services[name]["depends_on"], name


def test_scalable_services_have_no_container_name_and_no_host_ports(
        services: dict[str, dict[str, Any]]) -> None:
    for name in SCALABLE_SERVICES:
        assert "container_name" not in services[name], name
        assert "ports" not in services[name], name


def test_our_services_run_the_commands_of_the_chhub_cli(
        services: dict[str, dict[str, Any]]) -> None:
    for name in SCALABLE_SERVICES:
        assert services[name]["command"] == ["run", name]
    assert services["setup"]["command"] == ["chhub db upgrade && chhub setup"]
    assert environment_of(services["gateway"])["CHHUB_GATEWAY_HOST"] == "0.0.0.0"


def test_every_image_is_pinned_to_an_exact_version(
        services: dict[str, dict[str, Any]]) -> None:
    # major.minor.patch (with the `v` Prometheus' images put before it), PostgreSQL's
    # major.minor (10 and later), or MinIO's release stamp.
    exact = re.compile(r"[^:]+:(v?\d+\.\d+\.\d+[\w.-]*|RELEASE\.[\dT-]+Z)|postgres:\d\d\.\d+")
    loose = [f"{name}: {service['image']}" for name, service in services.items()
             if "build" not in service and not exact.fullmatch(service["image"])]
    assert not loose
    stages = {arguments.split()[-1] for instruction, arguments in dockerfile_instructions()
              if instruction == "FROM" and " AS " in arguments.upper()}
    bases = [arguments.split()[0] for instruction, arguments in dockerfile_instructions()
             if instruction == "FROM" and arguments.split()[0] not in stages]
    exact_or_dated = re.compile(exact.pattern + r"|debian:bookworm-\d{8}-slim")
    assert bases and all(exact_or_dated.fullmatch(base) for base in bases), bases


def test_compose_reads_every_secret_from_the_env_file(
        services: dict[str, dict[str, Any]]) -> None:
    secret = re.compile(r"PASS|SECRET|KEY|TOKEN|_URL$")
    for name, service in services.items():
        for key, value in environment_of(service).items():
            if secret.search(key) and not key.endswith("_FILE"):
                literal = re.sub(r"\$\{[^}]*\}", "", value)
                assert not re.search(r"(?i)pass|secret", literal), f"{name}: {key}"
                if not key.endswith("_URL"):
                    assert value.startswith("${"), f"{name}: {key} is written in compose.yaml"


def test_the_env_example_sets_every_variable_compose_requires_and_no_real_secret() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text()))
    example = env_example()
    assert required <= set(example)
    for key, value in example.items():
        if re.search(r"PASSWORD|SECRET", key):
            assert value.startswith("change-me"), key


def test_every_file_compose_references_exists(services: dict[str, dict[str, Any]]) -> None:
    referenced = []
    for service in services.values():
        if "build" in service:
            context = ROOT / service["build"]["context"]
            referenced += [context, context / service["build"]["dockerfile"]]
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                referenced.append(ROOT / source)
    assert referenced
    assert [path for path in referenced if not path.exists()] == []
