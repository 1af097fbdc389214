"""说不 with the 审批表 template: a field still holding the template's placeholder counts as empty,
is named in the reply, and nothing is stored (finding 9)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime.resources import Resources
from models.matter import Matter
from tests.handlers.test_commands import FORM, World, assert_refused, make_world


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def template(world: World) -> str:
    reply = await world.say("zhangwei", "说不")
    assert reply.ok
    return reply.message[reply.message.index("说不\n") :]  # what people copy: from the command word on


async def test_the_template_sent_back_with_only_the_phone_changed_creates_no_matter(world: World) -> None:
    form = (await template(world)).replace("*手机或固定电话", "13800000000")
    message = await assert_refused(
        world, "zhangwei", form, "提交未成功",
        "“服务对象”还是模板里的提示“*申请人姓名或企业名称”", "“事项”还是模板里的提示", "“拟说不理由”还是模板里的提示",
    )  # fmt: skip
    assert "联系电话" not in message  # the one field filled in is fine
    assert await Matter.all().count() == 0
    assert not [c for c in await world.cards("chenguoqing")]  # nothing reached the section head


async def test_the_template_sent_back_unchanged_names_every_required_field(world: World) -> None:
    message = await assert_refused(world, "zhangwei", await template(world), "提交未成功")
    for label in ("服务对象", "联系电话", "事项", "拟说不理由"):
        assert f"“{label}”还是模板里的提示" in message, label
    assert "格式不对" not in message  # the phone's placeholder is an empty field, not a bad number


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("服务对象", "申请人姓名或企业名称"),  # the hint with its * removed
        ("服务对象", "＊张三"),  # a value still starting with the (full-width) star
        ("拟说不理由", "*材料不全"),
    ],
)
async def test_a_placeholder_left_in_a_required_field_counts_as_empty(
    world: World, field: str, value: str
) -> None:
    lines = [line if not line.startswith(f"{field}：") else f"{field}：{value}" for line in FORM.split("\n")]
    await assert_refused(world, "zhangwei", "\n".join(lines), f"“{field}”还是模板里的提示", "实际内容")


async def test_an_optional_field_left_with_a_star_is_named_too(world: World) -> None:
    await assert_refused(
        world, "zhangwei", FORM + "\n诉求：*尽快办理", "“诉求”还是模板里的提示", "删去这一行"
    )


async def test_the_filled_template_with_empty_optional_fields_is_accepted(world: World) -> None:
    form = (
        (await template(world))
        .replace("*申请人姓名或企业名称", "桐柏县宏达运输有限公司")
        .replace("*手机或固定电话", "13800001111")
        .replace("*申请办理的事项", "道路运输经营许可证延续")
        .replace("*为什么拟不予办理", "年审材料不全")
    )
    matter = await world.submit(form=form)
    assert (matter.applicant, matter.subject, matter.request, matter.policy_basis) == (
        "桐柏县宏达运输有限公司", "道路运输经营许可证延续", "", ""
    )  # fmt: skip
