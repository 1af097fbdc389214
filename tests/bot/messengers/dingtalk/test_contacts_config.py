"""Contacts sync (`tiji org sync dingtalk`) and the DingTalk part of `tiji check-config`."""

from __future__ import annotations

import pytest

from bot.messengers.dingtalk import check_config, sync_contacts
from bot.outbound import DeliveryError
from bot.runtime.resources import Resources
from bot.settings import Settings
from models.org import Organisation, Person
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.fakes.dingtalk_openapi import FakeDingTalk


@pytest.fixture
async def org(resources: Resources, fake: FakeDingTalk) -> Organisation:
    resources.settings = dingtalk_settings(resources.settings, fake)
    organisation = await Organisation.create(code="tx", name="桐乡市交通运输局")
    people = [
        ("zhang", "张三", "13800000001", None),  # matched by phone (name differs in DingTalk)
        ("li", "李四", "", None),  # matched by unique name
        ("wang1", "王芳", "", None),  # two 王芳 in the org: ambiguous
        ("wang2", "王芳", "", None),
        ("zhao", "赵六", "", "zhao-existing"),  # already linked: kept
        ("qian", "钱七", "", "gone-user"),  # linked to an id DingTalk no longer has
        ("sun", "孙八", "", None),  # not in DingTalk
    ]
    for handle, name, phone, userid in people:
        await Person.create(
            organisation=organisation, handle=handle, name=name, phone=phone, dingtalk_userid=userid
        )
    fake.departments = {1: [10, 20], 10: [11], 11: [], 20: []}
    fake.users = {
        1: [{"userid": "u-zhang", "name": "张叁", "mobile": "+86-138-0000-0001"}],
        10: [
            {"userid": "u-li", "name": "李四", "mobile": ""},
            {"userid": "u-wf", "name": "王芳", "mobile": ""},
        ],
        11: [
            {"userid": "zhao-existing", "name": "赵六", "mobile": ""},
            {"userid": "u-x1", "name": "外单位甲", "mobile": ""},
            {"userid": "u-x2", "name": "外单位乙", "mobile": ""},
        ],
        20: [{"userid": "u-li", "name": "李四", "mobile": ""}],  # in two departments: counted once
    }
    return organisation


async def test_sync_fills_ids_by_phone_then_unique_name_and_never_deletes(
    resources: Resources, fake: FakeDingTalk, org: Organisation
) -> None:
    report = await sync_contacts(resources, "tx")
    ids = {p.handle: p.dingtalk_userid for p in await Person.filter(organisation=org)}
    assert ids == {
        "zhang": "u-zhang",
        "li": "u-li",
        "wang1": None,
        "wang2": None,
        "zhao": "zhao-existing",
        "qian": "gone-user",
        "sun": None,
    }
    assert report.platform_users == 6
    assert sorted(report.linked) == ["张三", "李四"]
    assert report.already_linked == 1
    assert report.ambiguous == ["王芳", "王芳"]
    assert report.unmatched == ["孙八"]
    assert report.stale == ["钱七"]
    summary = report.summary()
    assert "新关联 2 人" in summary and "孙八" in summary and "王芳" in summary and "钱七" in summary
    # all departments were walked, users paged
    assert fake.calls.count(("POST", "/topapi/v2/department/listsub")) == 4  # departments 1, 10, 11, 20
    assert fake.calls.count(("POST", "/topapi/v2/user/list")) == 5  # department 11 takes two pages


async def test_sync_twice_changes_nothing_more(resources: Resources, org: Organisation) -> None:
    await sync_contacts(resources, "tx")
    again = await sync_contacts(resources, "tx")
    assert again.linked == [] and again.already_linked == 3


async def test_sync_of_an_unknown_organisation(resources: Resources, org: Organisation) -> None:
    with pytest.raises(LookupError, match="nope"):
        await sync_contacts(resources, "nope")


async def test_sync_without_contacts_permission_names_it(
    resources: Resources, fake: FakeDingTalk, org: Organisation
) -> None:
    fake.deny["/topapi/v2/user/list"] = "qyapi_get_member"
    with pytest.raises(DeliveryError, match="qyapi_get_member"):
        await sync_contacts(resources, "tx")
    assert await Person.filter(organisation=org, dingtalk_userid__not_isnull=True).count() == 2  # untouched


# -- check-config ------------------------------------------------------------------------------


def base() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_unconfigured_dingtalk_has_no_problems() -> None:
    assert check_config(base()) == []


def test_complete_stream_configuration_is_clean() -> None:
    settings = base().model_copy(
        update={
            "dingtalk_client_id": "dingabc",
            "dingtalk_client_secret": "s",
            "dingtalk_card_template_id": "abc-123.schema",
            "dingtalk_corp_id": "dingcorp123",
            "public_url": "https://tiji.example.gov.cn",
        }
    )
    assert check_config(settings) == []


def test_links_and_free_login_need_the_public_url_and_the_corp_id() -> None:
    settings = base().model_copy(
        update={
            "dingtalk_client_id": "dingabc",
            "dingtalk_client_secret": "s",
            "dingtalk_card_template_id": "a.schema",
        }
    )
    problems = "\n".join(check_config(settings))
    assert "缺少 TIJI_PUBLIC_URL" in problems and "首页地址" in problems
    assert "缺少 TIJI_DINGTALK_CORP_ID" in problems


def test_problems_name_the_settings_to_fix() -> None:
    settings = base().model_copy(
        update={
            "dingtalk_client_id": "dingabc",
            "dingtalk_mode": "http",
            "dingtalk_api_base": "not a url",
            "dingtalk_robot_webhook_secret": "SEC",
            "dingtalk_disconnect_alert_seconds": 0,
        }
    )
    text = "\n".join(check_config(settings))
    for name in (
        "TIJI_DINGTALK_CLIENT_SECRET",
        "TIJI_DINGTALK_CARD_TEMPLATE_ID",
        "TIJI_DINGTALK_API_BASE",
        "TIJI_PUBLIC_URL",
        "TIJI_DINGTALK_ROBOT_WEBHOOK",
        "TIJI_DINGTALK_DISCONNECT_ALERT_SECONDS",
    ):
        assert name in text
    assert "TIJI_DINGTALK_CLIENT_ID" not in text.replace("TIJI_DINGTALK_CLIENT_ID / ", "")


def test_template_id_shape_and_https_callbacks() -> None:
    settings = base().model_copy(
        update={
            "dingtalk_client_id": "d",
            "dingtalk_client_secret": "s",
            "dingtalk_card_template_id": "StandardCard",
            "dingtalk_mode": "http",
            "public_url": "http://tiji.example.gov.cn",
        }
    )
    problems = check_config(settings)
    assert any(".schema" in p for p in problems)
    assert any("https://" in p for p in problems)
