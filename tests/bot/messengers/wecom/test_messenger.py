"""The WeCom messenger against the fake API: cards, updates, fresh cards, texts, groups, limits."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.cards import Button, ButtonStyle, Card, CardField, Option, Selection
from bot.clock import SimClock
from bot.messengers.wecom.cards import TASK_ID_RE, card_ref_from_task_id, problems, render, task_id_for
from bot.messengers.wecom.limiter import ARRIVAL_MARGIN_MS
from bot.messengers.wecom.messenger import WeComMessenger, split_by_bytes
from bot.outbound import Attachment, DeliveryError, GroupTarget, Recipient
from tests.fakes.wecom_api import FakeWeCom

LEADER = Recipient(person_id=1, user_id="wangju", name="王局")
FIELDS = (CardField("applicant", "服务对象", "张三 13800000000"), CardField("matter", "事项", "道路运输经营许可"),
          CardField("reason", "拟说不理由", "材料不全"), CardField("submitter", "提交人", "李四（运管股）"),
          CardField("level", "当前层级", "主要领导 王局"), CardField("due", "回复期限", "12月3日 17:30"))  # fmt: skip


def level4_card(ref: str = "tjAbCdEf123_-x", **kw: object) -> Card:
    values: dict[str, object] = dict(
        ref=ref, source="说“不”事项提级", title="TJ-2026-0001 说“不”事项审批", fields=FIELDS,
        body="**张三** 申请道路运输经营许可", status="待处理", reference="TJ-2026-0001",
        buttons=(Button("can_do", "能办", ButtonStyle.PRIMARY), Button("confirm_no", "确认不能办", ButtonStyle.DANGER)),
        selection=Selection("refusal_category", "不能办的原因",
                            (Option("law", "法律政策不允许"), Option("conditions", "客观条件不具备"), Option("other", "其他"))),
    )  # fmt: skip
    values.update(kw)
    return Card(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _users(fake: FakeWeCom) -> None:
    fake.add_user("wangju", "王局")
    fake.add_user("lisi", "李四")


def test_rendered_card_respects_the_limits() -> None:
    template = render(level4_card(), task_id_for("tjAbCdEf123_-x", "card:1"))
    assert problems(template) == []
    assert template["card_type"] == "button_interaction"
    assert "TJ-2026-0001" in template["main_title"]["title"]
    assert [i["keyname"] for i in template["horizontal_content_list"]] == [f.label for f in FIELDS]
    assert [b["key"] for b in template["button_list"]] == ["can_do", "confirm_no"]
    assert template["button_selection"]["question_key"] == "refusal_category"
    assert [o["id"] for o in template["button_selection"]["option_list"]] == ["law", "conditions", "other"]


def test_task_ids_are_valid_distinct_per_delivery_and_map_back() -> None:
    a, b = task_id_for("tjX_y-1", "card:1"), task_id_for("tjX_y-1", "reminder:1")
    assert a != b and a == task_id_for("tjX_y-1", "card:1")
    assert TASK_ID_RE.match(a) and card_ref_from_task_id(a) == "tjX_y-1"
    weird = task_id_for("bad ref/with.dots", "card:1")
    assert TASK_ID_RE.match(weird) and len(weird) <= 128


def test_problems_catches_what_wecom_refuses() -> None:
    template = render(level4_card(), "ok@1")
    template["button_list"] = [{"text": "x", "style": 1, "key": "same"}] * 2
    template["task_id"] = "no spaces allowed"
    found = problems(template)
    assert any("task_id" in p for p in found) and any("重复" in p for p in found)


async def test_send_card_is_accepted_and_keeps_what_updates_need(
    messenger: WeComMessenger, fake: FakeWeCom
) -> None:
    delivery = await messenger.send_card(LEADER, level4_card(), dedupe_key="card:tjAbCdEf123_-x")
    [sent] = fake.cards_to("wangju")
    assert sent.card["task_id"] == delivery.state["task_id"]
    assert sent.body["enable_duplicate_check"] == 1
    assert delivery.state["send_response_code"] == sent.response_code
    assert messenger.card_updatable(delivery.state, messenger.resources.clock.now())


async def test_a_retried_send_is_not_delivered_twice(messenger: WeComMessenger, fake: FakeWeCom) -> None:
    first = await messenger.send_card(LEADER, level4_card(), dedupe_key="card:1")
    again = await messenger.send_card(LEADER, level4_card(), dedupe_key="card:1")  # e.g. the answer was lost
    assert again.state["task_id"] == first.state["task_id"]
    assert fake.duplicates == 1 and len(fake.cards_to("wangju")) == 1


async def test_the_same_text_sent_twice_is_delivered_twice(
    messenger: WeComMessenger, fake: FakeWeCom
) -> None:
    """Two answers to the same command are byte-identical bodies: WeCom's duplicate check (which the
    fake enforces) would drop the second, so texts go without it."""
    for key in ("reply:msg-1", "reply:msg-2"):
        await messenger.send_text(LEADER, "TJ-2026-0001 审批中", markdown=False, dedupe_key=key)
    assert fake.texts_to("wangju") == ["TJ-2026-0001 审批中"] * 2 and fake.duplicates == 0
    assert all("enable_duplicate_check" not in d.body for d in fake.sent)


async def test_the_fake_drops_a_byte_identical_body_with_the_duplicate_check(
    messenger: WeComMessenger, fake: FakeWeCom, clock: SimClock
) -> None:
    body = {"touser": "wangju", "agentid": fake.agent_id, "msgtype": "text", "text": {"content": "同一条"},
            "enable_duplicate_check": 1, "duplicate_check_interval": 1800}  # fmt: skip
    first = await messenger.client.post("/cgi-bin/message/send", body)
    again = await messenger.client.post("/cgi-bin/message/send", body)
    assert again["errcode"] == 0 and again["msgid"] == first["msgid"]  # "ok", yet shown to nobody
    assert fake.texts_to("wangju") == ["同一条"] and fake.duplicates == 1
    clock.advance(dt.timedelta(seconds=1801))
    await messenger.client.post("/cgi-bin/message/send", body)
    assert fake.texts_to("wangju") == ["同一条"] * 2


async def test_update_after_a_click_uses_the_clicks_code_for_everyone(
    messenger: WeComMessenger, fake: FakeWeCom
) -> None:
    state = dict((await messenger.send_card(LEADER, level4_card(), dedupe_key="card:1")).state)
    code = fake.click(state["task_id"])
    state |= {"response_code": code, "response_code_at": messenger.resources.clock.now().isoformat(),
              "response_task_id": state["task_id"]}  # fmt: skip
    waiting = level4_card(status="待填写理由")
    state |= (await messenger.update_card(LEADER, waiting, state=state, dedupe_key="card_update:1")).state
    [update] = fake.updates
    assert update["response_code"] == code and update["atall"] == 1
    assert update["task_id"] == state["task_id"]
    assert "replace_text" not in update["template_card"]  # still open: buttons stay
    # The refusal's text arrives later, with no click: the send's code closes the card.
    now = messenger.resources.clock.now()
    assert messenger.card_updatable(state, now)
    closed = level4_card(status="已确认不能办", closed=True, buttons=(), selection=None)
    state |= (await messenger.update_card(LEADER, closed, state=state, dedupe_key="card_update:2")).state
    assert fake.updates[-1]["response_code"] == state["send_response_code"]
    assert fake.updates[-1]["template_card"]["replace_text"] == "已确认不能办"
    assert not messenger.card_updatable(state, now)
    assert len(fake.cards_to("wangju")) == 1


def test_card_updatable_rules(messenger: WeComMessenger, clock: SimClock) -> None:
    now = clock.now()
    fresh = {"response_code": "c", "response_code_at": now.isoformat()}
    assert messenger.card_updatable(fresh, now)
    assert messenger.card_updatable(
        {"send_response_code": "s", "send_response_code_at": now.isoformat()}, now
    )
    assert not messenger.card_updatable({}, now)
    assert not messenger.card_updatable({**fresh, "used_codes": "x,c"}, now)
    assert not messenger.card_updatable(fresh, now + dt.timedelta(hours=72))
    assert messenger.card_updatable(fresh, now + dt.timedelta(hours=71))
    assert not messenger.card_updatable({"response_code": "c", "response_code_at": "yesterday"}, now)


async def test_a_pending_card_past_its_code_gets_a_fresh_card(
    messenger: WeComMessenger, fake: FakeWeCom, clock: SimClock
) -> None:
    state = dict((await messenger.send_card(LEADER, level4_card(), dedupe_key="card:1")).state)
    clock.advance(dt.timedelta(hours=73))
    reminder = level4_card(status="提醒：请尽快处理")
    result = await messenger.update_card(LEADER, reminder, state=state, dedupe_key="reminder:1")
    first, second = fake.cards_to("wangju")
    assert second.card["task_id"] == result.state["task_id"] != first.card["task_id"]
    assert card_ref_from_task_id(second.card["task_id"]) == "tjAbCdEf123_-x"
    assert second.card["main_title"]["desc"] == "提醒：请尽快处理"
    assert fake.updates == []


async def test_a_refused_code_on_a_pending_card_also_gets_a_fresh_card(
    messenger: WeComMessenger, fake: FakeWeCom
) -> None:
    state = dict((await messenger.send_card(LEADER, level4_card(), dedupe_key="card:1")).state)
    fake.codes[state["send_response_code"]]["used"] = True  # spent elsewhere
    result = await messenger.update_card(
        LEADER, level4_card(status="待填写理由"), state=state, dedupe_key="u:1"
    )
    assert result.state["used_codes"] == state["send_response_code"]
    assert result.state["task_id"] != state["task_id"]
    assert len(fake.cards_to("wangju")) == 2


async def test_a_closed_card_without_a_code_is_left_alone(messenger: WeComMessenger, fake: FakeWeCom) -> None:
    closed = level4_card(status="已由 张三 处理", closed=True, buttons=(), selection=None)
    result = await messenger.update_card(LEADER, closed, state={}, dedupe_key="u:2")
    assert "update_skipped_at" in result.state
    assert fake.sent == [] and fake.updates == []


async def test_texts_markdown_and_long_texts(messenger: WeComMessenger, fake: FakeWeCom) -> None:
    await messenger.send_text(LEADER, "你好", markdown=False, dedupe_key="t:1")
    await messenger.send_text(LEADER, "**提醒**", markdown=True, dedupe_key="t:2")
    long = "\n".join(f"第{i}行：" + "说不事项" * 10 for i in range(60))
    await messenger.send_text(LEADER, long, markdown=True, dedupe_key="t:3")
    texts = fake.texts_to("wangju")
    assert texts[:2] == ["你好", "**提醒**"]
    assert "\n".join(texts[2:]) == long and len(texts) > 3
    assert all(len(t.encode()) <= 2048 for t in texts)
    await messenger.send_text(LEADER, long, markdown=True, dedupe_key="t:3")  # retried: parts not repeated
    assert fake.texts_to("wangju") == texts


def test_split_by_bytes_keeps_everything() -> None:
    text = "甲" * 3000 + "\n短行\n" + "乙" * 10
    parts = split_by_bytes(text, 2048)
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


async def test_the_limiter_keeps_each_member_under_30_a_minute(
    messenger: WeComMessenger, fake: FakeWeCom, clock: SimClock
) -> None:
    for i in range(30):
        await messenger.send_text(LEADER, f"消息{i}", markdown=False, dedupe_key=f"t:{i}")
    with pytest.raises(DeliveryError) as caught:
        await messenger.send_text(LEADER, "第31条", markdown=False, dedupe_key="t:31")
    # A minute, plus the margin that keeps the arrivals (not only the starts) under the limit.
    assert caught.value.transient and 0 < (caught.value.retry_after or 0) <= 60 + ARRIVAL_MARGIN_MS / 1000
    await messenger.send_text(Recipient(2, "lisi", "李四"), "别人不受影响", markdown=False, dedupe_key="o:1")
    clock.advance(dt.timedelta(seconds=63))
    await messenger.send_text(LEADER, "第31条", markdown=False, dedupe_key="t:31")
    assert fake.dropped == []
    assert len(fake.texts_to("wangju")) == 31


async def test_an_unknown_member_is_a_permanent_error(messenger: WeComMessenger) -> None:
    with pytest.raises(DeliveryError) as caught:
        await messenger.send_text(Recipient(3, "ghost", "查无此人"), "hi", markdown=False, dedupe_key="g:1")
    assert not caught.value.transient and "wecom_userid" in str(caught.value)


XLSX = Attachment("2026Q3 汇总表.xlsx", b"PK\x03\x04fake-xlsx-bytes")


async def test_digest_to_an_app_group_chat_with_the_xlsx(messenger: WeComMessenger, fake: FakeWeCom) -> None:
    fake.chats.add("officechat01")
    group = GroupTarget(group_id=1, code="office", name="活动办公室", chat_id="officechat01")
    await messenger.post_to_group(group, "## 2026年第三季度汇总", attachment=XLSX, dedupe_key="digest:1")
    markdown, file = fake.appchat
    assert markdown["markdown"]["content"] == "## 2026年第三季度汇总"
    assert fake.media[file["file"]["media_id"]] == (XLSX.filename, XLSX.content)
    await messenger.post_to_group(group, "## 2026年第三季度汇总", attachment=XLSX, dedupe_key="digest:1")
    assert len(fake.appchat) == 2  # the retry of a delivered post sends nothing again


async def test_digest_through_a_group_robot(messenger: WeComMessenger, fake: FakeWeCom) -> None:
    fake.robot_keys.add("693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    group = GroupTarget(group_id=2, code="unit", name="运管所群", webhook=url)
    await messenger.post_to_group(group, "**逾期提醒**", attachment=XLSX, dedupe_key="alert:1")
    (_, md), (_, file) = fake.webhooks
    assert md["markdown"]["content"] == "**逾期提醒**" and file["msgtype"] == "file"


async def test_the_robot_limiter_keeps_under_20_a_minute(messenger: WeComMessenger, fake: FakeWeCom) -> None:
    fake.robot_keys.add("k-123456789")
    group = GroupTarget(group_id=2, code="unit", name="运管所群", webhook="k-123456789")
    for i in range(20):
        await messenger.post_to_group(group, f"提醒{i}", attachment=None, dedupe_key=f"a:{i}")
    with pytest.raises(DeliveryError) as caught:
        await messenger.post_to_group(group, "提醒20", attachment=None, dedupe_key="a:20")
    assert caught.value.transient
    assert len(fake.webhooks) == 20


async def test_a_group_without_chat_or_robot_says_what_to_configure(messenger: WeComMessenger) -> None:
    group = GroupTarget(group_id=3, code="x", name="某群")
    with pytest.raises(DeliveryError) as caught:
        await messenger.post_to_group(group, "hi", attachment=None, dedupe_key="x:1")
    assert not caught.value.transient and "wecom_chat_id" in str(caught.value)


def test_fields_beyond_six_lead_the_sub_title() -> None:
    fields = tuple(CardField(f"f{n}", f"项{n}", f"值{n}") for n in range(1, 7))
    extra = (CardField("catalog", "清单编号", "YS-01"), CardField("co_departments", "协办股室", "工程建设股"))
    card = Card(ref="tjX", source="s", title="t", fields=fields + extra, body="说明",
                buttons=(Button("can_do", "能办"),))  # fmt: skip
    template = render(card, "tjX@1")
    assert len(template["horizontal_content_list"]) == 6
    assert template["sub_title_text"].startswith("清单编号：YS-01 协办股室：工程建设股 说明")
    assert problems(template) == []
