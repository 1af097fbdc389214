"""What a handler works with: who is acting, when, and the outbox batch of its transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.outbound import Attachment
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.org import Organisation, Person


@dataclass
class HandlerContext:
    resources: Resources
    organisation: Organisation
    person: Person
    now: dt.datetime
    batch: OutboxBatch
    event_key: str
    usages: tuple[str, ...] = ()  # 帮助's lines, from the command routers
    reply_file: Attachment | None = None  # a file sent after the handler's answer (汇总's .xlsx)

    @property
    def tz(self) -> dt.tzinfo:
        return self.resources.settings.tz
