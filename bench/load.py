"""The load generator, run as a process of its own (`python -m bench.load SPEC OUT`) so it never
shares a core's event loop with the server it measures.

SPEC is JSON: ``{"base_url", "mode": "closed" | "rate", "concurrency", "rate", "requests": [{"path",
"query", "body" (base64)}]}``. ``closed`` keeps ``concurrency`` requests in flight until all are
sent; ``rate`` starts request *i* at ``i / rate`` seconds (open loop) and measures each latency from
its scheduled start, so a server that falls behind shows it (no coordinated omission). OUT gets
``{"elapsed", "latencies" (s), "statuses"}``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp


async def _one(http: aiohttp.ClientSession, base: str, request: dict[str, Any]) -> int:
    body = base64.b64decode(request["body"])
    try:
        async with http.post(
            base + request["path"], params=request.get("query") or {}, data=body
        ) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


async def closed(spec: dict[str, Any]) -> dict[str, Any]:
    requests: list[dict[str, Any]] = spec["requests"]
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    cursor = iter(range(len(requests)))
    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def lane() -> None:
            for i in cursor:
                t0 = time.perf_counter()
                statuses[i] = await _one(http, spec["base_url"], requests[i])
                latencies[i] = time.perf_counter() - t0

        start = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(spec["concurrency"])))
        elapsed = time.perf_counter() - start
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses}


async def rate(spec: dict[str, Any]) -> dict[str, Any]:
    requests: list[dict[str, Any]] = spec["requests"]
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    interval = 1.0 / float(spec["rate"])
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
        start = time.perf_counter()

        async def at(i: int) -> None:
            scheduled = start + i * interval
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            statuses[i] = await _one(http, spec["base_url"], requests[i])
            latencies[i] = time.perf_counter() - scheduled

        await asyncio.gather(*(at(i) for i in range(len(requests))))
        elapsed = time.perf_counter() - start
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses}


def main(argv: list[str]) -> None:
    spec = json.loads(Path(argv[0]).read_text())
    result = asyncio.run(closed(spec) if spec["mode"] == "closed" else rate(spec))
    Path(argv[1]).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
