"""``sync_contacts``: fill WeCom user ids by name, then phone; report the rest; delete nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.clock import SimClock
from bot.messengers.wecom import sync_contacts
from bot.runtime.resources import Resources
from bot.settings import Settings
from models.org import Organisation, Person
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.fakes.wecom_api import FakeWeCom


@pytest.fixture
async def db_resources(
    settings: Settings, clock: SimClock, redis: Redis, db: None, fake: FakeWeCom
) -> AsyncIterator[Resources]:
    async with aiohttp.ClientSession() as http:
        yield Resources(
            settings=settings.model_copy(update=wecom_fields(fake)), clock=clock, redis=redis, http=http
        )


async def test_sync_fills_reports_and_never_deletes(db_resources: Resources, fake: FakeWeCom) -> None:
    org = await Organisation.create(code="tb", name="桐柏县交通运输局")

    async def person(handle: str, name: str, phone: str = "", userid: str | None = None) -> Person:
        return await Person.create(
            organisation=org, handle=handle, name=name, phone=phone, wecom_userid=userid
        )

    await person("zhangwei", "张伟")
    await person("wangfang", "王芳", "13800000002")  # two 王芳 in WeCom: the phone decides
    await person("liqiang", "李强", "13800000003")  # renamed in WeCom: found by phone
    await person("ghost", "查无此人")
    await person("kept", "陈静", userid="Chenjing")
    await person("stale", "旧账号", userid="OldId")
    fake.departments.append({"id": 2, "name": "运输管理股", "parentid": 1})
    fake.add_user("Zhangwei", "张伟", department=2)
    fake.add_user("Wangfang1", "王芳", "13900000000")
    fake.add_user("Wangfang2", "王芳", "13800000002", department=2)
    fake.add_user("Liqiang", "李强强", "13800000003")
    fake.add_user("Chenjing", "陈静")
    fake.add_user("Outsider", "外单位人员")

    report = await sync_contacts(db_resources, "tb")

    ids = {p.handle: p.wecom_userid for p in await Person.filter(organisation=org)}
    assert ids == {"zhangwei": "Zhangwei", "wangfang": "Wangfang2", "liqiang": "Liqiang", "ghost": None,
                   "kept": "Chenjing", "stale": "OldId"}  # fmt: skip
    assert report.departments == 2 and report.wecom_members == 6
    assert sorted(report.filled) == [("张伟", "Zhangwei"), ("李强", "Liqiang"), ("王芳", "Wangfang2")]
    assert [name for name, _ in report.unmatched] == ["查无此人"]
    assert report.unknown_ids == [("旧账号", "OldId")]
    summary = report.summary()
    assert "新填写 3 人" in summary and "未匹配：查无此人" in summary and "OldId" in summary
    assert fake.calls[0][0] == "/cgi-bin/gettoken" and fake.gettoken_calls == 1
    assert any(q.get("corpsecret") == fake.contacts_secret for p, q in fake.calls if p == "/cgi-bin/gettoken")

    again = await sync_contacts(db_resources, "tb")  # a second run changes nothing
    assert again.filled == [] and again.already == 4
    assert await Person.filter(organisation=org).count() == 6


async def test_unknown_organisation(db_resources: Resources) -> None:
    with pytest.raises(LookupError, match="没有编码为 nope"):
        await sync_contacts(db_resources, "nope")
