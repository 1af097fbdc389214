"""The error middleware: every refusal and failure is a Chinese answer, JSON on API routes; a
malformed request is a 4xx wherever it surfaces, a failure of ours a logged 500."""

from __future__ import annotations

import io
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.web.app import MAX_BODY
from tests.bot.web.conftest import refusal

Client = TestClient[web.Request, web.Application]


async def test_an_api_refusal_keeps_its_status_and_message(web_client: Client) -> None:
    assert await refusal(await web_client.get("/t/api/conflict"), 409) == "已经有了"
    assert await refusal(await web_client.get("/t/api/input"), 400) == "“账号”含有空字符"


async def test_a_failure_of_ours_is_a_logged_500_in_chinese(
    web_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.web.errors"):
        message = await refusal(await web_client.get("/t/api/bug"), 500)
    assert "服务器内部错误" in message
    [record] = [r for r in caplog.records if r.name == "bot.web.errors"]
    assert record.exc_info is not None and "a bug of ours" in str(record.exc_info[1])
    assert "a bug of ours" not in message  # nothing internal reaches the user
    assert "服务器内部错误" in await refusal(await web_client.get("/t/api/disk"), 500)


@pytest.mark.parametrize("path", ["/t/api/deep", "/t/api/undecodable"])
async def test_malformed_input_a_handler_let_through_is_a_400_and_a_warning(
    web_client: Client, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.web.errors"):
        message = await refusal(await web_client.get(path), 400)
    assert "请求格式不对" in message
    assert any("refuse it where it is read" in r.getMessage() for r in caplog.records)


async def test_a_file_name_too_long_for_the_disk_is_a_414(web_client: Client) -> None:
    response = await web_client.get("/t/name")
    assert response.status == 414
    assert (await response.json())["message"] == "地址太长"


async def test_aiohttp_errors_are_answered_in_chinese(web_client: Client) -> None:
    assert await refusal(await web_client.get("/t/api/nothing-here"), 404) == "没有这个地址"
    response = await web_client.put("/t/api/conflict")
    assert "不支持 PUT" in await refusal(response, 405)
    assert "GET" in response.headers["Allow"]  # aiohttp's own headers are kept
    too_big = await web_client.post("/t/api/greet", data=io.BytesIO(b"x" * (MAX_BODY + 1)))
    assert await refusal(too_big, 413) == "请求内容太大"


async def test_a_browser_gets_plain_chinese_text_off_the_api(web_client: Client) -> None:
    response = await web_client.get("/t/nothing-here", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status == 404
    assert response.content_type == "text/plain" and response.charset == "utf-8"
    assert await response.text() == "没有这个地址"
    # A script (no text/html in Accept) gets JSON there too; an /api/ path always does.
    assert await refusal(await web_client.get("/t/nothing-here"), 404) == "没有这个地址"
    api = await web_client.get("/t/api/nothing-here", headers={"Accept": "text/html"})
    assert await refusal(api, 404) == "没有这个地址"


async def test_redirects_pass_through(web_client: Client) -> None:
    response = await web_client.get("/t/moved", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/t/page"
