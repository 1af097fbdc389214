"""The Dockerfile, the systemd units and the nginx example: a non-root image without build tools
and with a readiness healthcheck; units that never migrate on start; nginx in front of the ports
the web processes listen on."""

from __future__ import annotations

import configparser
import inspect
import re
from pathlib import Path

from bot.cli import processes

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def stages() -> list[list[str]]:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    result: list[list[str]] = []
    for line in lines:
        if line.startswith("FROM "):
            result.append([])
        if result and line.strip() and not line.startswith("#"):
            result[-1].append(line)
    return result


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text(encoding="utf-8"))
    return parser


def test_the_image_is_built_in_stages_and_runs_slim_as_a_user_with_a_readiness_check() -> None:
    build, final = stages()
    assert build[0].startswith("FROM python:3.11-slim AS build")
    assert final[0] == "FROM python:3.11-slim"
    final_text = "\n".join(final)
    assert "build-essential" in "\n".join(build)
    assert not re.search(r"apt-get install|build-essential|gcc", final_text)
    assert "USER tiji" in final_text and "useradd --system" in final_text
    assert (
        'HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "-m", "bot.health.probe"]'
        in final
    )
    assert final[-1] == 'CMD ["tiji", "serve"]'


def test_only_the_one_shot_unit_migrates() -> None:
    for path in sorted(UNITS.glob("*.service")):
        start = unit(path.name)["Service"]["ExecStart"]
        if path.name == "tiji-migrate.service":
            assert start == "/opt/tiji/venv/bin/tiji migrate"
            assert unit(path.name)["Service"]["Type"] == "oneshot"
        else:
            assert "migrate" not in start, path.name
        assert unit(path.name)["Service"]["User"] == "tiji", path.name


def test_the_processes_do_not_migrate_when_they_start_only_tiji_dev_does() -> None:
    for command in (processes.cmd_serve, processes.cmd_worker, processes.cmd_dingtalk_stream):
        assert "migrate(" not in inspect.getsource(command), command.__name__
    assert "await migrate(settings)" in inspect.getsource(processes.cmd_dev)


def test_workers_restart_and_serve_their_readiness_on_a_port_of_their_own() -> None:
    worker = unit("tiji-worker@.service")["Service"]
    assert worker["Restart"] == "always"
    assert "TIJI_METRICS_PORT=910%i" in worker["Environment"]
    stream = unit("tiji-dingtalk-stream.service")["Service"]
    assert "TIJI_METRICS_PORT=9109" in stream["Environment"]


def test_nginx_terminates_tls_and_balances_over_both_web_processes() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server 127.0.0.1:8081" in conf and "server 127.0.0.1:8082" in conf
    assert "listen 443 ssl" in conf and "return 301 https://" in conf
    assert "proxy_set_header X-Request-Id $request_id" in conf
    web = unit("tiji-web@.service")["Service"]
    assert "TIJI_PORT=%i" in web["Environment"]
    assert "tiji-web@8081.service tiji-web@8082.service" in (UNITS / "tiji.target").read_text(
        encoding="utf-8"
    )


def test_nginx_lets_only_the_upload_routes_take_six_photos() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "client_max_body_size 1m;" in conf  # everywhere else
    upload = conf[conf.index("location ~ ^/m/(new|matters/") :]
    upload = upload[: upload.index("}")]
    assert "client_max_body_size 62m;" in upload and "proxy_request_buffering off;" in upload
