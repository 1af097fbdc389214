"""Log lines: one JSON object per line for the servers, readable text for `tiji dev`, each with the
request id of the request being handled and the number of the matter it changed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.clock import SimClock
from bot.logs import QUIET_AT_INFO, setup_logging
from bot.settings import Settings
from tests.support.stack import Stack, running_stack

FORM = "说不\n服务对象：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全"


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_AT_INFO}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def log_to(settings: Settings, default: str = "json") -> io.StringIO:
    stream = io.StringIO()
    handler = setup_logging(settings, default_format=default)  # type: ignore[arg-type]
    handler.setStream(stream)  # type: ignore[attr-defined]
    return stream


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def test_a_request_logs_json_lines_with_its_request_id_and_the_matter_number(
    stack: Stack, settings: Settings, restore_root_logger: None
) -> None:
    # DEBUG: every statement of the request is logged, those after the matter got its number too.
    stream = log_to(settings.model_copy(update={"log_level": "DEBUG"}))
    response = await stack.client.post(
        "/sim/api/messages",
        json={"from": "zhangwei", "text": FORM},
        headers={"X-Request-Id": "nginx-req-0001"},
    )
    assert response.status == 202
    assert response.headers["X-Request-Id"] == "nginx-req-0001"

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    of_request = [line for line in lines if line.get("request_id") == "nginx-req-0001"]
    assert of_request, "no line carries the request id"
    assert any(line.get("matter") == "TJ-2026-0001" for line in of_request)


async def test_a_request_without_a_usable_id_gets_a_fresh_one(stack: Stack) -> None:
    first = await stack.client.get("/healthz", headers={"X-Request-Id": "bad id; DROP TABLE"})
    second = await stack.client.get("/healthz")
    ids = {first.headers["X-Request-Id"], second.headers["X-Request-Id"]}
    assert len(ids) == 2 and all(len(i) == 32 and i.isalnum() for i in ids)


def test_tiji_dev_writes_readable_text_and_the_setting_wins(
    settings: Settings, restore_root_logger: None
) -> None:
    stream = log_to(settings, default="text")
    logging.getLogger("tiji.test").warning("卡片已发送")
    assert stream.getvalue().rstrip().endswith("WARNING tiji.test: 卡片已发送")

    stream = log_to(settings.model_copy(update={"log_format": "json"}), default="text")
    logging.getLogger("tiji.test").warning("卡片已发送")
    assert json.loads(stream.getvalue())["message"] == "卡片已发送"


def test_an_exception_is_one_json_line_with_its_traceback(
    settings: Settings, restore_root_logger: None
) -> None:
    stream = log_to(settings)
    try:
        raise ValueError("坏数据")
    except ValueError:
        logging.getLogger("tiji.test").exception("处理失败")
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["level"] == "ERROR" and "ValueError: 坏数据" in record["exception"]
