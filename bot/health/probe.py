"""``python -m bot.health.probe``: the container HEALTHCHECK. Asks this container's own process for
``/readyz`` (on ``TIJI_METRICS_PORT`` for a worker or the Stream process, else ``TIJI_PORT``) and
exits 0 when it answers 200, 1 otherwise, printing the failed checks for `docker inspect`."""

from __future__ import annotations

import asyncio
import sys

import aiohttp

from bot.settings import Settings

TIMEOUT = aiohttp.ClientTimeout(total=8)
HTTP_OK = 200


async def probe(settings: Settings) -> int:
    port = settings.metrics_port or settings.port
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.get(f"http://127.0.0.1:{port}/readyz") as response,
        ):
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        print(f"未就绪：端口 {port} 没有应答（{type(error).__name__}）")
        return 1
    failed = [f"{c.get('title')}：{c.get('detail')}" for c in body.get("checks", []) if not c.get("ok")]
    if response.status == HTTP_OK and not failed:
        return 0
    print("未就绪：" + "；".join(failed or [f"HTTP {response.status}"]))
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(probe(Settings())))
