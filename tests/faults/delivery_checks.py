"""What the delivery fault tests check, from the test process: the cluster's database (every row
delivered, none twice) against what the fake WeCom API accepted (every messenger call counted)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
from tortoise import Tortoise

from bot.runtime.db import tortoise_config
from models.matter import Matter
from models.messaging import OutboxKind, OutboxMessage, OutboxStatus
from tests.faults.conftest import Cluster
from tests.support.processes import TijiServe, TijiWorker, until, worker
from tests.support.wecom_traffic import FORM, post

STAFF, HEAD = "Zhangwei", "Chenguoqing"
# Short lease and sweep period, so a test sees a dead worker's rows re-delivered within seconds.
FAST_WORKER = {
    "TIJI_DELIVERY_LEASE_SECONDS": "5",
    "TIJI_SWEEP_EVERY_SECONDS": "2",
    "TIJI_WORKER_GRACE_SECONDS": "15",
}


@contextlib.asynccontextmanager
async def cluster_database(cluster: Cluster) -> AsyncIterator[None]:
    await Tortoise.init(config=tortoise_config(cluster.database_url))
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def fast_worker(cluster: Cluster, name: str = "worker", **extra: str) -> TijiWorker:
    process = worker(cluster.workdir, {**cluster.env(name), **FAST_WORKER, **extra}, name=name)
    cluster.services.append(process)
    await process.start()
    return process


async def submit(http: aiohttp.ClientSession, cluster: Cluster, web: TijiServe, count: int) -> None:
    """``count`` 说不 submissions by the staff member through the encrypted callback, each stored
    before the next is sent (concurrent submissions are the scale tests' subject)."""
    traffic = cluster.traffic
    for i in range(count):
        before = await Matter.all().count()
        assert (
            await post(http, web.base_url, traffic.text(STAFF, FORM.replace("某公司", f"某公司{i}"))) == 200
        )

        async def stored(before: int = before) -> bool:
            return await Matter.all().count() > before

        await until(stored, within=30, what=f"submission {i} stored")


async def matters_stored(count: int) -> None:
    async def stored() -> bool:
        return await Matter.all().count() >= count

    await until(stored, within=60, what=f"{count} matters stored")
    assert await Matter.all().count() == count  # each submission once
    numbers = await Matter.all().values_list("number", flat=True)
    assert len(set(numbers)) == count


async def settled(within: float = 90) -> None:
    async def nothing_pending() -> bool:
        return not await OutboxMessage.filter(status=OutboxStatus.PENDING).exists()

    await until(nothing_pending, within=within, what="every outbox row delivered")


async def texts_in_doubt(cluster: Cluster) -> int:
    """Texts WeCom accepted that are not recorded as sent (right after a worker was killed): their
    resend is a second copy, as WeCom's duplicate check is used for cards only (their task_id is
    unique per delivery; two answers to the same command are identical texts and both must arrive)."""
    recorded = await OutboxMessage.filter(kind=OutboxKind.TEXT, status=OutboxStatus.SENT).count()
    accepted = sum(1 for d in cluster.wecom.api.sent if d.msgtype in ("text", "markdown"))
    return max(accepted - recorded, 0)


async def delivered_exactly_once(cluster: Cluster, *, doubtful_texts: int = 0) -> None:
    """Every row sent (none failed or left), and the fake accepted each message exactly once (but
    for ``doubtful_texts``, accepted by WeCom as the worker died: ``texts_in_doubt``)."""
    rows = await OutboxMessage.all()
    assert {row.status for row in rows} <= {OutboxStatus.SENT, OutboxStatus.MERGED}, Counter(
        r.status for r in rows
    )
    fake = cluster.wecom.api
    texts = Counter((d.touser, d.content) for d in fake.sent if d.msgtype in ("text", "markdown"))
    cards = Counter(str(d.card["task_id"]) for d in fake.sent if d.msgtype == "template_card")
    assert max(cards.values(), default=1) == 1
    assert sum(n - 1 for n in texts.values()) <= doubtful_texts
    sent = Counter(row.kind for row in rows if row.status is OutboxStatus.SENT)
    assert len(texts) == sent[OutboxKind.TEXT]
    assert sum(cards.values()) >= sent[OutboxKind.CARD]  # an update may send a fresh card
    assert fake.dropped == []  # the per-member limit was honoured
