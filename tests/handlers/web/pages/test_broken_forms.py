"""A POST whose body is no form (a cut-off multipart, as a dropped connection or a broken client
sends) gets the Chinese 400 page on every form of the phone pages, never a 500; the session is
left as it was (signing out with such a body does not sign out)."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.runtime.resources import Resources
from bot.settings import Settings
from tests.handlers.web.pages.page_world import HTML, client_as
from tests.support.sim_app import Org

Client = TestClient[web.Request, web.Application]
# A multipart body that ends in the middle of a part (no closing boundary).
BROKEN = b'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc'
BROKEN_HEADERS = {**HTML, "Content-Type": "multipart/form-data; boundary=x"}
FORM_PATHS = [
    "/m/signout",
    "/m/signin/dingtalk",
    "/m/matters/TJ-2026-0001/decide",
    "/m/matters/TJ-2026-0001/reply",
    "/m/stand-in",
    "/m/stand-in/1/end",
]


@pytest.mark.parametrize("path", FORM_PATHS)
async def test_a_body_that_is_no_form_gets_a_chinese_400_page(
    settings: Settings, resources: Resources, org: Org, path: str
) -> None:
    client = await client_as(settings, resources, org.head)
    try:
        response = await client.post(path, data=BROKEN, headers=BROKEN_HEADERS, allow_redirects=False)
        assert response.status == 400, await response.text()
        text = await response.text()
        assert "无法读取表单" in text and "请刷新页面后重新提交" in text
        still = await client.get("/m/me", headers=HTML, allow_redirects=False)
        assert still.status == 200 and "李四" in await still.text()  # still signed in
    finally:
        await client.close()
