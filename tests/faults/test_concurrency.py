"""Concurrency with real processes: one callback delivered four times at once, and two people who
may both decide one step clicking at the same moment, on two web processes.

Every decision is stored once and every message reaches the fake WeCom once (messenger calls are
counted at the fake, after the outbox has nothing left to deliver).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp

from tests.faults.conftest import Cluster
from tests.support.processes import EXAMPLE_ORG, run_tiji, wait_for
from tests.support.wecom_traffic import FORM, Callback, button_key, post

STAFF, HEAD, DEPUTY, STAND_IN, PRINCIPAL = (
    "Zhangwei",
    "Chenguoqing",
    "Liminghua",
    "Zhaozhiqiang",
    "Wangjianguo",
)


async def four_times_at_once(http: aiohttp.ClientSession, urls: list[str], callback: Callback) -> list[int]:
    """WeCom re-sends a callback it thinks was lost; here all four copies arrive together."""
    return list(await asyncio.gather(*(post(http, urls[i % len(urls)], callback) for i in range(4))))


async def test_a_submission_delivered_four_times_at_once_is_one_matter_with_one_card(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    webs = [await cluster.web("web1"), await cluster.web("web2")]
    await cluster.worker()
    fake = cluster.wecom.api

    statuses = await four_times_at_once(http, [w.base_url for w in webs], cluster.traffic.text(STAFF, FORM))

    assert statuses == [200, 200, 200, 200]
    await wait_for(lambda: fake.cards_to(HEAD), what="the head's card")
    await cluster.settled()
    assert [r["n"] for r in await cluster.sql("SELECT count(*) AS n FROM matter")] == [1]
    assert len(fake.cards_to(HEAD)) == 1
    assert len(fake.texts_to(STAFF)) == 1  # one receipt


async def test_a_click_delivered_four_times_at_once_is_one_decision_and_one_answer(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    webs = [await cluster.web("web1"), await cluster.web("web2")]
    await cluster.worker()
    fake = cluster.wecom.api
    urls = [w.base_url for w in webs]
    assert await post(http, urls[0], cluster.traffic.text(STAFF, FORM)) == 200
    await wait_for(lambda: fake.cards_to(HEAD), what="the head's card")
    await cluster.settled()
    texts_before = len(fake.texts_to(STAFF))

    card = fake.cards_to(HEAD)[0]
    click = cluster.traffic.click(HEAD, card, button_key(card, "提级"))
    assert await four_times_at_once(http, urls, click) == [200, 200, 200, 200]

    await wait_for(lambda: fake.cards_to(DEPUTY), what="the deputy's card")
    await cluster.settled()
    steps = await cluster.sql("SELECT level, status, decision FROM decision_step ORDER BY id")
    assert [tuple(r) for r in steps] == [(2, "decided", "escalate"), (3, "pending", None)]
    assert len(fake.cards_to(DEPUTY)) == 1
    assert len(fake.texts_to(STAFF)) - texts_before <= 1  # at most one progress notice, never four
    head_updates = [u for u in fake.updates if u["task_id"] == card.card["task_id"]]
    assert len(head_updates) <= 1
    decided = await cluster.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'escalate'")
    assert decided[0]["n"] == 1


def org_with_stand_in_today(workdir: Path) -> Path:
    """The example org with 赵志强 standing in for 李明华 from yesterday to tomorrow."""
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    text = EXAMPLE_ORG.read_text(encoding="utf-8")
    start = text.index("stand_ins:")
    end = text.index("\n", text.index("- {person: liminghua", start))
    line = (f"stand_ins:\n  - {{person: liminghua, stand_in: zhaozhiqiang, from: {today - dt.timedelta(days=1)},"
            f" to: {today + dt.timedelta(days=1)}, reason: 参加市局业务培训}}")  # fmt: skip
    path = workdir / "org-stand-in.yaml"
    path.write_text(text[:start] + line + text[end:], encoding="utf-8")
    return path


async def test_the_leader_and_the_stand_in_clicking_at_once_make_one_decision(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    await run_tiji(cluster.env("import"), "org", "import", str(org_with_stand_in_today(cluster.workdir)))
    webs = [await cluster.web("web1"), await cluster.web("web2")]
    await cluster.worker()
    fake = cluster.wecom.api
    # The head's own matter goes straight to the deputy, whose stand-in holds the step today.
    assert await post(http, webs[0].base_url, cluster.traffic.text(HEAD, FORM)) == 200
    await wait_for(lambda: fake.cards_to(STAND_IN), what="the stand-in's card")
    assert await post(http, webs[0].base_url, cluster.traffic.text(DEPUTY, "待办")) == 200
    await wait_for(lambda: fake.cards_to(DEPUTY), what="the leader's own card (待办)")
    await cluster.settled()
    texts_before = {u: len(fake.texts_to(u)) for u in (DEPUTY, STAND_IN)}

    leader_card, stand_in_card = fake.cards_to(DEPUTY)[-1], fake.cards_to(STAND_IN)[-1]
    both = await asyncio.gather(
        post(http, webs[0].base_url, cluster.traffic.click(DEPUTY, leader_card, button_key(leader_card, "能办"))),
        post(http, webs[1].base_url,
             cluster.traffic.click(STAND_IN, stand_in_card, button_key(stand_in_card, "提级"))),
    )  # fmt: skip
    assert both == [200, 200]
    await cluster.settled()

    step = (await cluster.sql("SELECT status, decision FROM decision_step WHERE level = 3"))[0]
    matter = (await cluster.sql("SELECT state, level FROM matter"))[0]
    assert step["status"] == "decided"
    if step["decision"] == "can_do":  # the leader won: resolved, the principal never asked
        assert (matter["state"], fake.cards_to(PRINCIPAL)) == ("resolved", [])
        loser = STAND_IN
    else:  # the stand-in won: one card to the principal
        assert (step["decision"], matter["state"], matter["level"]) == ("escalate", "pending", 4)
        assert len(fake.cards_to(PRINCIPAL)) == 1
        loser = DEPUTY
    decisions = await cluster.sql(
        "SELECT count(*) AS n FROM audit_log WHERE action IN ('can_do', 'escalate')"
    )
    assert decisions[0]["n"] == 1
    answers = fake.texts_to(loser)[texts_before[loser] :]
    assert len(answers) == 1 and "已由" in answers[0] and "处理" in answers[0]
