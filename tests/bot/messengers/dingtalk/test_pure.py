"""Signatures, frames, payload parsing and card variables (no I/O)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cards import Button, Card, Option, Selection
from bot.events import CardAction, Sender, TextMessage
from bot.messengers.dingtalk.cards import TEMPLATE_VARIABLES, card_phase, card_variables
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


def test_rich_text_is_joined_and_pictures_are_ignored() -> None:
    rich = bot_message(
        msgtype="richText",
        content={"richText": [{"text": "说不"}, {"downloadCode": "x"}, {"text": "\n事项：a"}]},
    )
    event = parse_bot_message(rich)
    assert event is not None and event.text == "说不\n事项：a"
    assert parse_bot_message(bot_message(msgtype="picture", content={"downloadCode": "x"})) is None


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


def test_refusal_category_is_carried_and_unknown_options_dropped() -> None:
    event = parse_card_callback(card_callback({"action": "confirm_no", "refusal_category": "law"}))
    assert event.selected == {"refusal_category": "law"}
    event = parse_card_callback(card_callback({"action": "confirm_no", "refusal_category": "hack"}))
    assert event.selected == {}


def test_action_in_value_field_or_action_ids() -> None:
    data = card_callback({})
    data["content"] = "{}"
    data["value"] = json.dumps({"cardPrivateData": {"actionIds": ["escalate"]}})
    assert parse_card_callback(data).key == "escalate"


@pytest.mark.parametrize(
    "data",
    [
        card_callback({"action": "approve_everything"}),
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
            ("服务对象", "张三"),
            ("事项", "道路运输经营许可"),
            ("拟说不理由", "材料不全"),
            ("当前层级", "股室负责人"),
            ("回复期限", "2026-12-03 17:30"),
        ),
        "buttons": (Button("can_do", "能办"), Button("escalate", "提级")),
    }
    values.update(over)
    return Card(**values)  # type: ignore[arg-type]


def test_card_variables_are_the_template_variables_as_strings() -> None:
    variables = card_variables(level_card())
    assert set(variables) == set(TEMPLATE_VARIABLES)
    assert all(isinstance(v, str) for v in variables.values())
    assert variables["number"] == "TJ-2026-0007"
    assert variables["applicant"] == "张三"
    assert variables["matter"] == "道路运输经营许可"
    assert variables["reason"] == "材料不全"
    assert variables["level"] == "股室负责人"
    assert variables["due"] == "2026-12-03 17:30"
    assert variables["status"] == "pending"
    assert variables["status_text"] == "待处理"


def test_status_drives_which_buttons_show() -> None:
    final = level_card(
        buttons=(Button("can_do", "能办"), Button("confirm_no", "确认不能办")),
        selection=Selection("refusal_category", "理由类别", (Option("law", "法律政策不允许"),)),
    )
    assert card_phase(final) == "final"
    closed = level_card(closed=True, status="已提级至 分管领导 王某")
    assert card_variables(closed)["status"] == "closed"
    assert card_variables(closed)["last_action"] == "已提级至 分管领导 王某"
    assert card_phase(level_card(buttons=())) == "closed"


def test_long_values_are_clipped_to_one_kilobyte() -> None:
    variables = card_variables(level_card(body="很长" * 1000))
    assert len(variables["body"].encode()) <= 1000
