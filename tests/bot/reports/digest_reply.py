"""The `汇总 2026Q4` answer as the dispatcher queues it: the digest text with its workbook, to the
office member who asked (the seeded quarter, the clock in the report window)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.outbox.batch import OutboxBatch
from bot.reports.digest import digest_answer
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage
from models.org import Person
from tests.bot.jobs.test_duties import at
from tests.bot.reports.seeded import Seeded, seed_quarter

KEY = "reply:wecom:msg-1"


async def queued_digest_reply(
    resources: Resources, platform: str, user_id: str
) -> tuple[Seeded, OutboxMessage]:
    seeded = await seed_quarter()
    office = seeded.org.people["office"]
    await Person.filter(id=office.id).update(platform=platform, wecom_userid=user_id, dingtalk_userid=user_id)
    office = await Person.get(id=office.id)
    resources.clock.set(at(2027, 1, 4, 10, 0))  # type: ignore[attr-defined]
    answer = await digest_answer(resources, seeded.org.org, "2026Q4")
    batch = OutboxBatch(resources.settings, seeded.org.org, resources.clock.now())
    async with in_transaction():
        await batch.text(office, answer.text, dedupe_key=KEY, attachment=answer.workbook)
    return seeded, await OutboxMessage.get(dedupe_key=KEY)
