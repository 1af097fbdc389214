"""Stream mode: one websocket to DingTalk's gateway per app, on aiohttp.

- Open: ``POST /v1.0/gateway/connections/open`` (a ticket for one connection), then the websocket.
- Every frame is acked per the protocol; ``ping`` is echoed; CALLBACK frames (bot messages, card
  taps) are parsed and handed to the router, and acked within 2 s whatever the router takes.
- ``disconnect``: reconnect at once. Errors and dropped connections: capped exponential back-off.
- One connection per app across all processes (a Redis lock), since DingTalk gives each push to
  one random connection: a second ``tiji dingtalk-stream`` waits and takes over if the first dies.
- Disconnected longer than ``TIJI_DINGTALK_DISCONNECT_ALERT_SECONDS``: logged at ERROR and posted
  to the office group once per outage; the state is readable through ``health.stream_status``.
- ``stop`` (set on SIGTERM by the CLI) closes the socket, lets in-flight events finish, releases
  the lock and returns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from http import HTTPStatus

import aiohttp

from bot.events import EventSink
from bot.messengers.dingtalk.client import DingTalkError
from bot.messengers.dingtalk.frames import (
    BOT_MESSAGE_TOPIC,
    CARD_CALLBACK_TOPIC,
    DISCONNECT_TOPIC,
)
from bot.messengers.dingtalk.health import alert_office, write_status
from bot.messengers.dingtalk.inbound import CARD_ANSWER_WITHIN, Handle
from bot.messengers.dingtalk.stream_frames import FrameHandler
from bot.runtime.locks import RedisLock
from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

OPEN_TIMEOUT = aiohttp.ClientTimeout(total=15)
USER_AGENT = "tiji/0.1 (aiohttp)"


def stream_lock(resources: Resources, ttl_seconds: float) -> RedisLock:
    """The one-connection-per-app lock, renewed while the connection runs (``_keep_lock``)."""
    return RedisLock(
        resources.redis, f"dingtalk:stream:{resources.settings.dingtalk_client_id}", ttl=ttl_seconds
    )


async def _wait_any(events: Sequence[asyncio.Event], seconds: float) -> None:
    """Sleep ``seconds`` or until one of ``events`` is set."""
    if any(event.is_set() for event in events):
        return
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def backoff_delay(failures: int, base: float, cap: float) -> float:
    """Seconds to wait after ``failures`` consecutive failures: base, 2·base, 4·base … at most cap."""
    return float(min(cap, base * 2 ** max(0, failures - 1)))


class StreamClient:
    """The Stream-mode connection of one app; ``handle`` applies events (``Router.handle``)."""

    def __init__(
        self,
        resources: Resources,
        handle: Handle,
        *,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        lock_ttl: float = 30.0,
        heartbeat: float = 20.0,
        answer_within: float = CARD_ANSWER_WITHIN,
        alert_after: float | None = None,
        check_every: float | None = None,
    ) -> None:
        settings = resources.settings
        self.resources = resources
        self.handle = handle
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.lock = stream_lock(resources, lock_ttl)
        self.lock_ttl = lock_ttl
        self.heartbeat = heartbeat
        self.answer_within = answer_within
        self.alert_after = float(
            alert_after if alert_after is not None else settings.dingtalk_disconnect_alert_seconds
        )
        self.check_every = (
            check_every if check_every is not None else max(0.05, min(10.0, self.alert_after / 4))
        )
        self.connected = False
        self.connections = 0  # websockets opened so far (for tests and logs)
        self.disconnected_since: dt.datetime | None = None
        self.alerted_for: dt.datetime | None = None
        self.holding_lock = False
        self.frames = FrameHandler(resources, handle, answer_within)

    # -- lifecycle ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the connection up until ``stop`` is set."""
        self.disconnected_since = self.resources.clock.now()
        watchdog = asyncio.create_task(self._watchdog(stop))
        try:
            while not stop.is_set():
                if not await self.lock.acquire():
                    log.info("another process holds the DingTalk stream connection; waiting")
                    await _wait_any([stop], self.lock_ttl / 3)
                    continue
                self.holding_lock = True
                self.disconnected_since = self.resources.clock.now()  # the outage clock starts now
                lost = asyncio.Event()
                keeper = asyncio.create_task(self._keep_lock(stop, lost))
                try:
                    await self._connect_loop(stop, lost)
                finally:
                    keeper.cancel()
                    await self.lock.release()
                    self.holding_lock = False
                if lost.is_set() and not stop.is_set():
                    log.warning("lost the DingTalk stream lock; reconnecting when it is free")
        finally:
            watchdog.cancel()
            await self.frames.finish(within=5)
            log.info("DingTalk stream stopped")

    async def _keep_lock(self, stop: asyncio.Event, lost: asyncio.Event) -> None:
        while not stop.is_set():
            await _wait_any([stop], self.lock_ttl / 3)
            if stop.is_set():
                return
            try:
                renewed = await self.lock.renew()
            except Exception:  # Redis hiccup: try again at the next beat, the TTL covers it
                log.warning("could not renew the DingTalk stream lock", exc_info=True)
                continue
            if not renewed:
                lost.set()
                return

    async def _connect_loop(self, stop: asyncio.Event, lost: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set() and not lost.is_set():
            self.frames.seen = False
            reason = "error"
            try:
                endpoint, ticket = await self._open()
                async with self.resources.http.ws_connect(
                    endpoint,
                    params={"ticket": ticket},
                    heartbeat=self.heartbeat,
                    timeout=aiohttp.ClientWSTimeout(ws_close=5),
                ) as ws:
                    await self._mark_connected()
                    reason = await self._session(ws, stop, lost)
            except (aiohttp.ClientError, TimeoutError, DingTalkError) as exc:
                log.warning("DingTalk stream connection failed: %s", exc)
            except Exception:
                log.exception("DingTalk stream connection broke")
            await self._mark_disconnected()
            if reason == "stop" or stop.is_set() or lost.is_set():
                return
            if reason == "disconnect":
                failures = 0
                continue  # the gateway asked us to move: reconnect at once
            if self.frames.seen:
                failures = 0
            failures += 1
            delay = backoff_delay(failures, self.backoff_base, self.backoff_cap)
            log.info("reconnecting to DingTalk stream in %.1f s", delay)
            await _wait_any([stop, lost], delay)

    async def _open(self) -> tuple[str, str]:
        settings = self.resources.settings
        url = f"{settings.dingtalk_api_base.rstrip('/')}/v1.0/gateway/connections/open"
        body = {
            "clientId": settings.dingtalk_client_id,
            "clientSecret": settings.dingtalk_client_secret,
            "subscriptions": [
                {"type": "CALLBACK", "topic": BOT_MESSAGE_TOPIC},
                {"type": "CALLBACK", "topic": CARD_CALLBACK_TOPIC},
            ],
            "ua": USER_AGENT,
            "localIp": "",
        }
        async with self.resources.http.post(url, json=body, timeout=OPEN_TIMEOUT) as resp:
            status = resp.status
            data = await resp.json(content_type=None) if resp.content_length != 0 else {}
        endpoint = data.get("endpoint") if isinstance(data, dict) else None
        ticket = data.get("ticket") if isinstance(data, dict) else None
        if status != HTTPStatus.OK or not isinstance(endpoint, str) or not isinstance(ticket, str):
            code = str(data.get("code") if isinstance(data, dict) else status)
            raise DingTalkError(
                f"钉钉 Stream 连接打开失败（HTTP {status} {code}）：请检查 TIJI_DINGTALK_CLIENT_ID / "
                "TIJI_DINGTALK_CLIENT_SECRET，并在开发者后台启用 Stream 模式",
                transient=True,
                code=code,
            )
        return endpoint, ticket

    async def _mark_connected(self) -> None:
        self.connected = True
        self.connections += 1
        if self.alerted_for is not None:
            log.warning("DingTalk stream reconnected after the outage since %s", self.alerted_for.isoformat())
        self.disconnected_since = None
        self.alerted_for = None
        log.info("DingTalk stream connected")
        await self._report()

    async def _mark_disconnected(self) -> None:
        self.connected = False
        if self.disconnected_since is None:
            self.disconnected_since = self.resources.clock.now()
        await self._report()

    async def _report(self) -> None:
        if not self.holding_lock:
            return
        since = self.disconnected_since or self.resources.clock.now()
        try:
            await write_status(self.resources, connected=self.connected, since=since)
        except Exception:
            log.warning("could not record the DingTalk stream status", exc_info=True)

    async def _watchdog(self, stop: asyncio.Event) -> None:
        """Alert once per outage that lasts longer than ``alert_after``; refresh the status record."""
        while not stop.is_set():
            await _wait_any([stop], self.check_every)
            since = self.disconnected_since
            await self._report()
            if since is None or not self.holding_lock or self.alerted_for == since:
                continue
            if (self.resources.clock.now() - since).total_seconds() < self.alert_after:
                continue
            self.alerted_for = since
            log.error(
                "DingTalk stream disconnected since %s (over %.0f s)", since.isoformat(), self.alert_after
            )
            try:
                await alert_office(self.resources, since)
            except Exception:
                log.exception("could not write the DingTalk outage alert to the office group")

    # -- frames ------------------------------------------------------------------------------

    async def _session(
        self, ws: aiohttp.ClientWebSocketResponse, stop: asyncio.Event, lost: asyncio.Event
    ) -> str:
        """Read frames until the socket closes; returns "stop", "disconnect" or "closed"."""

        async def close_when_told() -> None:
            await _wait_any([stop, lost], float("inf"))
            await ws.close()

        closer = asyncio.create_task(close_when_told())
        reason = "closed"
        try:
            async for message in ws:
                if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    break
                if await self.frames.on_frame(ws, message.data) == DISCONNECT_TOPIC:
                    reason = "disconnect"
                    break
        finally:
            closer.cancel()
            await ws.close()
        if stop.is_set() or lost.is_set():
            return "stop"
        return reason


async def run_stream(resources: Resources, sink: EventSink, stop: asyncio.Event) -> None:
    """Run this app's Stream connection until ``stop`` is set (``tiji dingtalk-stream``, ``tiji dev``);
    ``sink`` applies the events (the router)."""
    if resources.settings.dingtalk_mode != "stream":
        log.info("TIJI_DINGTALK_MODE is %s: no stream connection", resources.settings.dingtalk_mode)
        return
    await StreamClient(resources, sink.handle).run(stop)
