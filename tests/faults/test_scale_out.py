"""Scale-out: two `tiji serve` and two `tiji worker` processes on one database and one Redis carry
1,000 matters through the chain, and with the (simulated) clock advanced on both webs the scheduled
work runs once: no decision stored twice, no card, text, reminder or summary sent twice, numbers
gap-free, the audit chain intact.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
import pytest
from tortoise import Tortoise

from bot.audit import verify_chain
from bot.runtime.db import tortoise_config
from tests.fakes.wecom_api import Delivery
from tests.faults.conftest import BIG, Cluster
from tests.support.processes import TijiServe, wait_for
from tests.support.wecom_traffic import FORM, Callback, button_key, post

MATTERS = 1000
CONCURRENCY = 16


async def drive(http: aiohttp.ClientSession, webs: Sequence[TijiServe], callbacks: list[Callback]) -> None:
    """Post every callback, ``CONCURRENCY`` at a time, spread over the webs; each must be accepted."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int, callback: Callback) -> int:
        async with gate:
            return await post(http, webs[i % len(webs)].base_url, callback)

    statuses = await asyncio.gather(*(one(i, c) for i, c in enumerate(callbacks)))
    assert collections.Counter(statuses) == {200: len(callbacks)}


def cards(sent: list[Delivery], users: set[str]) -> list[Delivery]:
    """Decision cards (button_interaction); the morning card is a text_notice."""
    return [
        d
        for d in sent
        if d.msgtype == "template_card"
        and d.touser in users
        and d.card.get("card_type") == "button_interaction"
    ]


async def stored(cluster: Cluster, count: str, expected: int) -> None:
    """Until ``count`` reaches ``expected`` (a callback answered at WeCom's 4 s budget may still be
    committing); a shortfall (the count stuck for 10 s) names itself."""
    seen, since = -1, time.monotonic()
    while seen < expected:
        n = int((await cluster.sql(count))[0]["n"])
        if n != seen:
            seen, since = n, time.monotonic()
        elif time.monotonic() - since > 10:
            pytest.fail(f"{count}: {seen} of {expected}, unchanged for 10 s")
        await asyncio.sleep(0.2)


DECIDED = "SELECT count(*) AS n FROM decision_step WHERE status = 'decided'"


async def audit_chain_ok(database_url: str) -> tuple[bool, int]:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        from models.org import Organisation

        organisation = await Organisation.get(code="big")
        check = await verify_chain(organisation.id)
        return check.ok, check.rows
    finally:
        await Tortoise.close_connections()


