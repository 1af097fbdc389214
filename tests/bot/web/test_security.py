"""Security headers on every answer: a CSP without inline script that lets WeCom and DingTalk
frame our pages, no MIME sniffing, no referrer to other sites."""

from __future__ import annotations

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from bot.web.security import SECURITY_HEADERS

Client = TestClient[web.Request, web.Application]


def csp_of(response: ClientResponse) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize(
    "path",
    ["/t/page", "/t/api/greet", "/t/api/conflict", "/t/api/bug", "/t/nothing-here"],
)
async def test_every_answer_carries_the_security_headers(web_client: Client, path: str) -> None:
    response = await web_client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "X-Frame-Options" not in response.headers  # it cannot name WeCom or DingTalk
    csp = csp_of(response)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert csp["object-src"] == "'none'"


async def test_wecom_and_dingtalk_may_frame_our_pages_and_no_one_else(web_client: Client) -> None:
    ancestors = csp_of(await web_client.get("/t/page"))["frame-ancestors"].split()
    assert ancestors[0] == "'self'"
    assert "https://*.work.weixin.qq.com" in ancestors and "https://work.weixin.qq.com" in ancestors
    assert "https://*.dingtalk.com" in ancestors
    assert "*" not in ancestors


async def test_a_redirect_carries_them_too(web_client: Client) -> None:
    response = await web_client.get("/t/moved", allow_redirects=False)
    assert response.status == 302
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_handler_may_set_its_own_cache_policy(web_client: Client) -> None:
    assert (await web_client.get("/t/cached")).headers["Cache-Control"] == "max-age=60"
    assert (await web_client.get("/t/page")).headers["Cache-Control"] == SECURITY_HEADERS["Cache-Control"]
