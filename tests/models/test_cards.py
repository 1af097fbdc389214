"""``models.cards``: a card's platform state is merged by the database, never overwritten."""

from __future__ import annotations

import datetime as dt

from bot.runtime.resources import Resources
from models.cards import CardInstance, merge_platform_state
from models.enums import CardKind, Platform
from models.org import Organisation, Person

AT = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


async def _card() -> CardInstance:
    org = await Organisation.create(code="t", name="测试局")
    head = await Person.create(organisation=org, handle="lisi", name="李四")
    return await CardInstance.create(
        organisation=org,
        ref="tjCARD1",
        kind=CardKind.DECISION,
        subject_id=1,
        recipient=head,
        platform=Platform.WECOM,
        platform_state={"task_id": "tjCARD1@1"},
        created_at=AT,
    )


async def test_a_clicks_code_and_the_updates_task_id_are_both_kept(resources: Resources) -> None:
    card = await _card()
    # the click keeps its ResponseCode (by the ref it names) …
    assert await merge_platform_state("ref", "tjCARD1", {"response_code": "RC1"})
    # … and the delivery of the card's update records its own key (by the card's id)
    assert await merge_platform_state("id", card.id, {"task_id": "tjCARD1@2"}, sent_at=AT)
    await card.refresh_from_db()
    assert card.platform_state == {"task_id": "tjCARD1@2", "response_code": "RC1"}
    assert card.sent_at == AT


async def test_merging_without_a_time_leaves_the_first_deliverys_time(resources: Resources) -> None:
    card = await _card()
    await merge_platform_state("id", card.id, {"task_id": "tjCARD1@1"}, sent_at=AT)
    await merge_platform_state("id", card.id, {"response_code": "RC2"})
    await card.refresh_from_db()
    assert card.sent_at == AT


async def test_no_card_has_the_ref_merges_nothing(resources: Resources) -> None:
    await _card()
    assert not await merge_platform_state("ref", "tjNOSUCH", {"response_code": "RC"})
    assert not await merge_platform_state("id", 999_999, {"response_code": "RC"})