@pytest.mark.timeout(900)
async def test_two_webs_and_two_workers_carry_1000_matters_through_the_chain_each_message_once(
    big_cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster = big_cluster
    webs = [await cluster.web("web1"), await cluster.web("web2")]
    await asyncio.gather(cluster.worker("worker1"), cluster.worker("worker2"))
    fake, traffic = cluster.wecom.api, cluster.traffic
    submitters = BIG.submitters()
    heads = {head for _, head, _ in submitters}
    deputies = {deputy for _, _, deputy in submitters}

    # 1,000 说不 by chat, from 440 staff members, through both webs at once.
    await drive(http, webs, [traffic.text(submitters[i % len(submitters)][0], FORM) for i in range(MATTERS)])
    await stored(cluster, "SELECT count(*) AS n FROM matter", MATTERS)
    await cluster.settled(within=300)

    # Every other matter the head can do; the rest go up to the deputy, who can do it.
    head_cards = cards(fake.sent, heads)
    assert len(head_cards) == MATTERS
    clicks = [
        traffic.click(c.touser, c, button_key(c, "能办" if i % 2 else "提级"))
        for i, c in enumerate(head_cards)
    ]
    await drive(http, webs, clicks)
    escalated = MATTERS // 2
    await stored(cluster, DECIDED, MATTERS)
    await cluster.settled(within=300)
    deputy_cards = cards(fake.sent, deputies)
    assert len(deputy_cards) == escalated
    await drive(http, webs, [traffic.click(c.touser, c, button_key(c, "能办")) for c in deputy_cards])
    await stored(cluster, DECIDED, MATTERS + escalated)
    await cluster.settled(within=300)

    states = await cluster.sql("SELECT state, count(*) AS n FROM matter GROUP BY state")
    assert {r["state"]: r["n"] for r in states} == {"resolved": MATTERS}
    numbers = await cluster.sql("SELECT number FROM matter")
    assert len({r["number"] for r in numbers}) == MATTERS
    assert (await cluster.sql(DECIDED))[0]["n"] == MATTERS + escalated
    # Counted at the fake WeCom: one card per step, no text twice, nothing dropped over the limit.
    assert len(cards(fake.sent, heads | deputies)) == MATTERS + escalated
    task_ids = collections.Counter(
        d.card["task_id"].split("@")[0] for d in fake.sent if d.msgtype == "template_card"
    )
    assert max(task_ids.values()) == 1
    texts = collections.Counter((d.touser, d.content) for d in fake.sent if d.msgtype != "template_card")
    assert [t for t, n in texts.items() if n > 1] == []
    assert fake.dropped == []
    assert (await cluster.sql("SELECT count(*) AS n FROM outbox WHERE status = 'failed'"))[0]["n"] == 0
    assert await audit_chain_ok(cluster.database_url) == (True, MATTERS + MATTERS + escalated)


AFTER_THE_QUARTER = "2027-01-04T09:30:00+08:00"  # first working day of 2027 Q1: the 2026 Q4 digest is due


async def sim(
    http: aiohttp.ClientSession, web: TijiServe, path: str, body: dict[str, object] | None = None
) -> Any:
    method = http.post if body is not None or path.endswith("tick") else http.get
    async with method(f"{web.base_url}/sim/api/{path}", json=body) as response:
        assert response.status in (200, 202), await response.text()
        return await response.json()


@pytest.mark.timeout(900)
async def test_with_the_clock_advanced_both_webs_and_workers_send_each_reminder_and_summary_once(
    big_cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster = big_cluster
    cluster.simulator = True  # the simulator's clock can be moved; its conversations are the platform
    webs = [await cluster.web("web1"), await cluster.web("web2")]
    await asyncio.gather(cluster.worker("worker1"), cluster.worker("worker2"))
    submitters = BIG.submitters()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def submit(i: int) -> bool:
        async with gate:
            answer = await sim(
                http, webs[i % 2], "messages", {"from": submitters[i % len(submitters)][0], "text": FORM}
            )
            return bool(answer["ok"])

    assert all(await asyncio.gather(*(submit(i) for i in range(MATTERS))))
    await stored(cluster, "SELECT count(*) AS n FROM matter", MATTERS)
    await cluster.settled(within=300)
    before = (await cluster.sql("SELECT coalesce(max(id), 0) AS n FROM sim_message"))[0]["n"]

    # A month on: every level-2 step is overdue and last quarter's summary is due. One web moves the
    # clock; the other web and both workers must see it; both webs tick at once, the workers' cron too.
    await sim(http, webs[0], "clock", {"now": AFTER_THE_QUARTER})
    await wait_for(
        lambda: clock_is(http, webs[1], AFTER_THE_QUARTER[:13]), within=10, what="the other web's clock"
    )
    await asyncio.gather(*(sim(http, w, "tick") for w in webs))
    await cluster.settled(within=300)

    rows = await cluster.sql(
        "SELECT channel, kind, text FROM sim_message WHERE id > $1 AND direction = 'out'", before
    )
    repeated = collections.Counter((r["channel"], r["kind"], r["text"]) for r in rows)
    assert [key for key, n in repeated.items() if n > 1] == []
    # Each holder is chased once, in the 催办 ladder's words (【逾期催办】…, 已逾期 N 个工作日).
    reminded = {r["channel"] for r in rows if "【逾期催办】" in r["text"]}
    assert {f"user:{submitters[i % len(submitters)][1]}" for i in range(MATTERS)} <= reminded
    summaries = [r for r in rows if r["channel"].startswith("group:") and "汇总" in r["text"]]
    assert len(summaries) == 1


async def clock_is(http: aiohttp.ClientSession, web: TijiServe, prefix: str) -> bool:
    return str((await sim(http, web, "clock"))["now"]).startswith(prefix)
