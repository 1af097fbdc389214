"""Frames of a DingTalk Stream connection: acks for system and event frames, and callbacks (bot
messages, card taps) parsed into neutral events and applied within DingTalk's answer window."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from bot.events import Event
from bot.messengers.dingtalk.frames import (
    BOT_MESSAGE_TOPIC,
    CARD_CALLBACK_TOPIC,
    DISCONNECT_TOPIC,
    PING_TOPIC,
    Frame,
    FrameError,
    callback_ack,
    event_ack,
    parse_frame,
    ping_ack,
)
from bot.messengers.dingtalk.http_callbacks import CARD_ANSWER
from bot.messengers.dingtalk.inbound import Handle, answer_within, dispatch_once
from bot.messengers.dingtalk.parse import PayloadError, parse_bot_message, parse_card_callback
from bot.runtime.resources import Resources

log = logging.getLogger(__name__)


class FrameHandler:
    """Answers the frames of one app's connection; ``seen`` says a frame arrived since it was reset."""

    def __init__(self, resources: Resources, handle: Handle, answer_within: float) -> None:
        self.resources = resources
        self.handle = handle
        self.answer_within = answer_within
        self.seen = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._send_lock = asyncio.Lock()

    async def finish(self, *, within: float) -> None:
        """Let the events in flight be applied before the connection goes (bounded)."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=within)

    async def send(self, ws: aiohttp.ClientWebSocketResponse, text: str) -> None:
        try:
            async with self._send_lock:
                await ws.send_str(text)
        except (aiohttp.ClientError, ConnectionError, RuntimeError) as exc:
            log.warning("could not ack a DingTalk frame (connection closed): %s", exc)

    async def on_frame(self, ws: aiohttp.ClientWebSocketResponse, raw: str | bytes) -> str | None:
        try:
            frame = parse_frame(raw)
        except FrameError as exc:
            log.warning("malformed DingTalk frame ignored: %s", exc)
            return None
        self.seen = True
        if frame.type == "SYSTEM":
            if frame.topic == PING_TOPIC:
                await self.send(ws, ping_ack(frame))
            elif frame.topic == DISCONNECT_TOPIC:
                log.info("DingTalk gateway asked to disconnect; reconnecting")
                return DISCONNECT_TOPIC
            else:
                log.info("DingTalk system frame %s ignored", frame.topic)
        elif frame.type == "EVENT":
            await self.send(ws, event_ack(frame))
        elif frame.type == "CALLBACK":
            task = asyncio.create_task(self._callback(ws, frame))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            log.warning("DingTalk frame of unknown type %s ignored", frame.type)
        return None

    async def _callback(self, ws: aiohttp.ClientWebSocketResponse, frame: Frame) -> None:
        event: Event | None = None
        response: dict[str, Any] = {}
        try:
            data = frame.data_json()
            if frame.topic == BOT_MESSAGE_TOPIC:
                event = parse_bot_message(data)
            elif frame.topic == CARD_CALLBACK_TOPIC:
                event = parse_card_callback(data)
                response = CARD_ANSWER
            else:
                log.info("DingTalk callback topic %s ignored", frame.topic)
        except (FrameError, PayloadError) as exc:
            log.warning("DingTalk %s frame ignored: %s", frame.topic, exc)
            event = None
        if event is not None:
            work = asyncio.create_task(dispatch_once(self.resources, self.handle, event))
            self._tasks.add(work)
            work.add_done_callback(self._tasks.discard)
            work.add_done_callback(_log_failure)
            await answer_within(work, self.answer_within)
        await self.send(ws, callback_ack(frame, response))


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("DingTalk event failed", exc_info=task.exception())
