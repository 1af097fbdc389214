"""JSON bodies: read as text in the declared charset, parsed as JSON (never deeper than the
parser's limit), validated by a pydantic model; each refusal says in Chinese what to fix."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.web.inputs import decimal
from tests.bot.web.conftest import PUBLIC_URL, refusal

Client = TestClient[web.Request, web.Application]
JSON = {"Content-Type": "application/json"}


async def test_a_valid_body_reaches_the_handler_as_the_model(web_client: Client) -> None:
    response = await web_client.post("/t/api/greet", json={"name": " 张三 ", "times": 2, "extra": [1]})
    assert response.status == 200
    assert (await response.json())["message"] == "你好，张三你好，张三"


async def test_a_declared_charset_is_honoured(web_client: Client) -> None:
    body = json.dumps({"name": "张三"}, ensure_ascii=False).encode("gbk")
    headers = {"Content-Type": "application/json; charset=gbk"}
    response = await web_client.post("/t/api/greet", data=body, headers=headers)
    assert (await response.json())["message"] == "你好，张三"


@pytest.mark.parametrize(
    ("body", "headers", "words"),
    [
        (b'{"name": "\xff\xfe"}', JSON, "不是有效的 UTF-8"),
        (b'{"name": "a"}', {"Content-Type": "application/json; charset=no-such"}, "不认识字符集 no-such"),
        (b'{"name": "a"}', {"Content-Type": "application/json; charset=zlib"}, "不认识字符集 zlib"),
        (b"\xff\xfe\x00", {"Content-Type": "application/json; charset=utf-16"}, "不是有效的 utf-16"),
        (b"{not json", JSON, "不是有效的 JSON"),
        (b"[" * 100_000 + b"]" * 100_000, JSON, "嵌套太深"),
        (b'{"name": ' + b"[" * 100_000 + b"}", JSON, "嵌套太深"),
        (b"[1, 2]", JSON, "须是 JSON 对象"),
        (b'"text"', JSON, "须是 JSON 对象"),
        (b"{}", JSON, "缺少字段 name"),
        (b'{"name": "  "}', JSON, "缺少“姓名”（字段 name，须是非空字符串）"),
        (b'{"name": "a\\u0000"}', JSON, "空字符"),
        (b'{"name": "a", "times": "x"}', JSON, "字段 times 须是整数"),
        (b'{"name": "a", "tags": [1]}', JSON, "字段 tags.0 须是字符串"),
        (b'{"name": "a", "tags": {}}', JSON, "字段 tags 须是数组"),
    ],
)
async def test_bad_bodies_are_refused_with_what_to_fix(
    web_client: Client, body: bytes, headers: dict[str, str], words: str
) -> None:
    message = await refusal(await web_client.post("/t/api/greet", data=body, headers=headers), 400)
    assert words in message


@pytest.mark.parametrize("origin", ["https://evil.example", "http://[", "null"])
async def test_cross_site_posts_are_refused(web_client: Client, origin: str) -> None:
    response = await web_client.post("/t/api/greet", json={"name": "a"}, headers={"Origin": origin})
    assert "跨站" in await refusal(response, 403)


async def test_our_own_origins_are_let_through(web_client: Client) -> None:
    server = web_client.server
    for headers in (
        {"Origin": f"http://{server.host}:{server.port}"},
        {"Origin": PUBLIC_URL},  # behind a proxy: the configured public URL
        {"Origin": "https://proxy.example", "X-Forwarded-Host": "proxy.example"},
        {},  # a script
    ):
        response = await web_client.post("/t/api/greet", json={"name": "a"}, headers=headers)
        assert response.status == 200, headers


@pytest.mark.parametrize(
    ("raw", "limit", "value"),
    [
        ("0", 10, 0),
        ("007", 10, 7),
        ("11", 10, None),
        ("-1", 10, None),
        ("1.5", 10, None),
        ("\u00b2", 10, None),  # "²".isdigit() is true
        ("9" * 5000, 2**31, None),  # int() refuses over 4,300 digits
        ("0" * 5000 + "5", 10, 5),
        ("", 10, None),
    ],
)
def test_decimal_accepts_plain_bounded_numbers_only(raw: str, limit: int, value: int | None) -> None:
    assert decimal(raw, limit) == value
