"""The reference server (`python -m bench.reference --database-url URL --port N`): aiohttp and one
tortoise INSERT per request on the same database as tiji, nothing else. Each tiji figure is set
against it, measured in the same run on the same machine."""

from __future__ import annotations

import argparse
import asyncio
import signal

from aiohttp import web
from tortoise import Tortoise, fields
from tortoise.models import Model


class BenchReference(Model):
    id = fields.IntField(primary_key=True)
    size = fields.IntField()
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "bench_reference"
        app = "bench"


async def insert(request: web.Request) -> web.Response:
    body = await request.read()
    await BenchReference.create(size=len(body))
    return web.Response(text="")


async def ready(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def serve(database_url: str, port: int) -> None:
    await Tortoise.init(
        config={
            "connections": {"default": database_url},
            # This module as it runs: ``__main__`` under ``python -m bench.reference``. Naming
            # "bench.reference" would import a second copy and register its model, not the one
            # ``insert`` uses: every INSERT failed ("default_connection … cannot be None", a 500).
            "apps": {"bench": {"models": [__name__], "default_connection": "default"}},
            "use_tz": True,
            "timezone": "UTC",
        }
    )
    await Tortoise.generate_schemas(safe=True)
    app = web.Application()
    app.router.add_post("/insert", insert)
    app.router.add_get("/healthz", ready)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reference")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.database_url, args.port))


if __name__ == "__main__":
    main()
