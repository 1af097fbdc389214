"""A request id for every request: the one the proxy sent (nginx ``$request_id`` in
``X-Request-Id``) when it looks like one, else a fresh one. It is on every log line written while
the request is handled (``bot.logs``) and in the answer's ``X-Request-Id``, so an admin can find the
lines of a request a user reports."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.logs import MATTER_NUMBER, REQUEST_ID

HEADER = "X-Request-Id"
ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")  # anything else (a log-injection attempt) is replaced

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_id_for(request: web.Request) -> str:
    offered = request.headers.get(HEADER, "")
    return offered if ACCEPTED.fullmatch(offered) else uuid.uuid4().hex


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = request_id_for(request)
    id_token, matter_token = REQUEST_ID.set(request_id), MATTER_NUMBER.set(None)
    try:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            error.headers[HEADER] = request_id
            raise
        response.headers[HEADER] = request_id
        return response
    finally:
        REQUEST_ID.reset(id_token)
        MATTER_NUMBER.reset(matter_token)
