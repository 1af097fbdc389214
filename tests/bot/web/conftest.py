"""A small app on the web layer (middlewares, templates, body limit) with handlers that refuse,
fail and answer in every way a real one can; no database."""

from __future__ import annotations

import errno
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel, field_validator
from redis.asyncio import Redis

from bot.clock import SimClock
from bot.runtime.resources import RESOURCES, Resources
from bot.settings import Settings
from bot.web.api import ApiError, json_body
from bot.web.app import web_layer
from bot.web.inputs import InputError, required_text
from tests.support.sim_app import org

__all__ = ["org"]

PUBLIC_URL = "https://tiji.example.gov.cn"
routes = web.RouteTableDef()


class Greeting(BaseModel):
    name: str
    times: int = 1
    tags: list[str] = []

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object) -> str:
        return required_text(value, "name", "姓名")


@routes.post("/t/api/greet")
async def greet(request: web.Request) -> web.Response:
    body = await json_body(request, Greeting)
    return web.json_response({"ok": True, "message": f"你好，{body.name}" * body.times})


@routes.get("/t/api/conflict")
async def conflict(request: web.Request) -> web.Response:
    raise ApiError(409, "已经有了")


@routes.get("/t/api/input")
async def bad_input(request: web.Request) -> web.Response:
    raise InputError("“账号”含有空字符")


@routes.get("/t/api/bug")
async def bug(request: web.Request) -> web.Response:
    raise RuntimeError("a bug of ours")


@routes.get("/t/api/deep")
async def deep(request: web.Request) -> web.Response:
    json.loads("[" * 100_000)  # a handler that forgot to refuse deep JSON
    return web.json_response({})


@routes.get("/t/api/undecodable")
async def undecodable(request: web.Request) -> web.Response:
    return web.Response(text=b"\xff\xfe".decode("utf-8"))  # a handler that forgot to decode safely


@routes.get("/t/api/disk")
async def disk(request: web.Request) -> web.Response:
    raise OSError(errno.EIO, "Input/output error")


@routes.get("/t/name")
async def name_too_long(request: web.Request) -> web.Response:
    raise OSError(errno.ENAMETOOLONG, "File name too long")


@routes.get("/t/page")
async def page(request: web.Request) -> web.Response:
    return web.Response(text="<!doctype html><p>页面</p>", content_type="text/html")


@routes.get("/t/moved")
async def moved(request: web.Request) -> web.Response:
    raise web.HTTPFound("/t/page")


@routes.get("/t/cached")
async def cached(request: web.Request) -> web.Response:
    return web.Response(text="x", headers={"Cache-Control": "max-age=60"})


async def refusal(response: aiohttp.ClientResponse, status: int) -> str:
    """The message of a ``{"ok": false, "message": …}`` answer with ``status``."""
    assert response.status == status, await response.text()
    body = await response.json()
    assert body["ok"] is False
    return str(body["message"])


@pytest.fixture
def web_settings(redis_server_url: str) -> Settings:
    return Settings(_env_file=None, redis_url=redis_server_url, public_url=PUBLIC_URL)  # type: ignore[call-arg]


@pytest.fixture
async def web_client(
    web_settings: Settings, clock: SimClock, redis: Redis
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with aiohttp.ClientSession() as http:
        app = web_layer()
        app[RESOURCES] = Resources(settings=web_settings, clock=clock, redis=redis, http=http)
        app.add_routes(routes)
        async with TestClient(TestServer(app)) as client:
            yield client
