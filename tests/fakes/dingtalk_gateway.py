"""A fake DingTalk Stream gateway (aiohttp websocket), for tests.

Tickets are single-use, as on the real gateway. Tests push frames to the live connection and wait
for their acks; they can also ping, send ``disconnect``, drop the TCP connection, or send garbage.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web


class FakeGateway:
    def __init__(self) -> None:
        self.tickets: dict[str, set[str]] = {}
        self.connections: list[web.WebSocketResponse] = []
        self.connects = 0
        self.acks: dict[str, dict[str, Any]] = {}
        self.ack_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.connected = asyncio.Event()  # set at every new connection
        self.refuse_connections = False

    def issue_ticket(self, topics: set[str]) -> str:
        ticket = secrets.token_hex(12)
        self.tickets[ticket] = topics
        return ticket

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/connect", self.connect)

    async def connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if self.refuse_connections or ticket not in self.tickets:
            return web.Response(status=403, text="invalid ticket")
        del self.tickets[ticket]  # one connection per ticket
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections.append(ws)
        self.connects += 1
        self.connected.set()
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                ack = json.loads(message.data)
                message_id = ack["headers"]["messageId"]
                self.acks[message_id] = ack
                waiter = self.ack_waiters.pop(message_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(ack)
        finally:
            if ws in self.connections:
                self.connections.remove(ws)
        return ws

    @property
    def live(self) -> web.WebSocketResponse:
        if not self.connections:
            raise AssertionError("no live stream connection")
        return self.connections[-1]

    async def wait_connected(self, count: int | None = None, within: float = 5.0) -> None:
        """Until a connection is live (and, with ``count``, that many connections were made)."""
        async with asyncio.timeout(within):
            while not self.connections or (count is not None and self.connects < count):
                self.connected.clear()
                await self.connected.wait()

    async def send_frame(self, frame_type: str, topic: str, data: Any, message_id: str | None = None) -> str:
        message_id = message_id or secrets.token_hex(8)
        self.ack_waiters[message_id] = asyncio.get_running_loop().create_future()
        frame = {
            "specVersion": "1.0",
            "type": frame_type,
            "headers": {
                "topic": topic,
                "messageId": message_id,
                "contentType": "application/json",
                "time": "1764460800000",
            },
            "data": data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
        }
        await self.live.send_str(json.dumps(frame, ensure_ascii=False))
        return message_id

    async def ack_of(self, message_id: str, within: float = 5.0) -> dict[str, Any]:
        if message_id in self.acks:
            return self.acks[message_id]
        return await asyncio.wait_for(asyncio.shield(self.ack_waiters[message_id]), within)

    async def callback(self, topic: str, data: Any, message_id: str | None = None) -> dict[str, Any]:
        """Push a CALLBACK frame and return the decoded ack ``data``."""
        mid = await self.send_frame("CALLBACK", topic, data, message_id)
        ack = await self.ack_of(mid)
        assert ack["code"] == 200
        decoded: dict[str, Any] = json.loads(ack["data"])
        return decoded

    async def ping(self) -> dict[str, Any]:
        mid = await self.send_frame("SYSTEM", "ping", {"opaque": "opaque-" + secrets.token_hex(4)})
        return await self.ack_of(mid)

    async def send_raw(self, text: str) -> None:
        await self.live.send_str(text)

    async def disconnect(self) -> None:
        """The gateway's ``disconnect`` frame (then it drops the connection a bit later)."""
        ws = self.live
        await self.send_frame("SYSTEM", "disconnect", {"reason": "server maintenance"})
        await asyncio.sleep(0.2)
        await ws.close()

    async def drop(self) -> None:
        """Abrupt loss of the connection (no close handshake)."""
        ws = self.live
        transport = ws._req.transport if ws._req is not None else None
        if transport is not None:
            transport.abort()
        self.connections.remove(ws)

    async def close_all(self) -> None:
        for ws in list(self.connections):
            await ws.close()
