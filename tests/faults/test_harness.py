"""The harness itself, end to end: a real `tiji serve` and `tiji worker` take a 说不 submission
through the encrypted WeCom callback, and the worker delivers the section head's card to the fake."""

from __future__ import annotations

import aiohttp

from tests.faults.conftest import Cluster
from tests.support.processes import wait_for
from tests.support.wecom_traffic import FORM, post

STAFF, HEAD = "Zhangwei", "Chenguoqing"


async def test_a_submission_by_wecom_chat_reaches_the_section_head_as_a_card(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    web = await cluster.web()
    await cluster.worker()

    assert await post(http, web.base_url, cluster.traffic.text(STAFF, FORM)) == 200

    fake = cluster.wecom.api
    await wait_for(lambda: fake.cards_to(HEAD), within=30, what="the head's card at the fake WeCom")
    card = fake.cards_to(HEAD)[0].card
    assert card["card_type"] == "button_interaction"
    assert "道路运输经营许可" in str(card)
    await wait_for(lambda: fake.texts_to(STAFF), within=30, what="the submitter's receipt")
    assert len(fake.cards_to(HEAD)) == 1
