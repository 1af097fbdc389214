"""The submitter's actions on the matter's page: record the reply to the applicant, 催办 (with its
rate limit), withdraw with a reason — each once, each refused with a Chinese message beside the
field and nothing stored when something is missing, and only for the submitter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime.resources import Resources
from models.enums import ReplyMethod, WithdrawReason
from models.matter import Matter, ReplyRecord
from tests.handlers.test_commands import World, make_world, snapshot
from tests.handlers.web.pages.matter_support import client_as, open_page, post


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


@pytest.fixture
async def resolved(world: World) -> Matter:
    matter = await world.submit("zhangwei")
    assert (await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")).ok
    return await Matter.get(id=matter.id)


async def test_the_submitter_records_a_phone_reply_and_the_matter_closes(
    world: World, resources: Resources, resolved: Matter
) -> None:
    client = await client_as(resources, "zhangwei")
    try:
        page = await open_page(client, resolved)
        assert 'id="reply-form"' in page.html and 'value="13800000000"' in page.html  # the applicant's number
        done = await post(
            client, resolved, "reply",
            {"method": "phone", "callee_phone": "13800000000", "content": "已告知可以办理"}, page,
        )  # fmt: skip
        again = await post(
            client, resolved, "reply",
            {"method": "phone", "callee_phone": "13800000000", "content": "已告知可以办理"}, page,
        )  # fmt: skip
    finally:
        await client.close()
    assert done.status == 200 and "已登记电话回复" in done.html and "已告知可以办理" in done.html
    assert "此环节已处理" in again.html
    [reply] = await ReplyRecord.filter(matter_id=resolved.id)
    assert reply.method == ReplyMethod.PHONE and reply.callee_phone == "13800000000"
    assert (await Matter.get(id=resolved.id)).state == "closed"


async def test_a_phone_reply_without_the_number_called_is_refused_beside_the_field(
    world: World, resources: Resources, resolved: Matter
) -> None:
    client = await client_as(resources, "zhangwei")
    try:
        before = await snapshot()
        refused = await post(
            client, resolved, "reply", {"method": "phone", "callee_phone": "", "content": "已告知"}
        )
        missing = await post(client, resolved, "reply", {"callee_phone": "13800000000", "content": ""})
    finally:
        await client.close()
    assert refused.status == 400 and 'id="callee_phone-error"' in refused.html and "已告知" in refused.html
    assert 'id="method-error"' in missing.html and 'id="content-error"' in missing.html
    assert await snapshot() == before


async def test_only_the_submitter_may_record_the_reply(
    world: World, resources: Resources, resolved: Matter
) -> None:
    client = await client_as(resources, "chenguoqing")
    try:
        page = await open_page(client, resolved)
        assert 'id="reply-form"' not in page.html
        before = await snapshot()
        me = await client.get("/m/me")
        csrf = (await me.text()).split('name="csrf" value="')[1].split('"')[0]
        response = await client.post(
            f"/m/matters/{resolved.number}/reply",
            data={"csrf": csrf, "nonce": "n" * 22, "method": "written", "content": "越权"},
        )
        assert "只有提交人" in await response.text()
    finally:
        await client.close()
    assert await snapshot() == before


async def test_the_submitter_nudges_once_within_the_limit(world: World, resources: Resources) -> None:
    matter = await world.submit("zhangwei")
    client = await client_as(resources, "zhangwei")
    try:
        first = await post(client, matter, "nudge", {})
        second = await post(client, matter, "nudge", {})
    finally:
        await client.close()
    assert "已向股室负责人 陈国庆 催办" in first.html
    assert "每件事项每 2 个工作小时可催办一次" in second.html and "notice-error" in second.html
    nudges = [t for t in await world.texts("chenguoqing") if "催办" in t]
    assert len(nudges) == 1
    assert "催办 陈国庆" in second.html  # the page lists the nudge


async def test_the_submitter_withdraws_with_a_reason_and_the_cards_close(
    world: World, resources: Resources
) -> None:
    matter = await world.submit("zhangwei")
    card = await world.open_card("chenguoqing")
    client = await client_as(resources, "zhangwei")
    try:
        before = await snapshot()
        no_words = await post(client, matter, "withdraw", {"reason": "other", "note": ""})
        assert no_words.status == 400 and 'id="note-error"' in no_words.html
        assert await snapshot() == before
        done = await post(client, matter, "withdraw", {"reason": "applicant", "note": "申请人已自行解决"})
    finally:
        await client.close()
    assert "已撤回" in done.html and "申请人撤回申请" in done.html
    fresh = await Matter.get(id=matter.id)
    assert fresh.state == "withdrawn" and fresh.withdraw_reason == WithdrawReason.APPLICANT
    shown = next(c for c in await world.cards("chenguoqing") if c["ref"] == card["ref"])
    assert shown["closed"] is True and "撤回" in shown["status"]
    assert any("已由 张伟 撤回" in t for t in await world.texts("chenguoqing"))


async def test_each_form_of_a_page_is_applied_once_on_its_own(world: World, resources: Resources) -> None:
    """A page's forms share its nonce: 催办, then (back to the same page) 撤回 still works once."""
    matter = await world.submit("zhangwei")
    client = await client_as(resources, "zhangwei")
    try:
        page = await open_page(client, matter)
        nudged = await post(client, matter, "nudge", {}, page)
        withdrawn = await post(client, matter, "withdraw", {"reason": "misreport", "note": ""}, page)
        again = await post(client, matter, "withdraw", {"reason": "misreport", "note": ""}, page)
    finally:
        await client.close()
    assert "催办" in nudged.html and "已撤回" in withdrawn.html and "此环节已处理" in again.html
    assert (await Matter.get(id=matter.id)).state == "withdrawn"
