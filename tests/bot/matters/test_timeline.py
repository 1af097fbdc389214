"""A matter's timeline as the console shows it, built from what the chat did: the submission and
each decision say who, when and through which platform (the audit rows' ``via``)."""

from __future__ import annotations

from bot.audit import verify_chain
from bot.matters.timeline import matter_timeline
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from tests.handlers.test_commands import make_world


async def test_each_event_of_the_chat_says_its_platform_on_the_timeline(resources: Resources) -> None:
    world = await make_world(resources)
    matter = await world.submit()
    assert (await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")).ok
    rows = await AuditEntry.filter(subject=matter.number).order_by("seq")
    assert [r.action for r in rows] == ["submit", "escalate"]
    assert all(r.data["via"] == "simulator" for r in rows)
    assert (await verify_chain(matter.organisation_id)).ok
    events = await matter_timeline(matter)
    described = [(e.who, e.what, e.via) for e in events]
    assert described[0] == ("张伟", "提交说“不”事项", "模拟器")
    assert ("陈国庆", "股室负责人：提级", "") in described or (
        "陈国庆",
        "股室负责人：提级",
        "模拟器",
    ) in described
    assert any(e.what.startswith("送分管领导审批：") for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
