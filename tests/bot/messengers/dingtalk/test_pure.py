"""Signatures, frames, payload parsing and card variables (no I/O)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cards import Button, Card, CardField, Option, Selection
from bot.events import CardAction, FileKind, FileMessage, Sender, TextMessage
from bot.messengers.dingtalk.cards import TEMPLATE_VARIABLES, button_slots, card_phase, card_variables
from bot.messengers.dingtalk.frames import FrameError, callback_ack, event_ack, parse_frame, ping_ack
from bot.messengers.dingtalk.parse import PayloadError, parse_bot_message, parse_card_callback
from bot.messengers.dingtalk.signing import (
    card_callback_sign,
    robot_sign,
    signed_webhook_url,
    verify_card_callback,
    verify_robot_request,
)

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
SECRET = "app-secret"


def ms(when: dt.datetime) -> str:
    return str(int(when.timestamp() * 1000))


# -- signatures --------------------------------------------------------------------------------


def test_robot_sign_matches_the_documented_formula() -> None:
    # base64(HMAC_SHA256(key=secret, msg="ts\nsecret")), computed independently
    import base64
    import hashlib
    import hmac

    ts = "1764464400000"
    expected = base64.b64encode(
        hmac.new(b"app-secret", f"{ts}\napp-secret".encode(), hashlib.sha256).digest()
    )
    assert robot_sign(ts, SECRET) == expected.decode()


def test_robot_request_accepted_when_signed_and_fresh() -> None:
    ts = ms(NOW - dt.timedelta(minutes=59))
    assert verify_robot_request(ts, robot_sign(ts, SECRET), SECRET, NOW)


@pytest.mark.parametrize("skew", [dt.timedelta(hours=1, seconds=1), -dt.timedelta(hours=1, seconds=1)])
def test_robot_request_refused_outside_one_hour(skew: dt.timedelta) -> None:
    ts = ms(NOW + skew)
    assert not verify_robot_request(ts, robot_sign(ts, SECRET), SECRET, NOW)


@pytest.mark.parametrize(
    ("ts", "sign"),
    [(None, "x"), ("", "x"), ("abc", "x"), ("1764464400000", None), ("1764464400000", "")],
)
def test_robot_request_refused_when_headers_missing_or_garbage(ts: str | None, sign: str | None) -> None:
    assert not verify_robot_request(ts, sign, SECRET, NOW)


@given(st.text(min_size=1, max_size=40))
def test_robot_request_refused_for_any_other_sign(forged: str) -> None:
    ts = ms(NOW)
    if forged != robot_sign(ts, SECRET):
        assert not verify_robot_request(ts, forged, SECRET, NOW)


def test_robot_request_refused_with_another_secret() -> None:
    ts = ms(NOW)
    assert not verify_robot_request(ts, robot_sign(ts, "other"), SECRET, NOW)


def test_card_callback_signature() -> None:
    ts = ms(NOW)
    assert verify_card_callback(ts, card_callback_sign(ts, SECRET), SECRET, NOW)
    assert not verify_card_callback(ts, card_callback_sign(ts, "other"), SECRET, NOW)
    stale = ms(NOW - dt.timedelta(hours=2))
    assert not verify_card_callback(stale, card_callback_sign(stale, SECRET), SECRET, NOW)


def test_webhook_url_is_signed() -> None:
    url = signed_webhook_url("https://oapi.dingtalk.com/robot/send?access_token=t", "sec", NOW)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=")
    ts = url.split("timestamp=")[1].split("&")[0]
    from urllib.parse import unquote_plus

    assert unquote_plus(url.split("sign=")[1]) == robot_sign(ts, "sec")
    assert (
        signed_webhook_url("https://x/robot/send?access_token=t", None, NOW)
        == "https://x/robot/send?access_token=t"
    )


# -- frames ------------------------------------------------------------------------------------


def frame(frame_type: str = "CALLBACK", topic: str = "/v1.0/im/bot/messages/get", data: object = "{}") -> str:
    return json.dumps(
        {
            "specVersion": "1.0",
            "type": frame_type,
            "headers": {"topic": topic, "messageId": "m1"},
            "data": data,
        }
    )


def test_frame_parsed_and_acked_per_protocol() -> None:
    parsed = parse_frame(frame(data='{"a": 1}'))
    assert (parsed.type, parsed.topic, parsed.message_id) == ("CALLBACK", "/v1.0/im/bot/messages/get", "m1")
    ack = json.loads(callback_ack(parsed, {"x": "y"}))
    assert ack["code"] == 200 and ack["headers"]["messageId"] == "m1"
    assert json.loads(ack["data"]) == {"response": {"x": "y"}}
    assert json.loads(json.loads(event_ack(parsed))["data"])["status"] == "SUCCESS"


def test_ping_echoes_its_data() -> None:
    ping = parse_frame(frame("SYSTEM", "ping", '{"opaque":"abc"}'))
    assert json.loads(json.loads(ping_ack(ping))["data"]) == {"opaque": "abc"}


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        '{"type":"CALLBACK"}',
        '{"type":"CALLBACK","headers":{"topic":"t"}}',
        '{"type":1,"headers":{"topic":"t","messageId":"m"}}',
        '{"type":"CALLBACK","headers":{"topic":"t","messageId":""}}',
    ],
)
def test_malformed_frames_raise_frame_error(raw: str) -> None:
    with pytest.raises(FrameError):
        parse_frame(raw)


def test_frame_data_that_is_not_an_object() -> None:
    with pytest.raises(FrameError):
        parse_frame(frame(data="[1,2]")).data_json()
    with pytest.raises(FrameError):
        parse_frame(frame(data="{broken")).data_json()


# -- bot messages ------------------------------------------------------------------------------


def bot_message(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "conversationType": "1",
        "conversationId": "cid123==",
        "senderStaffId": "staff01",
        "senderId": "$:LWCP_v1:$abc",
        "senderNick": "张三",
        "msgId": "msgA",
        "msgtype": "text",
        "text": {"content": " 待办 "},
        "robotCode": "dingbot",
    }
    data.update(over)
    return data


def test_one_to_one_text_becomes_a_text_message() -> None:
    event = parse_bot_message(bot_message())
    assert event == TextMessage(Sender("dingtalk", "staff01"), "待办", "dingtalk:msg:msgA", None)


def test_group_message_that_ats_the_bot_carries_the_group() -> None:
    event = parse_bot_message(bot_message(conversationType="2", isInAtList=True))
    assert event is not None and event.conversation == "cid123=="


def test_group_message_not_at_the_bot_is_ignored() -> None:
    assert parse_bot_message(bot_message(conversationType="2", isInAtList=False)) is None


def test_rich_text_is_joined_and_its_pictures_are_ignored() -> None:
    rich = bot_message(
        msgtype="richText",
        content={"richText": [{"text": "说不"}, {"downloadCode": "x"}, {"text": "\n事项：a"}]},
    )
    event = parse_bot_message(rich)
    assert isinstance(event, TextMessage) and event.text == "说不\n事项：a"


def test_a_picture_or_a_file_becomes_a_file_message() -> None:
    picture = bot_message(msgtype="picture", content={"downloadCode": "dc1", "pictureDownloadCode": "pc1"})
    assert parse_bot_message(picture) == FileMessage(
        Sender("dingtalk", "staff01"), FileKind.IMAGE, "dingtalk:msg:msgA"
    )
    file = bot_message(
        msgtype="file", content={"downloadCode": "dc2", "fileName": "营业执照.pdf", "spaceId": "1"}
    )
    event = parse_bot_message(file)
    assert isinstance(event, FileMessage) and (event.kind, event.filename) == (FileKind.FILE, "营业执照.pdf")
    assert parse_bot_message(bot_message(msgtype="audio", content={"downloadCode": "x"})) is None


@pytest.mark.parametrize("missing", ["msgId", "senderStaffId"])
def test_bot_message_without_ids_is_refused(missing: str) -> None:
    data = bot_message()
    del data[missing]
    with pytest.raises(PayloadError):
        parse_bot_message(data)


# -- card callbacks ----------------------------------------------------------------------------


def card_callback(params: dict[str, str], **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "type": "actionCallback",
        "outTrackId": "ref-abc",
        "corpId": "dingcorp",
        "userId": "head01",
        "content": json.dumps(
            {"cardPrivateData": {"actionIds": [params.get("action", "")], "params": params}}
        ),
    }
    data.update(over)
    return data


@pytest.mark.parametrize("key", ["can_do", "escalate", "confirm_no"])
def test_card_click_becomes_a_card_action(key: str) -> None:
    event = parse_card_callback(card_callback({"action": key}))
    assert event == CardAction(
        Sender("dingtalk", "head01"), "ref-abc", key, f"dingtalk:card:ref-abc:head01:{key}", {}
    )


def test_the_choice_is_passed_through_for_the_handler_to_check() -> None:
    tap = {"action": "confirm_no", "question": "refusal_category", "option": "law"}
    assert parse_card_callback(card_callback(tap)).selected == {"refusal_category": "law"}
    # Which options exist depends on the card's kind: the router refuses a wrong one, not the adapter.
    tap = {"action": "confirm_no", "question": "refusal_category", "option": "hack"}
    assert parse_card_callback(card_callback(tap)).selected == {"refusal_category": "hack"}
    # A button without a choice sends empty question/option.
    assert (
        parse_card_callback(card_callback({"action": "can_do", "question": "", "option": ""})).selected == {}
    )


def test_cards_from_the_earlier_template_name_their_choice_directly() -> None:
    event = parse_card_callback(card_callback({"action": "confirm_no", "refusal_category": "other"}))
    assert (event.key, event.selected) == ("confirm_no", {"refusal_category": "other"})


def test_any_key_is_passed_through_for_the_card_kind_to_parse() -> None:
    event = parse_card_callback(card_callback({"action": "approve_everything"}))
    assert event.key == "approve_everything"  # refused by the router, in the clicker's chat


def test_keys_and_options_that_are_not_machine_names_are_not_passed_on() -> None:
    tap = {"action": "can_do", "question": "refusal_category", "option": "law; drop table"}
    assert parse_card_callback(card_callback(tap)).selected == {}
    assert parse_card_callback(card_callback({"action": "can_do", "备注": "x" * 100})).selected == {}


def test_action_in_value_field_or_action_ids() -> None:
    data = card_callback({})
    data["content"] = "{}"
    data["value"] = json.dumps({"cardPrivateData": {"actionIds": ["escalate"]}})
    assert parse_card_callback(data).key == "escalate"


@pytest.mark.parametrize(
    "data",
    [
        card_callback({"action": "can do"}),
        card_callback({"action": "x" * 65}),
        card_callback({"action": ""}),
        card_callback({"action": "can_do"}, userId=""),
        card_callback({"action": "can_do"}, outTrackId=None),
        card_callback({"action": "can_do"}, content="{not json"),
    ],
)
def test_bad_card_callbacks_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(PayloadError):
        parse_card_callback(data)


# -- card variables ----------------------------------------------------------------------------


def level_card(**over: object) -> Card:
    values: dict[str, object] = {
        "ref": "ref-abc",
        "source": "提级",
        "title": "说“不”事项 TJ-2026-0007",
        "fields": (
            CardField("applicant", "服务对象", "张三"),
            CardField("matter", "事项", "道路运输经营许可"),
            CardField("reason", "拟说不理由", "材料不全"),
            CardField("level", "当前层级", "股室负责人"),
            CardField("due", "回复期限", "2026-12-03 17:30"),
        ),
        "buttons": (Button("can_do", "能办"), Button("escalate", "提级")),
    }
    values.update(over)
    return Card(**values)  # type: ignore[arg-type]


def test_card_variables_are_the_template_variables_as_strings() -> None:
    variables = card_variables(level_card())
    assert set(variables) == set(TEMPLATE_VARIABLES)
    assert all(isinstance(v, str) for v in variables.values())
    assert variables["title"] == "说“不”事项 TJ-2026-0007"
    assert [(variables[f"field_{n}_label"], variables[f"field_{n}_value"]) for n in range(1, 6)] == [
        ("服务对象", "张三"), ("事项", "道路运输经营许可"), ("拟说不理由", "材料不全"),
        ("当前层级", "股室负责人"), ("回复期限", "2026-12-03 17:30"),
    ]  # fmt: skip
    assert (variables["field_5_shown"], variables["field_6_shown"]) == ("true", "false")
    assert [variables[f"button_{n}_action"] for n in range(1, 4)] == ["can_do", "escalate", ""]
    assert variables["status"] == "open"
    assert variables["status_text"] == "待处理"


def test_a_button_that_goes_with_the_selection_becomes_one_button_per_option() -> None:
    final = level_card(
        buttons=(Button("can_do", "能办"), Button("confirm_no", "确认不能办")),
        selection=Selection(
            "refusal_category",
            "理由类别",
            (Option("law", "法律政策不允许"), Option("other", "其他")),
            ("confirm_no",),
        ),
    )
    assert [(s.text, s.action, s.question, s.option) for s in button_slots(final)] == [
        ("能办", "can_do", "", ""),
        ("确认不能办（法律政策不允许）", "confirm_no", "refusal_category", "law"),
        ("确认不能办（其他）", "confirm_no", "refusal_category", "other"),
    ]
    assert card_phase(final) == "open"


def test_a_closed_card_hides_every_button_and_says_what_happened() -> None:
    closed = level_card(closed=True, status="已提级至 分管领导 王某")
    variables = card_variables(closed)
    assert variables["status"] == "closed"
    assert variables["last_action"] == "已提级至 分管领导 王某"
    assert all(variables[f"button_{n}_shown"] == "false" for n in range(1, 7))
    assert card_phase(level_card(buttons=())) == "closed"


def test_long_values_are_clipped_to_one_kilobyte() -> None:
    variables = card_variables(level_card(body="很长" * 1000))
    assert len(variables["body"].encode()) <= 1000
