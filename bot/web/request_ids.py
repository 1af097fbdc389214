"""A request id for every request: the one the proxy sent (nginx ``$request_id`` in
``X-Request-Id``) when it looks like one, else a fresh one. It is on every log line written while
the request is handled (``bot.logs``) and in the answer's ``X-Request-Id``, so an admin can find the
lines of a request a user reports.

aiohttp's access log is off in the servers (``aiohttp.access`` is quiet at INFO, see ``bot.logs``):
a line for every callback was most of the cost of logging. What an admin needs from it is kept
here: a request that failed (5xx) or took longer than ``SLOW_SECONDS`` gets one WARNING line with
its method, path, status and duration, under its request id."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web

from bot.logs import MATTER_NUMBER, REQUEST_ID

log = logging.getLogger(__name__)

HEADER = "X-Request-Id"
SLOW_SECONDS = 1.0  # WeCom re-sends a callback not answered within 5 s; pages should be far faster
ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")  # anything else (a log-injection attempt) is replaced

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_id_for(request: web.Request) -> str:
    offered = request.headers.get(HEADER, "")
    # 32 random hex digits, as ``uuid4().hex`` gave, without building a UUID object per request.
    return offered if ACCEPTED.fullmatch(offered) else os.urandom(16).hex()


def _log_if_notable(request: web.Request, status: int, seconds: float) -> None:
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR or seconds >= SLOW_SECONDS:
        log.warning("%s %s → %s in %.0f ms", request.method, request.path[:200], status, seconds * 1000)


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The request id on the request's log lines and its answer; a failed or slow request logged."""
    request_id = request_id_for(request)
    id_token, matter_token = REQUEST_ID.set(request_id), MATTER_NUMBER.set(None)
    loop = asyncio.get_running_loop()
    started, status = loop.time(), HTTPStatus.INTERNAL_SERVER_ERROR.value  # until it answers
    try:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            error.headers[HEADER] = request_id
            status = error.status
            raise
        response.headers[HEADER] = request_id
        status = response.status
        return response
    finally:
        _log_if_notable(request, status, loop.time() - started)
        REQUEST_ID.reset(id_token)
        MATTER_NUMBER.reset(matter_token)
