"""The request id's middleware also keeps the useful part of an access log: a request that failed
or was slow is one WARNING line under its request id; a quick, successful one writes nothing."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.logs import QUIET_AT_INFO, setup_logging
from bot.settings import Settings
from bot.web import request_ids

Client = TestClient[web.Request, web.Application]


@pytest.fixture
def json_log(web_settings: Settings) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_AT_INFO}
    stream = io.StringIO()
    handler = setup_logging(web_settings, default_format="json")
    handler.setStream(stream)  # type: ignore[attr-defined]
    yield stream
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def request_lines(stream: io.StringIO) -> list[dict[str, str]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == request_ids.__name__]


async def test_a_failing_request_is_logged_with_its_request_id_and_status(
    web_client: Client, json_log: io.StringIO
) -> None:
    response = await web_client.get("/t/api/bug", headers={"X-Request-Id": "nginx-req-0500"})
    assert response.status == 500
    [line] = request_lines(json_log)
    assert line["level"] == "WARNING" and line["request_id"] == "nginx-req-0500"
    assert line["message"].startswith("GET /t/api/bug → 500 in ")


async def test_a_slow_request_is_logged_even_when_it_succeeds(
    web_client: Client, json_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_ids, "SLOW_SECONDS", 0.0)  # every request counts as slow
    response = await web_client.get("/t/page")
    assert response.status == 200
    [line] = request_lines(json_log)
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert line["message"].startswith("GET /t/page → 200 in ")


async def test_a_quick_successful_or_refused_request_writes_no_line(
    web_client: Client, json_log: io.StringIO
) -> None:
    assert (await web_client.get("/t/page")).status == 200
    assert (await web_client.get("/t/api/conflict")).status == 409
    assert (await web_client.get("/t/moved", allow_redirects=False)).status == 302
    assert request_lines(json_log) == []


async def test_a_fresh_request_id_is_32_hex_digits_and_new_each_time(web_client: Client) -> None:
    ids = {(await web_client.get("/t/page")).headers["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
