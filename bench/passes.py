"""One scheduled pass in a process built as `tiji worker` builds its resources
(`python -m bench.passes reminders ORG_CODE`, settings from the environment): the real pass functions
of ``bot.jobs.passes.SCHEDULE`` named ``reminders``, timed alone (not the imports or the connect).
Prints ``{"seconds", "maxrss_bytes", "outbox_rows"}``."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

from bot.calendar.workdays import load_calendar
from bot.cli.common import make_clock, settings_from_env
from bot.jobs.duty import Duty
from bot.jobs.passes import SCHEDULE
from bot.messengers.registry import build_messengers
from bot.runtime.lifecycle import running_resources
from models.messaging import OutboxMessage
from models.org import Organisation


async def run(name: str, organisation_code: str) -> dict[str, float]:
    settings = settings_from_env()
    async with running_resources(settings, make_clock(settings), build_messengers) as resources:
        organisation = await Organisation.get(code=organisation_code)
        before = await OutboxMessage.all().count()
        start = time.perf_counter()
        now = resources.clock.now()
        calendar = await load_calendar(settings, organisation.id, today=now.astimezone(settings.tz).date())
        duty = Duty(resources, organisation, calendar, now)
        for scheduled in SCHEDULE:
            if scheduled.name == name:
                await scheduled.run(duty)
        seconds = time.perf_counter() - start
        written = await OutboxMessage.all().count() - before
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "maxrss_bytes": maxrss, "outbox_rows": written}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1], sys.argv[2]))))
