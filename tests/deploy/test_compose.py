"""deploy/compose.yaml, checked without a container engine (none exists on these machines): it is
valid against the Compose Specification's JSON schema (vendored: compose-spec.json from
github.com/compose-spec/compose-spec, schema/compose-spec.json at 170098b, Apache-2.0), and it
says what the deploy needs: Redis with AOF, noeviction and a password, healthchecks, two web and
two worker processes, the DingTalk stream, and migrations once per deploy."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "compose-spec.json").read_text(encoding="utf-8"))
TIJI_PROCESSES = ("web", "worker", "dingtalk-stream")


@pytest.fixture
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    return document


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert schema_errors(compose) == []


def test_the_schema_check_catches_a_malformed_file(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["web"]["replica"] = 2  # a misspelt key
    broken["services"]["redis"]["healthcheck"]["test"] = {"cmd": "ping"}  # a value of the wrong shape
    assert len(schema_errors(broken)) == 2


def test_redis_keeps_every_write_never_evicts_and_needs_a_password(compose: dict[str, Any]) -> None:
    command = compose["services"]["redis"]["command"]
    flags = dict(zip(command[1::2], command[2::2], strict=True))
    assert flags["--appendonly"] == "yes"
    assert flags["--maxmemory-policy"] == "noeviction"
    assert flags["--requirepass"].startswith("${REDIS_PASSWORD:?")
    assert "${REDIS_PASSWORD" in compose["services"]["web"]["environment"]["TIJI_REDIS_URL"]


def test_two_web_processes_two_workers_and_the_stream_process(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["web"]["command"] == ["tiji", "serve"] and services["web"]["deploy"]["replicas"] == 2
    assert (
        services["worker"]["command"] == ["tiji", "worker"] and services["worker"]["deploy"]["replicas"] == 2
    )
    assert services["dingtalk-stream"]["command"] == ["tiji", "dingtalk-stream"]
    assert services["web"]["ports"] == ["127.0.0.1:8081-8082:8080"]


def test_every_long_running_service_has_a_healthcheck_on_readyz(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("postgres", "redis", *TIJI_PROCESSES):
        assert services[name]["healthcheck"]["test"], name
    for name in TIJI_PROCESSES:
        assert services[name]["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.health.probe"]
    # A worker and the stream process have no web app: they serve /readyz on TIJI_METRICS_PORT.
    for name in ("worker", "dingtalk-stream"):
        assert services[name]["environment"]["TIJI_METRICS_PORT"] == "8080"


def test_migrations_run_once_per_deploy_before_the_processes_and_never_in_them(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["tiji", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in TIJI_PROCESSES:
        assert "migrate" not in services[name]["command"]
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
