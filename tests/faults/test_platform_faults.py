"""The WeCom API failing under a running worker: HTTP 500s, an answer that never comes (timeout),
its rate limit (45009), and a send accepted just before the worker dies. Each message reaches the
recipient once (WeCom's duplicate check by identical request, i.e. the same task_id, absorbs the
resend of an ambiguous attempt), and nothing is given up."""

from __future__ import annotations

import aiohttp
import pytest

from tests.faults.conftest import Cluster
from tests.faults.delivery_checks import (
    HEAD,
    STAFF,
    cluster_database,
    delivered_exactly_once,
    fast_worker,
    settled,
    submit,
)
from tests.support.processes import until

pytestmark = pytest.mark.timeout(300)


async def test_http_500s_are_retried_until_delivered_once(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster.wecom.api.http_failures = [500, 500, 500]
    web = await cluster.web()
    await fast_worker(cluster)
    async with cluster_database(cluster):
        await submit(http, cluster, web, 2)
        await settled()
        await delivered_exactly_once(cluster)
        assert cluster.wecom.api.http_failures == [] and len(cluster.wecom.api.cards_to(HEAD)) == 2


async def test_an_answer_that_times_out_is_resent_and_arrives_once(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster.wecom.api.card_answer_delays = [16.0]  # past the client's 15 s: accepted, answer lost
    web = await cluster.web()
    await fast_worker(cluster)
    async with cluster_database(cluster):
        await submit(http, cluster, web, 1)
        await settled(within=120)
        await delivered_exactly_once(cluster)
        assert cluster.wecom.api.duplicates == 1  # the resend was absorbed, not shown twice
        assert len(cluster.wecom.api.cards_to(HEAD)) == 1 and len(cluster.wecom.api.texts_to(STAFF)) == 1


async def test_the_rate_limit_answer_delays_and_never_drops(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster.wecom.api.fail("/cgi-bin/message/send", 45009, times=2)
    web = await cluster.web()
    await fast_worker(cluster)
    async with cluster_database(cluster):
        await submit(http, cluster, web, 2)
        await settled(within=180)  # WeCom asks for a 60 s pause
        await delivered_exactly_once(cluster)
        assert len(cluster.wecom.api.cards_to(HEAD)) == 2


async def test_a_card_accepted_just_before_the_worker_dies_is_not_shown_twice(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    fake = cluster.wecom.api
    fake.card_answer_delays = [30.0]  # WeCom takes the card, the worker never hears back
    web = await cluster.web()
    worker = await fast_worker(cluster)
    async with cluster_database(cluster):
        await submit(http, cluster, web, 1)

        async def accepted() -> bool:
            return len(fake.cards_to(HEAD)) == 1

        await until(accepted, within=60, what="the card accepted by WeCom")
        await worker.kill()
        await worker.start()
        await settled(within=120)
        await delivered_exactly_once(cluster)
        assert len(fake.cards_to(HEAD)) == 1 and fake.duplicates >= 1  # same task_id: deduped
