"""The long-lived objects of one process, built at start and passed down (no globals), and the
aiohttp application keys under which the web app holds them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from arq.connections import ArqRedis
from redis.asyncio import Redis

from bot.clock import Clock
from bot.events import EventSink
from bot.outbound import Messenger
from bot.settings import Settings
from models.enums import Platform


@dataclass
class Resources:
    """Settings, clock and clients shared by the web app, the worker and the CLI."""

    settings: Settings
    clock: Clock
    redis: Redis
    http: aiohttp.ClientSession
    messengers: dict[Platform, Messenger] = field(default_factory=dict)
    arq: ArqRedis | None = None
    # In a worker: delivers rows just written in this process (``bot.outbox.local``); False when
    # it takes none (stopping, full), and the rows are queued for arq as anywhere else.
    deliver_here: Callable[[Sequence[int]], bool] | None = None

    def messenger(self, platform: Platform) -> Messenger:
        try:
            return self.messengers[platform]
        except KeyError:
            raise LookupError(f"没有配置消息平台 {platform}") from None


MessengerFactory = Callable[[Resources], dict[Platform, Messenger]]

RESOURCES = web.AppKey("resources", Resources)
ROUTER = web.AppKey("router", EventSink)
SETTINGS = web.AppKey("settings", Settings)
